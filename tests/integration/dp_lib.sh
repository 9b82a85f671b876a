# shellcheck shell=bash
# Common set-up for the data-plane integration tests. Source it from a test script
# (after `set -euo pipefail`); it sources lib.sh and scripts/lib/topology.sh.
#
#   it_setup NAME                 temp dir, unique shm name / file prefix, cleanup traps
#   it_need_binaries              fail unless the data plane, rtpgatectl and the peer are built
#   it_write_lab_conf FILE [K=V]  config for the two-port lab topology (after topo_up)
#   it_dp_start CONF EAL_ARGS...  start the data plane (pinned, --no-huge), wait until ready
#   it_dp_stop                    SIGTERM the data plane and wait for its exit
#   ctl ARGS...                   rtpgatectl --shm $IT_SHM ARGS...
#   it_add ARGS...                ctl add, prints the flow id (fails the test on error)
#   it_peer_bg NAME NS OUT ARGS...  rtp-peer in namespace NS in the background, JSON to OUT
#   it_wait_pid PID [TIMEOUT_S]   wait for a background process, return its exit status
#   it_py FILE EXPR               evaluate a python expression on the JSON in FILE (j)
#   it_flow_val ID FIELD / it_stat_val FIELD   fresh per-flow / total lcore counter
#   it_wait_flow ID FIELD VALUE [TIMEOUT_MS]   poll a per-flow field until it equals VALUE
#   it_check MSG                  print what is being checked

IT_SRC=${RTPGATE_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
IT_BUILD=${RTPGATE_BUILD:-$IT_SRC/build}
# shellcheck source=lib.sh
source "$IT_SRC/tests/integration/lib.sh"
# shellcheck source=../../scripts/lib/topology.sh
source "$IT_SRC/scripts/lib/topology.sh"

IT_DP_BIN=$IT_BUILD/dataplane/rtpgate-dataplane
IT_CTL_BIN=$IT_BUILD/tools/rtpgatectl/rtpgatectl
IT_PEER_BIN=$IT_BUILD/tests/tools/rtpgate-rtp-peer
IT_PY=/usr/bin/python3
[[ -x $IT_PY ]] || IT_PY=python3
IT_DP_CORE=$(( $(nproc) - 1 ))
IT_DP_PID=""
IT_T=""
IT_SHM=""
IT_FP=""

it_check() { printf '\n== check: %s\n' "$*"; }
it_note() { printf '   %s\n' "$*"; }

it_need_binaries() {
    local b
    for b in "$IT_DP_BIN" "$IT_CTL_BIN" "$IT_PEER_BIN"; do
        [[ -x "$b" ]] || it_fail "$b not built (ninja -C $IT_BUILD)"
    done
    command -v taskset >/dev/null 2>&1 || it_skip "taskset (util-linux) not installed"
}

# Extra cleanup after rg_cleanup: our shm region and EAL runtime dir, logs on failure.
_it_cleanup_extra() {
    local rc=$1 f
    if [[ -n "$IT_SHM" && -e "/dev/shm/${IT_SHM#/}" ]]; then
        printf '[it] removing leftover region /dev/shm/%s\n' "${IT_SHM#/}" >&2
        rm -f "/dev/shm/${IT_SHM#/}"
    fi
    if [[ -n "$IT_FP" ]]; then   # EAL runtime dir (root: /var/run/dpdk, others: XDG or /tmp)
        for f in "/var/run/dpdk/$IT_FP" "${XDG_RUNTIME_DIR:-/nonexistent}/dpdk/$IT_FP" "/tmp/dpdk/$IT_FP"; do
            [[ -d "$f" && -O "$f" ]] && rm -rf "$f"
        done
    fi
    if [[ -n "$IT_T" && -d "$IT_T" ]]; then
        if (( rc != 0 )); then
            for f in "$IT_T"/logs/*.log; do
                [[ -s "$f" ]] || continue
                printf -- '--- %s (last 30 lines) ---\n' "${f##*/}" >&2
                tail -n 30 "$f" >&2
            done
        fi
        if [[ -n "${IT_KEEP:-}" ]]; then
            printf '[it] kept %s\n' "$IT_T" >&2
        else
            rm -rf "$IT_T"
        fi
    fi
}

_it_on_exit() {
    local rc=$?
    set +e
    rg_cleanup
    _it_cleanup_extra "$rc"
    if (( rc == 0 )); then printf '\nPASS: %s\n' "${IT_NAME:-}"; fi
    exit "$rc"
}

_it_on_signal() {
    trap - INT TERM
    set +e
    rg_cleanup
    _it_cleanup_extra 1
    exit $(( 128 + $1 ))
}

