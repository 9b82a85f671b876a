#!/usr/bin/env bash
# Issue 4's browser-leg benchmark: calls per second and CPU per call with media, our plugin
# (libjanus_rtpgate.so + rtpgate-dataplane) and Janus 1.1.2's stock libjanus_sip.so, back
# to back in one invocation, each loaded in the fake Janus core by rtpgate-call-scale and
# calling a sipp UAS that echoes RTP. Prints a Markdown table with both and the ratios and
# writes perf/results/call_scale-<date>.json. See perf/README.md.
#
# usage: sudo perf/call_scale/run.sh [--build DIR] [--only rtpgate|stock] [--cps-callers C]
#          [--cps-pool N] [--reuse-gap-ms MS] [--cps-seconds T] [--media-calls 50,200,500]
#          [--media-seconds T] [--warmup-seconds S] [--keep]
#
# Topology (own names and addresses, so it can run next to the e2e labs):
#   rtpgate  root cs-dp0 (no IP, DPDK net_af_packet) <-veth-> csa/eth0 10.79.1.2/24 (sipp);
#            the data plane owns 10.79.1.1 (TAP cs-tap0 = exception path: SIP reaches the
#            plugin through it), shm /rtpgate-cs; plugin local_ip = sdp_ip = 10.79.1.1.
#   stock    root cs-dp1 10.79.5.1/24 <-veth-> csb/eth0 10.79.5.2/24 (sipp), plain kernel.
# CPUs: the data plane is pinned to the last CPU (adaptive idle); the tool (plugin threads,
# fake core, RTP injector) and sipp share CPU 0, for both plugins. Root needed (exit 77
# otherwise).
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$src/build
only=""
keep=0
cps_callers=16
cps_pool=1200
reuse_gap_ms=2000
cps_seconds=10
media_calls=50,200,500
media_seconds=10
warmup_seconds=2
while (( $# )); do
    case "$1" in
        --build) build=$(cd "$2" && pwd); shift ;;
        --only) only=$2; shift ;;
        --cps-callers) cps_callers=$2; shift ;;
        --cps-pool) cps_pool=$2; shift ;;
        --reuse-gap-ms) reuse_gap_ms=$2; shift ;;
        --cps-seconds) cps_seconds=$2; shift ;;
        --media-calls) media_calls=$2; shift ;;
        --media-seconds) media_seconds=$2; shift ;;
        --warmup-seconds) warmup_seconds=$2; shift ;;
        --keep) keep=1 ;;
        -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
        *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

