#!/usr/bin/env bash
# rtpgate-perf comparison, one run (issue 8): the real rtpgate-dataplane process driven from
# outside over net_memif by rtpgate-perf (lossless-rate search, latency), at 1,000 and
# 100,000 flows (1,000,000 on 2 MB pages), against testpmd (5tswap, macswap, io) on the same
# memif pairing and kernel-socket relays (stock Janus-like thread per call, batched
# recvmmsg/sendmmsg, rtpengine when installable) over a veth pair; then, at 1,000, 100,000 and
# 1,000,000 flows, the data plane with SRTP transcryption (SRTP in / SRTP out) and with every
# flow recorded, and at 1,000 with two worker lcores (per-core scaling; oversubscribed on a
# 2-CPU machine); and the data plane at 1,000 flows over a veth pair through net_af_packet
# (the kernel path, not framework-limited).
# Writes perf/results/perf-<date>.json, .md and PNG plots. See perf/README.md.
#
#   perf/run.sh [--build-dir DIR] [--trial-s S] [--steps N] [--retries N] [--loss-tolerance X]
#               [--latency-s S] [--flows LIST] [--large-flows N] [--kernel-flows N] [--no-huge]
#               [--no-testpmd] [--no-kernel] [--no-rtpengine] [--no-srtp] [--no-rec] [--no-scaling]
#               [--no-afpacket] [--feature-flows LIST] [--rec-flush-ms MS] [--only-features]
#               [--only-afpacket] [--out-dir DIR] [--keep]
#   --only-features: only rtpgate at the feature flow counts (the baselines) and the SRTP,
#   recording and scaling runs (no testpmd, kernel relays, af_packet or closed loop)
#   --only-afpacket: only the data plane over veth/af_packet (no ratios: nothing to divide by)
#   perf/run.sh --smoke [--build-dir DIR]   # CI: ~30 s, 1,000 flows, short trials, one step
#
# Needs root. Smoke mode exits 77 (skip) without it, 0 when every target forwarded traffic
# with intact frames, 1 otherwise. CPUs: the generator on the first allowed CPU, the device
# under test on the last (labelled in the report).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$REPO/build}
SMOKE=0 TRIAL_S=1 STEPS=7 RETRIES=1 LOSS_TOL=0 LATENCY_S=2 FLOWS_LIST=1000,100000 LARGE_FLOWS=1000000
KERNEL_FLOWS=1000 RUN_HUGE=1 RUN_TESTPMD=1 RUN_KERNEL=1 RUN_RTPENGINE=1 OUT_DIR=$REPO/perf/results KEEP=0
RUN_SRTP=1 RUN_REC=1 RUN_SCALING=1 RUN_LOOP=1 FEATURE_FLOWS=1000,100000,1000000 ONLY_FEATURES=0 RUN_AFPACKET=1
REC_RING=65536 REC_MBUFS=131071   # recording buffers of the recording run (perf/README.md, "Recording")
REC_FLUSH_MS=500                  # rec_flush_ms of the recording runs (the data plane's default)
SRTP_POOL=131072                  # pre-protected SRTP packets per flow (the most one flow may send)
MEMIF_RSIZE=12   # 4,096-slot memif rings (both ends): absorbs a few ms of a shared CPU's preemption
AFP_FRAMES=4096  # af_packet PACKET_MMAP frames per ring (default 512): as many slots as a memif ring
MIX_AV="g711:80,opus:15,video:5"

while (( $# )); do
    case $1 in
        --smoke) SMOKE=1 ;;
        --build-dir) BUILD_DIR=$2; shift ;;
        --trial-s) TRIAL_S=$2; shift ;;
        --steps) STEPS=$2; shift ;;
        --retries) RETRIES=$2; shift ;;
        --loss-tolerance) LOSS_TOL=$2; shift ;;
        --latency-s) LATENCY_S=$2; shift ;;
        --flows) FLOWS_LIST=$2; shift ;;
        --large-flows) LARGE_FLOWS=$2; shift ;;
        --kernel-flows) KERNEL_FLOWS=$2; shift ;;
        --no-huge) RUN_HUGE=0 ;;
        --no-testpmd) RUN_TESTPMD=0 ;;
        --no-kernel) RUN_KERNEL=0 ;;
        --no-rtpengine) RUN_RTPENGINE=0 ;;
        --no-srtp) RUN_SRTP=0 ;;
        --no-rec) RUN_REC=0 ;;
        --no-scaling) RUN_SCALING=0 ;;
        --no-afpacket) RUN_AFPACKET=0 ;;
        --feature-flows) FEATURE_FLOWS=$2; shift ;;
        --rec-flush-ms) REC_FLUSH_MS=$2; shift ;;
        --only-features) RUN_TESTPMD=0 RUN_KERNEL=0 RUN_LOOP=0 RUN_AFPACKET=0 ONLY_FEATURES=1 ;;
        --only-afpacket) FLOWS_LIST='' RUN_HUGE=0 RUN_TESTPMD=0 RUN_KERNEL=0 RUN_LOOP=0 RUN_SRTP=0 RUN_REC=0
                         RUN_SCALING=0 RUN_AFPACKET=1 ;;
        --out-dir) OUT_DIR=$2; shift ;;
        --keep) KEEP=1 ;;
        -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
        *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done