# it_setup NAME: per-test names, temp dir and the cleanup traps (rg_cleanup_trap plus
# removal of our shm region / EAL runtime dir, which a SIGKILLed data plane leaves behind).
it_setup() {
    IT_NAME=$1
    IT_T=$(mktemp -d "/tmp/rgit-${IT_NAME}.XXXXXX")
    export RG_LOG_DIR=$IT_T/logs
    mkdir -p "$RG_LOG_DIR"
    IT_SHM="/rtpgate-it-${IT_NAME}-$$"
    IT_FP="rgit-${IT_NAME}-$$"
    rg_cleanup_trap
    trap 'printf "FAIL: %s: line %s: command failed: %s\n" "$IT_NAME" "$LINENO" "$BASH_COMMAND" >&2' ERR
    trap _it_on_exit EXIT
    trap '_it_on_signal 2' INT
    trap '_it_on_signal 15' TERM
}

ctl() { "$IT_CTL_BIN" --shm "$IT_SHM" "$@"; }

# it_write_lab_conf FILE [EXTRA LINE]...: config for the topo_up lab.
it_write_lab_conf() {
    local f=$1
    shift
    {
        echo "shm_name = $IT_SHM"
        echo "port = 0 addr=${TOPO_RELAY_A}/24"
        echo "port = 1 addr=${TOPO_RELAY_B}/24"
        echo "port_min = 20000"
        echo "port_max = 20999"
        echo "flow_capacity = 1024"
        echo "mbufs = 4095"
        echo "idle_mode = adaptive"
        echo "publish_interval_ms = 100"
        echo "neighbour = ${TOPO_A_IP} ${TOPO_A_MAC}"
        echo "neighbour = ${TOPO_B_IP} ${TOPO_B_MAC}"
        local l
        for l in "$@"; do echo "$l"; done
    } > "$f"
}

# it_dp_start CONF VDEV_ARGS...: start the data plane and wait (bounded) until it runs.
it_dp_start() {
    local conf=$1
    shift
    local telemetry=--no-telemetry
    [[ "${IT_DP_TELEMETRY:-0}" == 1 ]] && telemetry=""   # DPDK telemetry socket wanted
    rg_start_bg dataplane taskset -c "$IT_DP_CORE" "$IT_DP_BIN" -l "$IT_DP_CORE" --no-huge -m 256 \
        --no-shconf --no-pci ${telemetry:+"$telemetry"} --file-prefix "$IT_FP" "$@" -- --config "$conf"
    IT_DP_PID=$RG_LAST_PID
    if ! ctl wait-ready --seconds 15 >/dev/null; then
        it_fail "data plane did not become ready (see dataplane.log)"
    fi
    _rg_alive "$IT_DP_PID" || it_fail "data plane exited right after start"
    it_note "data plane pid $IT_DP_PID ready, region $IT_SHM"
}

# it_dp_stop: SIGTERM by PID, bounded wait; exit status in IT_DP_RC. Not in a subshell.
it_dp_stop() {
    local i rc
    [[ -n "$IT_DP_PID" ]] || return 0
    kill -TERM "$IT_DP_PID" 2>/dev/null || true
    for (( i = 0; i < 100; i++ )); do
        _rg_alive "$IT_DP_PID" || break
        sleep 0.1
    done
    _rg_alive "$IT_DP_PID" && it_fail "data plane ignored SIGTERM for 10 s"
    rc=0
    wait "$IT_DP_PID" 2>/dev/null || rc=$?
    rg_stop dataplane
    IT_DP_PID=""
    # shellcheck disable=SC2034  # read by the test scripts
    IT_DP_RC=$rc
}

# it_add FLOWOPTS...: install a flow, print its id.
it_add() {
    local out
    out=$(ctl add "$@" 2>&1) || it_fail "rtpgatectl add $* failed: $out"
    [[ "$out" =~ ^[0-9]+$ ]] || it_fail "rtpgatectl add printed '$out', expected a flow id"
    echo "$out"
}

# it_peer_bg NAME NS OUT ARGS...: rtpgate-rtp-peer ARGS in namespace NS, in the background,
# stdout (the JSON summary) to OUT, stderr to OUT.err. Sets RG_LAST_PID.
it_peer_bg() {
    local name=$1 ns=$2 out=$3
    shift 3
    # shellcheck disable=SC2016  # expanded by the inner sh
    rg_start_bg "$name" ip netns exec "$ns" sh -c 'out=$1; shift; exec "$@" >"$out" 2>"$out.err"' sh \
        "$out" "$IT_PEER_BIN" "$@"
}