skip() { printf 'SKIP: %s\n' "$*"; exit 77; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
say() { printf '\n== %s\n' "$*" >&2; }

(( EUID == 0 )) || skip "needs root (namespaces, veths, DPDK)"
for c in ip sipp taskset timeout; do command -v "$c" >/dev/null 2>&1 || skip "$c not installed"; done
tool=$build/perf/call_scale/rtpgate-call-scale
dp=$build/dataplane/rtpgate-dataplane
ctl=$build/tools/rtpgatectl/rtpgatectl
ours_so=$build/control/libjanus_rtpgate.so
stock_so=/usr/lib/x86_64-linux-gnu/janus/plugins/libjanus_sip.so
for f in "$tool" "$dp" "$ctl" "$ours_so"; do [[ -x "$f" || -r "$f" ]] || fail "$f not built (ninja -C $build)"; done
[[ -r "$stock_so" && -x /usr/bin/janus ]] || skip "Debian's janus (stock plugin + /usr/bin/janus) not installed"
PY=/usr/bin/python3

readonly P=cs SHM=/rtpgate-cs FILE_PREFIX=rtpgate-cs UAS_PORT=5070 MEDIA_PORT=6000
# shellcheck source=../../scripts/lib/topology.sh
source "$src/scripts/lib/topology.sh"
work=$(mktemp -d /tmp/rtpgate-call-scale.XXXXXX)
export RG_LOG_DIR=$work/logs
mkdir -p "$RG_LOG_DIR" "$work/sipp"

on_exit() {
    local rc=$?
    set +e
    rg_cleanup   # sipp, data plane, namespaces csa/csb, veths cs-*
    rm -f "/dev/shm/${SHM#/}"
    rm -rf "/var/run/dpdk/$FILE_PREFIX"
    if (( rc != 0 )); then
        for f in "$RG_LOG_DIR"/*.log "$work"/sipp/*errors.log; do
            [[ -s "$f" ]] || continue
            printf -- '--- %s (last 15 lines) ---\n' "${f#"$work"/}" >&2
            tail -n 15 "$f" >&2
        done
    fi
    if (( keep )); then echo "kept $work" >&2; else rm -rf "$work"; fi
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ncpu=$(nproc)
dp_cpu=$(( ncpu - 1 ))
app_cpus=0
(( ncpu > 2 )) && app_cpus="0-$(( ncpu - 2 ))"
# Bound for one tool run: registrations (the stock plugin takes ~0.1 s per handle), idle
# baselines, phase 1, and per K set-up + media + hang-up.
handles_total=$cps_pool
for k in ${media_calls//,/ }; do handles_total=$(( handles_total + k )); done
tool_timeout=$(( 120 + handles_total / 5 + ${cps_seconds%.*} + $(wc -w <<<"${media_calls//,/ }") * (90 + ${media_seconds%.*} + ${warmup_seconds%.*}) ))

udp_drops() {   # [NS]: UDP RcvbufErrors of the namespace (root namespace without NS)
    local cmd=(cat /proc/net/snmp)
    [[ -n "${1:-}" ]] && cmd=(ip netns exec "$1" cat /proc/net/snmp)
    "${cmd[@]}" | awk '/^Udp:/ { if (!h) { for (i = 1; i <= NF; i++) col[$i] = i; h = 1 } else print $col["RcvbufErrors"] }'
}

# Where echo packets are lost: UDP receive-buffer overflows at sipp (its namespace) and in
# the root namespace (the stock plugin's sockets; any other process's too) during the run.
drops_begin() { peer_drops0=$(udp_drops "$1"); root_drops0=$(udp_drops); }
drops_end() {   # NS FLAVOR
    printf '{"peer_rcvbuf_drops": %d, "root_rcvbuf_drops": %d}\n' "$(( $(udp_drops "$1") - peer_drops0 ))" \
        "$(( $(udp_drops) - root_drops0 ))" >"$work/$2-udp.json"
}

sipp_up() {   # NS IP
    local ns=$1 ip=$2 n i
    cd "$work/sipp"   # sipp writes its -trace_err file here (no subshell: rg_start_bg records the PID)
    rg_start_bg "sipp-$ns" ip netns exec "$ns" taskset -c "$app_cpus" sipp \
        -sf "$src/perf/call_scale/uas_echo.xml" -i "$ip" -p "$UAS_PORT" -mi "$ip" -mp "$MEDIA_PORT" -rtp_echo \
        -nostdin -trace_err -timeout "$(( tool_timeout + 30 ))s"
    cd "$src"
    for (( i = 0; i < 50; i++ )); do
        n=$(ip netns exec "$ns" ss -Hlun 2>/dev/null | grep -c -E ":($UAS_PORT|$MEDIA_PORT) " || true)
        (( n >= 2 )) && return 0
        sleep 0.1
    done
    fail "sipp did not open $UAS_PORT and $MEDIA_PORT in $ns"
}

run_tool() {   # FLAVOR OUT_JSON ARGS...
    local flavor=$1 out=$2
    shift 2
    local attempt rc
    for attempt in 1 2 3; do
        say "$flavor: rtpgate-call-scale (timeout ${tool_timeout}s, attempt $attempt)"
        rc=0
        timeout --signal=TERM --kill-after=15 "$tool_timeout" taskset -c "$app_cpus" "$tool" --flavor "$flavor" \
            --cps-callers "$cps_callers" --cps-pool "$cps_pool" --reuse-gap-ms "$reuse_gap_ms" \
            --cps-seconds "$cps_seconds" --media-calls "$media_calls" \
            --media-seconds "$media_seconds" --warmup-seconds "$warmup_seconds" "$@" \
            >"$out" 2> >(tee -a "$RG_LOG_DIR/tool-$flavor.log" | grep --line-buffered '^\[call-scale\]' >&2) || rc=$?
        # 4: no answer to the guest registrations: load the plugin again. Seen with our plugin
        # before 1329067 (SofiaLoop::start race: its loop thread sometimes never ran).
        (( rc == 4 )) || break
        echo "$flavor attempt $attempt: registration unanswered (exit 4)" >>"$work/retries.txt"
    done
    (( rc == 0 )) || fail "$flavor: rtpgate-call-scale failed (exit $rc)"
}

run_rtpgate() {
    say "rtpgate: topology, data plane on CPU $dp_cpu, sipp in ${P}a"
    topo_down "$P" >/dev/null 2>&1
    RG_TOPO_PREFIXES+=("$P")
    TOPO_DYNAMIC=1 _topo_peer_up "$P" a 0 10.79.1.2 10.79.1.1 || fail "veth ${P}-dp0 <-> ${P}a"
    cat >"$work/dataplane.conf" <<CONF
shm_name = $SHM
port = 0 addr=10.79.1.1/24 tap=${P}-tap0
port_min = 20000
port_max = 29999
flow_capacity = 8192
mbufs = 16383
idle_mode = adaptive
publish_interval_ms = 100
sip_ports = $UAS_PORT
CONF
    rm -f "/dev/shm/${SHM#/}"
    rg_start_bg dataplane taskset -c "$dp_cpu" "$dp" -l "$dp_cpu" --no-huge -m 512 --no-shconf --no-pci \
        --no-telemetry --file-prefix "$FILE_PREFIX" --vdev="net_af_packet0,iface=${P}-dp0" \
        -- --config "$work/dataplane.conf"
    local dp_pid=$RG_LAST_PID i
    "$ctl" --shm "$SHM" wait-ready --seconds 15 >/dev/null || fail "data plane not ready"
    for (( i = 0; i < 50; i++ )); do
        ip netns exec "${P}a" ping -c 1 -W 1 10.79.1.1 >/dev/null 2>&1 && break
        sleep 0.1
    done
    (( i < 50 )) || fail "${P}a cannot reach the data plane's 10.79.1.1"
    sipp_up "${P}a" 10.79.1.2
    drops_begin "${P}a"
    run_tool rtpgate "$work/rtpgate.json" --plugin "$ours_so" --local-ip 10.79.1.1 --sdp-ip 10.79.1.1 \
        --shm "$SHM" --rtp-port-range 20000-29999 --uas-uri "sip:echo@10.79.1.2:$UAS_PORT" --dp-pid "$dp_pid" \
        --flows-cmd "$ctl --shm $SHM --json info" \
        --note "data plane on CPU $dp_cpu (adaptive idle), tool+sipp on CPU $app_cpus"
    drops_end "${P}a" rtpgate
    "$ctl" --shm "$SHM" stats 2>&1 | sed -n '/^total/,$p' | awk 'NR == 1 || $2 != 0' >"$work/dp-stats.txt" || true
    rg_stop "sipp-${P}a"
    rg_stop dataplane
    topo_down "$P" >/dev/null 2>&1
}

run_stock() {
    say "stock: plain veth ${P}-dp1 10.79.5.1 <-> ${P}b 10.79.5.2, sipp in ${P}b"
    topo_plain_up "$P" "${P}b" "${P}-dp1" 10.79.5.1/24 10.79.5.2/24 \
        || fail "veth ${P}-dp1 <-> ${P}b does not pass traffic"
    sipp_up "${P}b" 10.79.5.2
    drops_begin "${P}b"
    run_tool stock "$work/stock.json" --plugin "$stock_so" --janus-core /usr/bin/janus \
        --local-ip 10.79.5.1 --sdp-ip 10.79.5.1 --rtp-port-range 20000-29999 \
        --uas-uri "sip:echo@10.79.5.2:$UAS_PORT" \
        --note "no data plane; tool+sipp on CPU $app_cpus (CPU $dp_cpu left idle)"
    drops_end "${P}b" stock
    rg_stop "sipp-${P}b"
    topo_down "$P" >/dev/null 2>&1
}

other_labs=$(ip netns list 2>/dev/null | awk '{print $1}' | grep -v -E "^${P}[ab]$" | tr '\n' ' ' || true)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
say "CPUs: $ncpu; load average $load_before; other namespaces: ${other_labs:-none}"
[[ -z "$only" || "$only" == rtpgate ]] && run_rtpgate
[[ -z "$only" || "$only" == stock ]] && run_stock

mkdir -p "$src/perf/results"
out=$src/perf/results/call_scale-$(date +%Y%m%d-%H%M%S).json
commit=$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$src" status --porcelain 2>/dev/null | grep -c . || true)
"$PY" "$src/perf/call_scale/report.py" --work "$work" --out "$out" --commit "$commit" --dirty "$dirty" \
    --load-before "$load_before" --other-ns "${other_labs:-none}" --dp-cpu "$dp_cpu" --app-cpus "$app_cpus" \
    --cps-callers "$cps_callers" --cps-pool "$cps_pool" --reuse-gap-ms "$reuse_gap_ms" \
    --cps-seconds "$cps_seconds" --media-seconds "$media_seconds" --warmup-seconds "$warmup_seconds"
echo "results: $out" >&2