log() { printf '[perf] %s\n' "$*" >&2; }

if [[ $EUID -ne 0 ]]; then
    log "needs root (DPDK EAL, shared memory, network namespaces, hugepages)"
    (( SMOKE )) && exit 77
    exit 1
fi
if (( ONLY_FEATURES )); then
    # The plain runs the feature runs are compared with: the same flow counts.
    FLOWS_LIST=$(tr ',' '\n' <<<"$FEATURE_FLOWS" | awk '$1 <= 200000' | paste -sd,)
    big=$(tr ',' '\n' <<<"$FEATURE_FLOWS" | awk '$1 > 200000' | head -1)
    if [[ -n $big ]]; then LARGE_FLOWS=$big; else RUN_HUGE=0; fi
fi
OUT_DIR_SET=0
[[ $OUT_DIR != "$REPO/perf/results" ]] && OUT_DIR_SET=1
if (( SMOKE )); then
    TRIAL_S=0.2 STEPS=1 RETRIES=0 LATENCY_S=0.2 FLOWS_LIST=1000 RUN_HUGE=0 RUN_RTPENGINE=0 KERNEL_FLOWS=200
    FEATURE_FLOWS=1000 SRTP_POOL=16384 REC_RING=4096 REC_MBUFS=16383
fi

PERF=$BUILD_DIR/perf/gen/rtpgate-perf
RELAY=$BUILD_DIR/perf/gen/rtpgate-kernel-relay
DATAPLANE=$BUILD_DIR/dataplane/rtpgate-dataplane
if (( ! SMOKE )); then
    nice ninja -C "$BUILD_DIR" perf/gen/rtpgate-perf perf/gen/rtpgate-kernel-relay dataplane/rtpgate-dataplane >/dev/null
fi
if (( ! SMOKE )) && ! command -v gnuplot >/dev/null; then
    log "gnuplot missing (plots): apt-get install -y --no-install-recommends gnuplot-nox (also in scripts/setup.sh)"
    timeout 180 env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gnuplot-nox >/dev/null 2>&1 \
        || log "gnuplot could not be installed: no plots"
fi
for b in "$PERF" "$RELAY" "$DATAPLANE"; do
    [[ -x $b ]] || { log "missing $b (build with ninja -C $BUILD_DIR)"; exit 1; }
done

cpus=$(awk '/^Cpus_allowed_list/ { print $2 }' /proc/self/status)
GEN_CPU=$(tr ',-' '\n' <<<"$cpus" | head -1)
DUT_CPU=$(tr ',-' '\n' <<<"$cpus" | tail -1)
CPU_NOTE="generator on CPU $GEN_CPU, device under test on CPU $DUT_CPU"
[[ $GEN_CPU == "$DUT_CPU" ]] && CPU_NOTE="generator and device under test share CPU $GEN_CPU (oversubscribed)"

ID=perfgen$$
TMP=$(mktemp -d /tmp/rtpgate-perfgen.XXXXXX)
(( SMOKE && ! OUT_DIR_SET )) && OUT_DIR=$TMP/report   # CI: nothing left in perf/results
RESULTS=$TMP/results.jsonl
META=$TMP/meta.jsonl
: >"$RESULTS"
: >"$META"
NSA=${ID}a NSB=${ID}b VA=pga$$ VB=pgb$$
NETNS_UP=0
AFG=pfg$$ AFD=pfd$$   # af_packet run: the generator's and the data plane's veth (root namespace)
AFPACKET_UP=0
DUT_MAC=02:70:67:00:00:01
GEN_MAC=02:70:67:00:00:02