# it_peer NS ARGS...: rtpgate-rtp-peer in the foreground (JSON on stdout); fails the test
# when it exits non-zero (use for senders).
it_peer() {
    local ns=$1 rc=0
    shift
    ip netns exec "$ns" "$IT_PEER_BIN" "$@" || rc=$?
    (( rc == 0 )) || it_fail "rtpgate-rtp-peer $* (in $ns) exited with status $rc"
}

# it_wait_file FILE [TIMEOUT_S=5]: wait for a file (ready files) to exist.
it_wait_file() {
    local f=$1 t=${2:-5} i
    for (( i = 0; i < t * 20; i++ )); do
        [[ -s "$f" ]] && return 0
        sleep 0.05
    done
    it_fail "timed out waiting for $f"
}

# it_wait_pid PID [TIMEOUT_S=15]: wait for our background child; returns its exit status.
it_wait_pid() {
    local pid=$1 t=${2:-15} i rc=0
    for (( i = 0; i < t * 20; i++ )); do
        _rg_alive "$pid" || break
        sleep 0.05
    done
    if _rg_alive "$pid"; then
        kill -TERM "$pid" 2>/dev/null || true
        it_fail "background process $pid still running after ${t}s"
    fi
    wait "$pid" 2>/dev/null || rc=$?
    return "$rc"
}

# it_py FILE EXPR: print a python expression over j = JSON of FILE's last non-empty line.
# flow(i) finds flow i in a flows list; True/False print as true/false.
it_py() {
    "$IT_PY" - "$1" "$2" <<'PY'
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
if not lines:
    sys.exit("it_py: %s is empty" % sys.argv[1])
j = json.loads(lines[-1])
def flow(i):
    for f in j:
        if f["id"] == int(i):
            return f
    sys.exit("it_py: no flow %s in %s" % (i, sys.argv[1]))
v = eval(sys.argv[2])
print(json.dumps(v) if isinstance(v, (dict, list, bool)) or v is None else v)
PY
}

# Fresh JSON snapshots.
it_flows_json() { ctl --json flows > "$1"; }
it_stats_json() { ctl --json stats > "$1"; }

# it_flow_val ID FIELD: current value of a flow's field (counter, state, to, ...).
it_flow_val() {
    local f="$IT_T/flows.$BASHPID.json"
    it_flows_json "$f"
    it_py "$f" "flow($1)[\"$2\"]"
}

# it_stat_val FIELD: total of an lcore counter.
it_stat_val() {
    local f="$IT_T/stats.$BASHPID.json"
    it_stats_json "$f"
    it_py "$f" "j[\"total\"][\"$1\"]"
}

# it_wait_flow ID FIELD VALUE [TIMEOUT_MS=3000]: poll until flow ID's FIELD == VALUE (counters
# are published every publish_interval_ms); prints the last value seen, never fails.
it_wait_flow() {
    local id=$1 field=$2 want=$3 tmo=${4:-3000} v="" i
    for (( i = 0; i <= tmo / 50; i++ )); do
        v=$(it_flow_val "$id" "$field") || v="?"
        [[ "$v" == "$want" ]] && break
        sleep 0.05
    done
    echo "$v"
}

# it_wait_stat FIELD VALUE [TIMEOUT_MS=3000]: same for an lcore total.
it_wait_stat() {
    local field=$1 want=$2 tmo=${3:-3000} v="" i
    for (( i = 0; i <= tmo / 50; i++ )); do
        v=$(it_stat_val "$field") || v="?"
        [[ "$v" == "$want" ]] && break
        sleep 0.05
    done
    echo "$v"
}

# it_expect_true PYVALUE MSG: fail unless the printed python value is "true".
it_expect_true() {
    [[ "$1" == "true" ]] || it_fail "$2"
    printf 'ok: %s\n' "$2"
}

# it_expect_drops_zero STATSFILE [EXCEPT...]: every drop_* total is 0 except those named.
it_expect_drops_zero() {
    local f=$1
    shift
    local bad
    bad=$("$IT_PY" - "$f" "$@" <<'PY'
import json, sys
j = json.loads([l for l in open(sys.argv[1]) if l.strip()][-1])
skip = set(sys.argv[2:])
print(" ".join("%s=%d" % (k, v) for k, v in j["total"].items()
               if k.startswith("drop_") and k not in skip and v != 0))
PY
)
    [[ -z "$bad" ]] || it_fail "unexpected drops: $bad"
    printf 'ok: no drop counter is non-zero%s\n' "${*:+ (not checked: $*)}"
}
