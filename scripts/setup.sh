#!/usr/bin/env bash
# Installs the Debian 12 packages rtpgate needs and builds the tree (meson + ninja).
# Idempotent: skips apt when every package is installed, apt-get update when lists are < 6 h old.
# usage: scripts/setup.sh [--no-build]     (env: RTPGATE_BUILD_DIR, default build)
set -euo pipefail

readonly PACKAGES=(
    meson ninja-build pkg-config g++ clang llvm libclang-rt-14-dev
    libdpdk-dev dpdk dpdk-dev
    libsofia-sip-ua-dev libsrtp2-dev libssl-dev libjansson-dev libglib2.0-dev libconfig-dev
    libhyperscan-dev libipsec-mb-dev libmicrohttpd-dev
    libgtest-dev libgmock-dev libbenchmark-dev
    janus janus-dev janus-tools janus-demos chromium python3-websockets
    sip-tester kamailio baresip-core python3-aiortc python3-numpy
    tshark iproute2 ethtool linux-perf gnuplot-nox procps iputils-ping
)
readonly LISTS_MAX_AGE_S=$(( 6 * 3600 ))

log() { printf '[setup] %s\n' "$*" >&2; }

usage() {
    sed -n '2,4s/^# \{0,1\}//p' "$0"
}

build=1
while (( $# )); do
    case "$1" in
        --no-build) build=0 ;;
        -h|--help) usage; exit 0 ;;
        *) log "unknown argument: $1"; usage >&2; exit 2 ;;
    esac
    shift
done

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${RTPGATE_BUILD_DIR:-build}

missing_packages() {
    # dpkg -s would also accept removed-but-configured packages; require state "ii".
    local pkg status
    for pkg in "${PACKAGES[@]}"; do
        status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
        [[ "$status" == ii* ]] || printf '%s\n' "$pkg"
    done
}

lists_fresh() {
    local newest now
    newest=$(find /var/lib/apt/lists -maxdepth 1 -type f -name '*_InRelease' -printf '%T@\n' 2>/dev/null \
        | sort -n | tail -n 1)
    [[ -n "$newest" ]] || return 1
    now=$(date +%s)
    (( now - ${newest%.*} < LISTS_MAX_AGE_S ))
}

install_packages() {
    local missing
    mapfile -t missing < <(missing_packages)
    if (( ${#missing[@]} == 0 )); then
        log "all ${#PACKAGES[@]} packages installed"
        return 0
    fi
    if [[ $EUID -ne 0 ]]; then
        log "missing packages and not root: ${missing[*]}"
        exit 1
    fi
    log "missing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if lists_fresh; then
        log "apt lists are less than 6 h old: skipping apt-get update"
    else
        apt-get update
    fi
    apt-get install -y --no-install-recommends "${missing[@]}"
}

build_tree() {
    cd "$repo"
    if [[ ! -f "${build_dir}/meson-private/coredata.dat" ]]; then
        log "meson setup ${build_dir}"
        meson setup "$build_dir" --buildtype=debugoptimized
    elif [[ ! -f "${build_dir}/build.ninja" ]]; then
        log "meson setup --reconfigure ${build_dir} (no build.ninja)"
        meson setup --reconfigure "$build_dir"
    fi
    # An existing build dir regenerates itself from ninja when meson.build files change.
    ninja -C "$build_dir"
}

install_packages
if (( build )); then
    build_tree
else
    log "--no-build: skipping meson/ninja"
fi
log "done"