# shellcheck source-path=SCRIPTDIR/.. source=scripts/lib/topology.sh
source "$REPO/scripts/lib/topology.sh"
RG_LOG_DIR=$TMP

cleanup() {
    set +e
    rg_cleanup   # background processes (SIGTERM, then SIGKILL), hugepages
    veth_down
    if (( NETNS_UP )); then
        ip netns del "$NSA" 2>/dev/null
        ip netns del "$NSB" 2>/dev/null
    fi
    for m in "$TMP"/rec-*; do mountpoint -q "$m" 2>/dev/null && umount "$m"; done
    rm -f /dev/shm/rtpgate-"$ID"-*
    rm -rf /var/run/dpdk/"$ID"-*
    if (( KEEP )); then log "work directory kept: $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------
# DPDK targets over net_memif: the device under test is the memif server.
# ---------------------------------------------------------------------------

# memif ROLE MAC: the vdev of either end; one socket name per device under test (MEMIF_SOCK).
MEMIF_SOCK=$ID
memif() { printf 'net_memif0,role=%s,socket=/%s.sock,mac=%s,rsize=%s' "$1" "$MEMIF_SOCK" "$2" "$MEMIF_RSIZE"; }

COMMON=(--trial-s "$TRIAL_S" --steps "$STEPS" --retries "$RETRIES" --loss-tolerance "$LOSS_TOL"
        --latency-s "$LATENCY_S" --latency-frac 0.5 --latency-pps 50000 --json-out "$RESULTS")
# (50,000 packets/s: 1,000 G.711 streams at their real rate, the same load for every target)
(( SMOKE )) && COMMON+=(--warmup-s 0.1 --verify --max-pps 2000000)

# meta LABEL DUT-DESCRIPTION MEMORY: how the report labels a run.
meta() {
    printf '{"label":"%s","dut":"%s","memory":"%s","cpus":"%s"}\n' "$1" "$2" "$3" "$CPU_NOTE" >>"$META"
}

# gen LABEL TARGET FLOWS GEN-ARGS...: the DPDK generator against whatever serves the memif socket
# (or the port GEN_VDEV names, when a caller sets it).
gen() {
    local label=$1 target=$2 flows=$3; shift 3
    log "rtpgate-perf $label"
    timeout -s TERM 900 "$PERF" -l "$GEN_CPU" --no-pci --no-huge -m 512 --no-shconf --file-prefix "$ID-gen" \
        --vdev="${GEN_VDEV:-$(memif client "$GEN_MAC")}" -- --label "$label" --target "$target" --flows "$flows" \
        --dut-mac "$DUT_MAC" "${COMMON[@]}" "$@" >/dev/null 2>"$TMP/$label.gen.log" \
        || { log "$label: rtpgate-perf failed:"; tail -3 "$TMP/$label.gen.log" >&2; return 1; }
    grep '^\[perf\] trial' "$TMP/$label.gen.log" | tail -2 >&2 || true
}

# rtpgate_run FLOWS MEMORY-NAME EAL-MEMORY-ARGS... -- MIX...: one data plane, one run per mix.
rtpgate_run() {
    local flows=$1 mem=$2; shift 2
    local eal=(); while [[ $1 != -- ]]; do eal+=("$1"); shift; done; shift
    local shm=/rtpgate-$ID-$flows conf=$TMP/dp-$flows.conf mix label rc=0
    "$PERF" --dp-config --shm "$shm" --flows "$flows" --gen-mac "$GEN_MAC" >"$conf"
    MEMIF_SOCK=$ID-dp-$flows
    rg_start_bg "dp-$flows" "$DATAPLANE" -l "$DUT_CPU" --no-pci "${eal[@]}" --file-prefix "$ID-dp" \
        --vdev="$(memif server "$DUT_MAC")" -- --config "$conf"
    wait_memif || rc=1
    # One generator for every mix: the flows are programmed once (labels LABEL, LABEL-mix1, ...).
    local mixargs=() k=0
    for mix in "$@"; do
        label="rtpgate-$flows"; (( k )) && label+="-mix$k"
        meta "$label" "rtpgate-dataplane, 1 worker lcore (poll)" "$mem"
        mixargs+=(--mix "$mix"); k=$(( k + 1 ))
    done
    gen "rtpgate-$flows" rtpgate "$flows" --shm "$shm" "${mixargs[@]}" || rc=1
    rg_stop "dp-$flows"
    return $rc
}

# testpmd_run MODE: testpmd's forwarding core on the device-under-test CPU, its main lcore with
# the generator (it only prints statistics).
testpmd_run() {
    local mode=$1 label="testpmd-$1"
    MEMIF_SOCK=$ID-$label
    meta "$label" "dpdk-testpmd --forward-mode=$mode, 1 forwarding core" "no-huge"
    rg_start_bg "$label" dpdk-testpmd -l "$GEN_CPU,$DUT_CPU" --main-lcore "$GEN_CPU" --no-pci --no-huge -m 512 \
        --no-shconf --file-prefix "$ID-tp" --vdev="$(memif server "$DUT_MAC")" -- --nb-cores=1 \
        --forward-mode="$mode" --auto-start --stats-period 1 --total-num-mbufs=32768 --no-lsc-interrupt
    local rc=0
    wait_memif && gen "$label" "testpmd-$mode" 1000 || rc=1
    rg_stop "$label"   # (testpmd 22.11 may crash while closing a memif port: its exit status is ignored)
    return $rc
}

# rtpgate_feature LABEL TARGET DESC WORKERS MEMORY-MB DPCONFIG-ARGS... -- GEN-ARGS...: one data
# plane at FEAT_FLOWS flows with what DPCONFIG-ARGS switch on (SRTP, recording) and
# WORKERS worker lcores (2: the generator's CPU and the device-under-test CPU: oversubscribed),
# driven by the generator with GEN-ARGS (the same method as the plain runs). Its memory:
# MEMORY-MB of DPDK memory, on 2 MB pages above 200,000 flows (FEAT_MEM_NOTE says which).
rtpgate_feature() {
    local label=$1 target=$2 desc=$3 workers=$4 mem=$5; shift 5
    local dpargs=(); while [[ $1 != -- ]]; do dpargs+=("$1"); shift; done; shift
    local flows=$FEAT_FLOWS shm=/rtpgate-$ID-$label conf=$TMP/dp-$label.conf lcores=$DUT_CPU rc=0
    local eal=(--no-huge -m "$mem" --no-shconf) memnote=no-huge
    (( workers == 2 )) && lcores=$GEN_CPU,$DUT_CPU
    if (( flows > 200000 )); then
        hugepages_up $(( mem / 2 + 8 )) || { echo "$label: no hugepages ($(( mem / 2 + 8 )) x 2 MB)" >>"$TMP/skipped.txt"; return 0; }
        eal=(--in-memory --huge-dir "$RG_HUGE_DIR" -m "$mem") memnote="2 MB pages"
    fi
    "$PERF" --dp-config --shm "$shm" --flows "$flows" --gen-mac "$GEN_MAC" ${dpargs[@]+"${dpargs[@]}"} >"$conf"
    MEMIF_SOCK=$ID-$label
    rg_start_bg "$label" "$DATAPLANE" -l "$lcores" --no-pci "${eal[@]}" --file-prefix "$ID-dp" \
        --vdev="$(memif server "$DUT_MAC")" -- --config "$conf"
    wait_memif || rc=1
    meta "$label" "$desc" "$memnote"
    (( rc == 0 )) && { gen "$label" "$target" "$flows" --shm "$shm" --queues "$workers" "$@" || rc=1; }
    rg_stop "$label"
    (( flows > 200000 )) && hugepages_down
    return $rc
}

# feature_mem FLOWS KIND: MB of DPDK memory for a feature run: the plain data plane's (1,024,
# or 1,400 above 200,000 flows), plus 2,176 B of private SRTP context per flow (srtp), or the
# 131,071 recording buffers of ~2.2 KB (rec).
feature_mem() {
    local flows=$1 kind=$2 mb=1024
    (( flows > 200000 )) && mb=1400
    case $kind in
        srtp) mb=$(( mb + flows * 2176 / 1048576 + 64 )) ;;
        rec) mb=$(( mb + 512 )) ;;
    esac
    echo "$mb"
}

