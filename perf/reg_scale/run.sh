#!/usr/bin/env bash
# Registration scale benchmark (issue 4): our plugin at 1,000 and 10,000 accounts, then Janus's
# stock libjanus_sip.so at 1,000, 2,000, 5,000, 10,000 until it breaks down (failure rate > 1%,
# timeout, thread creation failure, crash). Each run is a fresh rtpgate-reg-scale process with a
# fresh sipp registrar (perf/reg_scale/registrar.xml) on 127.0.0.1. Prints a Markdown table and
# writes perf/results/reg_scale-<date>.json. See perf/README.md "Registration scale".
#
#   perf/reg_scale/run.sh [--ours "1000 10000"] [--stock "1000 2000 5000 10000"] [--cap S]
#                         [--port P] [--nofile N] [--build DIR] [--out FILE] [--no-ours] [--no-stock]
#
# --cap: registration phase cap per run in seconds (default 120). No root needed; raising
# RLIMIT_NOFILE above the hard limit needs CAP_SYS_RESOURCE (the effective limit is reported).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$REPO/perf/reg_scale
BUILD_DIR=${BUILD_DIR:-$REPO/build}
OURS_COUNTS="1000 10000"
STOCK_COUNTS="1000 2000 5000 10000"
CAP_S=120
PORT=""
NOFILE=200000
OUT=""
STOCK_PLUGIN=/usr/lib/x86_64-linux-gnu/janus/plugins/libjanus_sip.so
JANUS_CORE=/usr/bin/janus

while (( $# )); do
    case $1 in
        --ours) OURS_COUNTS=$2; shift ;;
        --stock) STOCK_COUNTS=$2; shift ;;
        --no-ours) OURS_COUNTS="" ;;
        --no-stock) STOCK_COUNTS="" ;;
        --cap) CAP_S=$2; shift ;;
        --port) PORT=$2; shift ;;
        --nofile) NOFILE=$2; shift ;;
        --build) BUILD_DIR=$2; shift ;;
        --out) OUT=$2; shift ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "reg_scale/run.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done

log() { printf '[reg_scale] %s\n' "$*" >&2; }

[[ $CAP_S =~ ^[1-9][0-9]*$ ]] || { log "--cap takes whole seconds"; exit 2; }
for n in $OURS_COUNTS $STOCK_COUNTS; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || { log "account counts are positive integers, not '$n'"; exit 2; }
done

for tool in sipp ss python3 timeout; do
    command -v "$tool" >/dev/null || { log "needs $tool"; exit 1; }
done
ninja -C "$BUILD_DIR" perf/reg_scale/rtpgate-reg-scale control/libjanus_rtpgate.so >/dev/null
BENCH=$BUILD_DIR/perf/reg_scale/rtpgate-reg-scale
OUR_PLUGIN=$BUILD_DIR/control/libjanus_rtpgate.so
[[ -x "$BENCH" && -f "$OUR_PLUGIN" ]] || { log "missing $BENCH or $OUR_PLUGIN"; exit 1; }
if [[ -n "$STOCK_COUNTS" && ! ( -f "$STOCK_PLUGIN" && -x "$JANUS_CORE" ) ]]; then
    log "stock plugin or $JANUS_CORE missing: stock runs skipped"
    STOCK_COUNTS=""
fi

# One socket per account (two for the stock plugin, plus its per-thread descriptors).
ulimit -n "$NOFILE" 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
log "RLIMIT_NOFILE: $(ulimit -Sn) (hard $(ulimit -Hn); asked for $NOFILE)"

port_free() { [[ -z "$(ss -Hlun "sport = :$1" 2>/dev/null)" ]]; }
if [[ -z "$PORT" ]]; then
    # Below the ephemeral range (the plugins' stacks bind ephemeral ports on 127.0.0.1).
    for p in $(seq 25060 25160); do port_free "$p" && { PORT=$p; break; }; done
    [[ -n "$PORT" ]] || { log "no free UDP port in 25060-25160"; exit 1; }
fi
port_free "$PORT" || { log "UDP port $PORT is in use"; exit 1; }