# phase NAME CMD...: runs CMD, logs and notes how long it took.
phase() {
    local name=$1 t=$SECONDS rc=0; shift
    "$@" || rc=$?
    log "phase $name: $(( SECONDS - t )) s"
    echo "$name=$(( SECONDS - t ))" >>"$TMP/phases.txt"
    return $rc
}

# features_at FLOWS: SRTP in, SRTP out and recording at FLOWS flows; per-core scaling at the
# first feature flow count only.
features_at() {
    local f=$1 failed=0 FEAT_FLOWS=$1
    if (( RUN_SRTP )); then
        phase "srtp-in-$f" rtpgate_feature "rtpgate-srtp-in-$f" rtpgate-srtp-in \
            "rtpgate-dataplane, 1 worker; SRTP in (AES_CM_128_HMAC_SHA1_80 decrypted), plain out" 1 \
            "$(feature_mem "$f" srtp)" --srtp in -- --srtp in --srtp-pool "$SRTP_POOL" || failed=1
        phase "srtp-out-$f" rtpgate_feature "rtpgate-srtp-out-$f" rtpgate-srtp-out \
            "rtpgate-dataplane, 1 worker; plain in, SRTP out (AES_CM_128_HMAC_SHA1_80 encrypted)" 1 \
            "$(feature_mem "$f" srtp)" --srtp out -- --srtp out || failed=1
    fi
    if (( RUN_REC )); then
        # .mjr files in a temporary directory on the work directory's file system, removed after
        # the run; one file per flow (more files than RLIMIT_NOFILE share descriptors: fd_lru.h).
        # Files are written out REC_FLUSH_MS after their first buffered packet (the data plane's
        # default 500); after each trial the generator waits until the recorder has written that
        # trial's packets out (--rec-settle-ms), so a trial is charged with its own write-outs.
        # Above 200,000 flows the files go to a tmpfs mounted for the run: creating and removing
        # a million inodes on this VM's ext4 takes minutes of the 15 the whole run may take.
        local rec=$TMP/rec-$f flush=$REC_FLUSH_MS fs="the work directory's file system" tmpfs=0
        mkdir -p "$rec"
        if (( f > 200000 )) && mount -t tmpfs -o size=$(( f / 1000 * 8 + 512 ))m,nr_inodes=$(( f + 4096 )) rtpgate-perf-rec "$rec"; then
            tmpfs=1 fs=tmpfs
        fi
        phase "rec-$f" rtpgate_feature "rtpgate-rec-$f" rtpgate-rec \
            "rtpgate-dataplane, 1 worker; every flow recorded (rec_ring $REC_RING, rec_mbufs $REC_MBUFS, rec_flush_ms $flush, files on $fs; the recorder thread on CPU $GEN_CPU with the generator: oversubscribed)" 1 \
            "$(feature_mem "$f" rec)" --record "$rec" --rec-ring "$REC_RING" --rec-mbufs "$REC_MBUFS" \
            --rec-flush-ms "$flush" -- --record "$rec" --rec-settle-ms $(( flush + 300 )) || failed=1
        log "recordings at $f flows: $(find "$rec" -name '*.mjr' | wc -l) files, $(du -sh "$rec" | cut -f1); removed"
        if (( tmpfs )); then umount "$rec"; fi
        rm -rf "$rec"
    fi
    if (( RUN_SCALING && f == FEATURE_FLOWS_FIRST )); then
        local over=""
        [[ $GEN_CPU != "$DUT_CPU" ]] && over=" (CPU $GEN_CPU shared with the generator: oversubscribed)"
        phase "scaling-2w-$f" rtpgate_feature "rtpgate-2w-$f" rtpgate-2w \
            "rtpgate-dataplane, 2 worker lcores on CPUs $GEN_CPU,$DUT_CPU$over" 2 1024 -- || failed=1
    fi
    return $failed
}

features_run() {
    local f failed=0
    IFS=, read -r -a feature_flows <<<"$FEATURE_FLOWS"
    FEATURE_FLOWS_FIRST=${feature_flows[0]}
    for f in "${feature_flows[@]}"; do
        if (( f > 200000 && ! RUN_HUGE )); then
            echo "SRTP and recording at $f flows: not run (--no-huge)" >>"$TMP/skipped.txt"
            continue
        fi
        features_at "$f" || failed=1
    done
    return $failed
}

# ---------------------------------------------------------------------------
# Kernel targets: generator in namespace A, relay in namespace B, joined by a veth pair. A
# veth delivers in the sender's context: the relay's own threads pay, per packet, its two
# system calls, its transmit path and one receive path (that of the packet it sends), which
# is what a relay on a NIC pays (its packet's receive path, its transmit path); its threads'
# CPU time (schedstat) is the per-core cost, whatever else shares its CPU.
# ---------------------------------------------------------------------------

netns_up() {
    ip netns add "$NSA"; ip netns add "$NSB"; NETNS_UP=1
    ip link add "$VA" type veth peer name "$VB"
    ip link set "$VA" netns "$NSA"; ip link set "$VB" netns "$NSB"
    ip -n "$NSA" addr add 10.98.7.1/24 dev "$VA"; ip -n "$NSB" addr add 10.98.7.2/24 dev "$VB"
    for ns in "$NSA" "$NSB"; do ip -n "$ns" link set lo up; done
    ip -n "$NSA" link set "$VA" up; ip -n "$NSB" link set "$VB" up
}