TMP=$(mktemp -d /tmp/rtpgate-reg-scale.XXXXXX)
SIPP_PID=""
BENCH_PID=""
stop_sipp() {
    if [[ -n "$SIPP_PID" ]] && kill -0 "$SIPP_PID" 2>/dev/null; then
        kill "$SIPP_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$SIPP_PID" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$SIPP_PID" 2>/dev/null || true
        wait "$SIPP_PID" 2>/dev/null || true
    fi
    SIPP_PID=""
}
cleanup() {
    # timeout(1) passes the TERM on to the benchmark.
    if [[ -n "$BENCH_PID" ]]; then kill "$BENCH_PID" 2>/dev/null || true; fi
    stop_sipp
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_sipp NAME: a fresh registrar for one run; its global -timeout bounds it on its own too.
start_sipp() {
    sipp -sf "$HERE/registrar.xml" -i 127.0.0.1 -p "$PORT" -set pw secret -nostdin \
        -buff_size 4194304 -timeout "$(( CAP_S * 2 + 300 ))s" >"$TMP/$1.sipp.log" 2>&1 &
    SIPP_PID=$!
    for _ in $(seq 50); do
        port_free "$PORT" || return 0
        kill -0 "$SIPP_PID" 2>/dev/null || break
        sleep 0.1
    done
    log "sipp did not start:"; tail -5 "$TMP/$1.sipp.log" >&2
    return 1
}

# attempt NAME PLUGIN N [bench args...]: one run with its own registrar; appends the run's JSON
# line (plus sipp's CPU time and the load average) to $TMP/attempts.jsonl.
attempt() {
    local name=$1 plugin=$2 n=$3; shift 3
    start_sipp "$name" || return 1
    local load_before; load_before=$(cut -d' ' -f1-3 /proc/loadavg)
    log "$name: $n accounts ($(basename "$plugin")), load average $load_before"
    local rc=0
    # The bench's own caps and watchdog end it; timeout -k is the last resort.
    timeout -k 10 "$(( CAP_S + 60 + 30 + 30 + 300 ))" "$BENCH" --plugin "$plugin" --accounts "$n" \
        --registrar "127.0.0.1:$PORT" --timeout-s "$CAP_S" --stall-s 5 --label "$name" "$@" \
        >"$TMP/$name.json" 2>"$TMP/$name.log" &
    BENCH_PID=$!
    wait "$BENCH_PID" || rc=$?
    BENCH_PID=""
    local ticks hz; hz=$(getconf CLK_TCK)
    ticks=$(awk '{ print $14 + $15 }' "/proc/$SIPP_PID/stat" 2>/dev/null || echo -1)
    stop_sipp
    python3 "$HERE/summarize.py" --merge "$TMP/$name.json" "$name" "$rc" "$ticks" "$hz" \
        "$load_before" "$TMP/$name.log" >>"$TMP/attempts.jsonl"
    grep -v '^\[reg-scale\]' "$TMP/$name.log" | sort | uniq -c | sort -rn | head -5 >&2 || true
}

# run_one NAME PLUGIN N [bench args...]: up to 8 attempts while the plugin answers nothing at all
# (a plugin that never started its SIP loop, see perf/README.md); the last one goes to
# $TMP/runs.jsonl with "attempts". Returns 0 when the run was ok (no breakdown).
run_one() {
    local name=$1 try
    for try in 1 2 3 4 5 6 7 8; do
        attempt "$@" || return 1
        if [[ $(tail -1 "$TMP/attempts.jsonl" | python3 -c \
                'import json,sys; print(json.load(sys.stdin).get("register", {}).get("stalled", False))') \
              != True || $try == 8 ]]; then
            break
        fi
        log "$name: attempt $try stalled (no event at all from the plugin), trying again"
    done
    tail -1 "$TMP/attempts.jsonl" | python3 -c \
        'import json,sys; d=json.load(sys.stdin); d["attempts"]='"$try"'; print(json.dumps(d))' \
        >>"$TMP/runs.jsonl"
    [[ -z $(tail -1 "$TMP/runs.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["breakdown"])') ]]
}

{
    echo "## rtpgate registration scale, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo
    echo "- CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) CPUs, $(free -g | awk '/^Mem:/ { print $2 }') GiB;" \
         "kernel $(uname -r); Sofia-SIP $(pkg-config --modversion sofia-sip-ua 2>/dev/null || echo '?'); $(sipp -v 2>/dev/null | grep -o 'SIPp v[^ -]*' | head -1)"
    echo "- commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$( [[ -n "$(git -C "$REPO" status --porcelain 2>/dev/null)" ]] && echo ' (work tree modified)');" \
         "RLIMIT_NOFILE $(ulimit -Sn); registration cap ${CAP_S} s per run; sipp registrar on 127.0.0.1:$PORT (401 then 200)"
    echo
} | tee "$TMP/header.md"

: >"$TMP/runs.jsonl"
: >"$TMP/attempts.jsonl"
for n in $OURS_COUNTS; do
    run_one "rtpgate-$n" "$OUR_PLUGIN" "$n" || log "rtpgate-$n: not ok (see the table)"
done
for n in $STOCK_COUNTS; do
    if ! run_one "stock-$n" "$STOCK_PLUGIN" "$n" --janus-core "$JANUS_CORE"; then
        log "stock-$n: breakdown, larger counts skipped"
        break
    fi
done

mkdir -p "$REPO/perf/results"
OUT=${OUT:-$REPO/perf/results/reg_scale-$(date +%Y%m%d-%H%M%S).json}
python3 "$HERE/summarize.py" --report "$TMP/runs.jsonl" "$TMP/header.md" "$OUT" "$TMP/attempts.jsonl"
log "results: $OUT"