# wait_memif: until the memif server's (abstract) socket listens, at most 60 s.
wait_memif() {
    local i
    for (( i = 0; i < 600; i++ )); do
        grep -q "@/$MEMIF_SOCK.sock" /proc/net/unix && return 0
        sleep 0.1
    done
    log "no memif socket @/$MEMIF_SOCK.sock after 60 s"
    return 1
}

# kgen LABEL TARGET RELAY-PID GEN-ARGS...
kgen() {
    local label=$1 target=$2 pid=$3; shift 3
    log "rtpgate-perf --kernel $label"
    timeout -s TERM 900 ip netns exec "$NSA" taskset -c "$GEN_CPU" "$PERF" --kernel --label "$label" \
        --target "$target" --flows "$KERNEL_FLOWS" --ip 10.98.7.1 --dst-ip 10.98.7.2 --bind-port 29000 \
        --relay-pid "$pid" --relay-cpu "$DUT_CPU" --max-pps 3000000 "${COMMON[@]}" "$@" \
        >/dev/null 2>"$TMP/$label.gen.log" \
        || { log "$label: rtpgate-perf failed:"; tail -3 "$TMP/$label.gen.log" >&2; return 1; }
    grep '^\[perf\] trial' "$TMP/$label.gen.log" | tail -2 >&2 || true
}

# relay_run MODE: rtpgate-kernel-relay pinned to the device-under-test CPU.
relay_run() {
    local mode=$1 label="kernel-$1" desc
    [[ $mode == stock ]] && desc="kernel sockets, thread per call, poll + recvfrom/sendto (as the stock Janus SIP plugin)"
    [[ $mode == mmsg ]] && desc="kernel sockets, one thread, epoll + recvmmsg/sendmmsg batches of 32"
    meta "$label" "$desc" "-"
    rg_start_bg "$label" ip netns exec "$NSB" taskset -c "$DUT_CPU" "$RELAY" --mode "$mode" \
        --flows "$KERNEL_FLOWS" --base-port 30000 --ip 10.98.7.2 --sink-ip 10.98.7.1 --sink-port 29000
    local pid=$RG_LAST_PID rc=0 i
    for (( i = 0; i < 50; i++ )); do grep -q ready "$TMP/$label.log" 2>/dev/null && break; sleep 0.1; done
    local search=()
    # Smoke: one paced step, no overload (a kernel relay needs seconds to drain its sockets).
    (( SMOKE )) && search=(--ramp-from 10000)
    kgen "$label" "kernel-$mode" "$pid" --dst-base-port 30000 ${search[@]+"${search[@]}"} || rc=1
    rg_stop "$label"
    return $rc
}

rtpengine_run() {
    local label=rtpengine
    if ! command -v rtpengine >/dev/null; then
        log "rtpengine not installed: apt-get install -y --no-install-recommends rtpengine-daemon"
        timeout 180 env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends rtpengine-daemon \
            >"$TMP/apt-rtpengine.log" 2>&1 || true
    fi
    if ! command -v rtpengine >/dev/null; then
        echo "rtpengine: not installable here (see apt-get install rtpengine-daemon)" >>"$TMP/skipped.txt"
        return 0
    fi
    meta "$label" "rtpengine $(dpkg-query -W -f='${Version}' rtpengine-daemon 2>/dev/null) userspace (--table=-1), 1 media thread" "-"
    rg_start_bg "$label" ip netns exec "$NSB" taskset -c "$DUT_CPU" rtpengine --config-file=none --foreground \
        --table=-1 --interface=10.98.7.2 --listen-ng=127.0.0.1:22220 --port-min=40000 --port-max=49999 \
        --num-threads=1 --log-stderr --log-level=4 --pidfile="$TMP/rtpengine.pid"
    local pid=$RG_LAST_PID rc=0
    if ip netns exec "$NSB" python3 "$REPO/perf/gen/rtpengine_ng.py" --ng 127.0.0.1:22220 --flows "$KERNEL_FLOWS" \
            --peer 10.98.7.1:29000 --out "$TMP/rtpengine-ports.txt" 2>"$TMP/rtpengine-ng.log"; then
        # A ramp, not a binary search: after an overload rtpengine stops forwarding the streams
        # whose socket queue overflowed repeatedly, which would fail every later trial.
        kgen "$label" rtpengine "$pid" --targets "$TMP/rtpengine-ports.txt" --ramp-from 20000 --ramp-factor 1.2 \
            --steps 14 || rc=1
    else
        log "rtpengine: call set-up failed: $(tail -1 "$TMP/rtpengine-ng.log")"
        echo "rtpengine: call set-up through ng failed" >>"$TMP/skipped.txt"
        rc=1
    fi
    rg_stop "$label"
    return $rc
}

# ---------------------------------------------------------------------------
# The data plane over veth/af_packet: the generator and the data plane each on one end of a
# veth pair in the root namespace, both through net_af_packet (one queue pair, PACKET_MMAP
# rings of AFP_FRAMES frames). The kernel copies every packet twice per hop (the sender's TX
# ring into an skb, the skb into the receiver's RX ring) and runs the receive path in the
# sender's context: kernel-path figures, not framework-limited ones.
# ---------------------------------------------------------------------------

afpacket() { printf 'net_af_packet0,iface=%s,qpairs=1,framecnt=%s' "$1" "$AFP_FRAMES"; }

# veth_up: the pair AFG <-> AFD with the generator's and the data plane's MAC addresses (the
# data plane's configuration knows the generator's as a static neighbour). No address, no
# ARP and no IPv6 (no router solicitation or MLD report), no forwarding: the kernel puts no
# frame of its own on the link and sends the test traffic nowhere else.
veth_up() {
    ip link add "$AFG" type veth peer name "$AFD" || return 1
    AFPACKET_UP=1
    local dev mac
    for dev in "$AFG" "$AFD"; do
        mac=$GEN_MAC; [[ $dev == "$AFD" ]] && mac=$DUT_MAC
        sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1" "net.ipv4.conf.$dev.forwarding=0" \
            "net.ipv4.conf.$dev.rp_filter=1" >/dev/null || return 1
        ip link set dev "$dev" address "$mac" arp off mtu 1500 up || return 1
    done
}

veth_down() {
    (( AFPACKET_UP )) || return 0
    ip link del "$AFG" 2>/dev/null   # (removes its peer too)
    AFPACKET_UP=0
}

# wait_ready LABEL PID: until the data plane logged that it is ready, at most 60 s.
wait_ready() {
    local i
    for (( i = 0; i < 600; i++ )); do
        grep -q 'rtpgate-dataplane ready' "$TMP/$1.log" 2>/dev/null && return 0
        kill -0 "$2" 2>/dev/null || break
        sleep 0.1
    done
    log "$1: the data plane did not get ready: $(tail -1 "$TMP/$1.log" 2>/dev/null)"
    return 1
}

# rtpgate_afpacket: plain forwarding at 1,000 flows, one worker, the same search as the
# memif runs, pinned to the same CPUs.
rtpgate_afpacket() {
    local flows=1000 label=rtpgate-afpacket-1000 shm=/rtpgate-$ID-afpacket conf=$TMP/dp-afpacket.conf rc=0
    veth_up || { log "$label: veth pair $AFG/$AFD could not be set up"; veth_down; return 1; }
    "$PERF" --dp-config --shm "$shm" --flows "$flows" --gen-mac "$GEN_MAC" >"$conf"
    rg_start_bg "$label" "$DATAPLANE" -l "$DUT_CPU" --no-pci --no-huge -m 1024 --no-shconf --file-prefix "$ID-dp" \
        --vdev="$(afpacket "$AFD")" -- --config "$conf"
    meta "$label" "rtpgate-dataplane, 1 worker (poll), over veth/af_packet (kernel copies each packet twice)" no-huge
    local GEN_VDEV; GEN_VDEV=$(afpacket "$AFG")
    wait_ready "$label" "$RG_LAST_PID" && gen "$label" rtpgate-afpacket "$flows" --shm "$shm" || rc=1
    rg_stop "$label"
    veth_down
    return $rc
}

# ---------------------------------------------------------------------------

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
T0=$(date +%s)
log "$CPU_NOTE; load average $LOAD_BEFORE; work directory $TMP"
: >"$TMP/skipped.txt"
: >"$TMP/phases.txt"
failed=0

IFS=, read -r -a flows_list <<<"$FLOWS_LIST"
for flows in "${flows_list[@]}"; do
    mixes=(g711); (( flows == 1000 && ! SMOKE && ! ONLY_FEATURES )) && mixes+=("$MIX_AV")
    mem=1024; (( flows > 200000 )) && mem=2048
    phase "rtpgate-$flows" rtpgate_run "$flows" no-huge --no-huge -m "$mem" --no-shconf -- "${mixes[@]}" || failed=1
done
if (( RUN_HUGE )); then
    # 1,000,000 flows: ~460 MB of private tables + mbufs, on 2 MB pages (released afterwards).
    if hugepages_up 700; then
        phase "rtpgate-$LARGE_FLOWS" rtpgate_run "$LARGE_FLOWS" "2 MB pages" --in-memory --huge-dir "$RG_HUGE_DIR" -m 1400 -- g711 \
            || failed=1
        hugepages_down
    else
        echo "rtpgate at $LARGE_FLOWS flows: no hugepages" >>"$TMP/skipped.txt"
    fi
fi
if (( RUN_TESTPMD )) && command -v dpdk-testpmd >/dev/null; then
    modes=(5tswap macswap io); (( SMOKE )) && modes=(5tswap)
    for mode in "${modes[@]}"; do phase "testpmd-$mode" testpmd_run "$mode" || failed=1; done
else
    if (( RUN_TESTPMD )); then echo "testpmd: not run (needs dpdk-testpmd from dpdk-dev)" >>"$TMP/skipped.txt"; fi
fi
if (( RUN_KERNEL )); then
    netns_up
    phase kernel-stock relay_run stock || failed=1
    phase kernel-mmsg relay_run mmsg || failed=1
    (( RUN_RTPENGINE )) && { phase rtpengine rtpengine_run || failed=1; }
fi
(( RUN_AFPACKET )) && { phase afpacket rtpgate_afpacket || failed=1; }
features_run || failed=1
if (( ! SMOKE && RUN_LOOP )); then
    # The relay's own ceiling without a generator (closed loop on net_ring, one core) and
    # testpmd's on the same port: perf/run_loop_bench.sh, short.
    log "closed loop: perf/run_loop_bench.sh --seconds 5 --no-huge"
    loop_run() {
        BUILD_DIR=$BUILD_DIR "$REPO/perf/run_loop_bench.sh" --seconds 5 --no-huge --out "$TMP/loop.json" \
            >"$TMP/loop.md" 2>"$TMP/loop.log"
    }
    phase closed-loop loop_run || { log "closed loop failed: $(tail -1 "$TMP/loop.log")"; failed=1; }
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
log "runs done in $(( $(date +%s) - T0 )) s; load average $LOAD_AFTER"

python3 "$REPO/perf/gen/report.py" --results "$RESULTS" --meta "$META" --skipped "$TMP/skipped.txt" \
    --loop "$TMP/loop.json" --phases "$TMP/phases.txt" \
    --out-dir "$OUT_DIR" --stamp "$(date +%Y%m%d-%H%M%S)" --smoke "$SMOKE" \
    --info "cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)" --info "nproc=$(nproc)" \
    --info "kernel=$(uname -r)" --info "dpdk=$(pkg-config --modversion libdpdk 2>/dev/null || echo '?')" \
    --info "commit=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$( [[ -n "$(git -C "$REPO" status --porcelain 2>/dev/null)" ]] && echo ' (work tree modified)')" \
    --info "cpus=$CPU_NOTE" --info "load_before=$LOAD_BEFORE" --info "load_after=$LOAD_AFTER" \
    --info "trial_s=$TRIAL_S" --info "steps=$STEPS" --info "retries=$RETRIES" --info "loss_tolerance=$LOSS_TOL" \
    --info "latency_s=$LATENCY_S" --info "memif_ring=$(( 1 << MEMIF_RSIZE ))" \
    --info "afpacket=$( (( RUN_AFPACKET )) && afpacket '<veth>' || echo 'not run')" \
    --info "wall_s=$(( $(date +%s) - T0 ))" || failed=1
exit $failed
