# shellcheck shell=bash
# Shared set-up of the end-to-end tests (first_call.sh, sip_scenarios.sh): pre-flight
# checks, work directory and exit trap, the SIP-side topology of either plugin and a
# private Janus with that plugin. Source it after setting:
#   src build plugin(stock|rtpgate) plugin_so(optional) keep(0|1)
#
#   lab_preflight                 skip (exit 77) without root, namespaces, janus, sipp, aiortc
#   lab_resolve_plugin            plugin_so from --plugin (skip if rtpgate is not built)
#   lab_begin                     work dir ($work, $RG_LOG_DIR, $work/sipp) + exit trap
#   lab_topology_up               topology of $plugin; sets sip_ip, janus_sip_ip, lab_jcfg
#   lab_janus_up [JCFG_LINE...]   Janus with $plugin_so and lab_jcfg + the common keys
#   lab_wait_exit NAME TIMEOUT_S  wait for a recorded background process; WAIT_RC
#   lab_dp_kill / lab_dp_start    rtpgate: crash (SIGKILL) and (re)start the data plane
#   lab_flows_left                rtpgate: wait (2 s) for every flow slot to be released;
#                                 prints the count, fails if some are still allocated
#   lab_demo_site DIR             janus-demos served on 127.0.0.1 (DEMO_URL) with a settings.js
#                                 for this Janus (after lab_janus_up)
#
#   stock    Debian's libjanus_sip.so; the SIP side is a plain veth:
#            root e2-dp0 10.77.5.1/24 <-> e2a/eth0 10.77.5.2/24 (Janus SIP + RTP on 10.77.5.1)
#   rtpgate  $build/control/libjanus_rtpgate.so + rtpgate-dataplane on topo_up's topology
#            (prefix e2): the SIP-side address is the data plane's 10.77.1.1 on TAP e2-tap0,
#            SIP reaches Janus through the data plane's exception path; shm /rtpgate-e2e.
# The browser leg is e2-web 10.77.5.129/32 (scripts/lib/janus.sh). One lab at a time on a
# machine: namespace e2a, veths e2-*, 10.77.5.0/24, 10.77.1.0/24.

skip() { printf 'SKIP: %s\n' "$*"; exit 77; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
say() { printf '\n== %s\n' "$*"; }

PY=/usr/bin/python3   # Debian's python3-aiortc is importable only from here
readonly PREFIX=e2 NS=e2a SHM=/rtpgate-e2e FILE_PREFIX=rtpgate-e2e
dp_started=0
work=""
lab_jcfg=()

lab_preflight() {
    (( EUID == 0 )) || skip "needs root (namespaces, veths)"
    command -v ip >/dev/null 2>&1 || skip "iproute2 not installed"
    command -v janus >/dev/null 2>&1 || skip "janus not installed (apt-get install janus)"
    command -v sipp >/dev/null 2>&1 || skip "sipp not installed (apt-get install sip-tester)"
    command -v curl >/dev/null 2>&1 || skip "curl not installed"
    "$PY" -c 'import aiortc, numpy' 2>/dev/null || skip "python3-aiortc / python3-numpy not installed"
    ip netns add e2probe$$ 2>/dev/null || skip "cannot create network namespaces"
    ip netns del e2probe$$ 2>/dev/null || true
}

lab_resolve_plugin() {
    case "$plugin" in
        stock) plugin_so=${plugin_so:-/usr/lib/x86_64-linux-gnu/janus/plugins/libjanus_sip.so} ;;
        rtpgate) plugin_so=${plugin_so:-$build/control/libjanus_rtpgate.so} ;;
        *) fail "--plugin must be stock or rtpgate" ;;
    esac
    [[ -r "$plugin_so" ]] || { [[ "$plugin" == rtpgate ]] && skip "$plugin_so not built yet"; fail "$plugin_so not found"; }
}

# shellcheck source-path=SCRIPTDIR source=../../scripts/lib/topology.sh
source "$src/scripts/lib/topology.sh"
# shellcheck source-path=SCRIPTDIR source=../../scripts/lib/janus.sh
source "$src/scripts/lib/janus.sh"

_lab_on_exit() {
    local rc=$? f
    set +e
    rg_cleanup   # Janus + browser-leg interface (janus.sh), processes, namespaces e2a/e2b, hugepages
    if (( dp_started )); then
        rm -f "/dev/shm/${SHM#/}"
        rm -rf "/var/run/dpdk/$FILE_PREFIX"
    fi
    if (( rc != 0 )); then
        for f in "$RG_LOG_DIR"/dataplane.log "$work"/sipp/*errors.log "${JANUS_LOG:-/nonexistent}"; do
            [[ -s "$f" ]] || continue
            printf -- '--- %s (last 25 lines) ---\n' "${f#"$work"/}" >&2
            tail -n 25 "$f" >&2
        done
    fi
    if (( keep )) || [[ -n "${IT_KEEP:-}" ]]; then
        printf 'kept %s\n' "$work" >&2
    else
        rm -rf "$work"
    fi
    exit "$rc"
}

# lab_lock: one lab at a time on this machine (namespace e2a, veths e2-*): waits up to
# LAB_LOCK_WAIT_S (300) for the lab lock, released when this script exits.
lab_lock() {
    local lock=/run/lock/rtpgate-e2e-lab.lock
    exec {lab_lock_fd}>"$lock"
    if ! flock -n "$lab_lock_fd"; then
        echo "waiting for another e2e lab to finish ($lock)..."
        flock -w "${LAB_LOCK_WAIT_S:-300}" "$lab_lock_fd" || fail "another e2e lab is still up after ${LAB_LOCK_WAIT_S:-300} s"
    fi
}

# lab_begin [TAG=e2e]: the lab lock, work directory /tmp/rtpgate-TAG.XXXXXX and the exit trap.
lab_begin() {
    lab_lock
    work=$(mktemp -d "/tmp/rtpgate-${1:-e2e}.XXXXXX")
    export RG_LOG_DIR=$work/logs
    mkdir -p "$RG_LOG_DIR" "$work/sipp"
    trap _lab_on_exit EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# lab_wait_exit NAME TIMEOUT_S: wait (bounded) for a recorded background process and set
# WAIT_RC to its exit status (124: still running). Not in a subshell: `wait` needs our child.
WAIT_RC=0
lab_wait_exit() {
    local pid i
    WAIT_RC=255
    pid=$(rg_pid "$1") || return 0
    for (( i = 0; i < $2 * 10; i++ )); do
        _rg_alive "$pid" || break
        sleep 0.1
    done
    if _rg_alive "$pid"; then
        WAIT_RC=124
        return 0
    fi
    WAIT_RC=0
    wait "$pid" 2>/dev/null || WAIT_RC=$?
}

# _lab_stock_topo_up: root e2-dp0 10.77.5.1/24 <-> e2a/eth0 10.77.5.2/24 (plain kernel veth).
# Names follow topo_up's so that topo_down e2 (run by rg_cleanup) removes it.
_lab_stock_topo_up() {
    topo_plain_up "$PREFIX" "$NS" "${PREFIX}-dp0" 10.77.5.1/24 10.77.5.2/24 \
        || fail "veth ${PREFIX}-dp0 <-> $NS/eth0 does not pass traffic"
}

# _lab_rtpgate_topo_up: topo_up e2 + rtpgate-dataplane on net_af_packet (as scripts/demo.sh).
_lab_rtpgate_topo_up() {
    local dp=$build/dataplane/rtpgate-dataplane ctl=$build/tools/rtpgatectl/rtpgatectl core
    [[ -x "$dp" && -x "$ctl" ]] || fail "build the data plane first ($dp, $ctl)"
    command -v taskset >/dev/null 2>&1 || skip "taskset not installed"
    TOPO_DYNAMIC=1 topo_up "$PREFIX"   # peers resolve 10.77.1.1 by ARP against the data plane
    cat > "$work/dataplane.conf" <<CONF
shm_name = $SHM
port = 0 addr=$TOPO_RELAY_A/24 tap=${PREFIX}-tap0
port = 1 addr=$TOPO_RELAY_B/24 tap=${PREFIX}-tap1
port_min = 20000
port_max = 20999
flow_capacity = 4096
mbufs = 4095
idle_mode = adaptive
publish_interval_ms = 100
sip_ports = 5060
CONF
    rm -f "/dev/shm/${SHM#/}"
    lab_dp_start
}

# lab_dp_start: rtpgate-dataplane on the rtpgate topology (config $work/dataplane.conf),
# pinned to the last core, until it is ready and SIP peers reach it (exception path).
# Also after lab_dp_kill: the region and TAPs are created anew. LAB_DP_TELEMETRY=1: with the
# DPDK telemetry socket (/var/run/dpdk/$FILE_PREFIX/dpdk_telemetry.v2).
lab_dp_start() {
    local dp=$build/dataplane/rtpgate-dataplane ctl=$build/tools/rtpgatectl/rtpgatectl core i telemetry=--no-telemetry
    core=$(( $(nproc) - 1 ))
    dp_started=1
    [[ ${LAB_DP_TELEMETRY:-0} == 1 ]] && telemetry=""
    rg_start_bg dataplane taskset -c "$core" "$dp" -l "$core" --no-huge -m 256 --no-shconf --no-pci \
        ${telemetry:+"$telemetry"} --file-prefix "$FILE_PREFIX" \
        --vdev="net_af_packet0,iface=$TOPO_DP0" --vdev="net_af_packet1,iface=$TOPO_DP1" -- --config "$work/dataplane.conf"
    "$ctl" --shm "$SHM" wait-ready --seconds 15 || fail "data plane not ready"
    for (( i = 0; i < 50; i++ )); do
        ip netns exec "$NS" ping -c 1 -W 1 "$TOPO_RELAY_A" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    fail "$NS cannot reach the data plane's $TOPO_RELAY_A (exception path)"
}

# lab_dp_kill: SIGKILL the data plane (a crash: its region stays behind, its TAPs go).
lab_dp_kill() {
    local pid
    pid=$(rg_pid dataplane) || fail "no data plane to kill"
    kill -KILL "$pid"
    wait "$pid" 2>/dev/null || true
    rg_stop dataplane
}

lab_topology_up() {
    if [[ "$plugin" == stock ]]; then
        _lab_stock_topo_up
        sip_ip=10.77.5.2         # sipp, in namespace e2a
        janus_sip_ip=10.77.5.1   # Janus's SIP and RTP address on the root side of the veth
        lab_jcfg=("local_ip = \"$janus_sip_ip\"" "local_media_ip = \"$janus_sip_ip\"" "sdp_ip = \"$janus_sip_ip\""
                  'rtp_port_range = "42000-42999"')
    else
        _lab_rtpgate_topo_up
        sip_ip=$TOPO_A_IP        # 10.77.1.2 in e2a
        janus_sip_ip=$TOPO_RELAY_A   # the data plane's media address (TAP e2-tap0)
        lab_jcfg=("local_ip = \"$janus_sip_ip\"" "sdp_ip = \"$janus_sip_ip\"" 'rtp_port_range = "20000-20999"'
                  "rtpgate_shm = \"$SHM\"")
    fi
}

lab_janus_up() {
    janus_up "$work" "$plugin_so" "${lab_jcfg[@]}" 'keepalive_interval = 0' 'behind_nat = false' \
        'register_ttl = 3600' 'user_agent = "rtpgate-e2e"' 'sip_timer_t1x64 = 32000' "$@"
}

# lab_demo_site DIR: Debian's janus-demos as a site in DIR (entries linked with symlinks
# resolved, so the package's relative links to /usr/share/javascript work) whose settings.js
# points at $JANUS_URL and defines the token/apisecret that the shipped one has only in
# comments (siptest.js reads them: ReferenceError on Start otherwise); served by python3's
# http.server on 127.0.0.1 (recorded, stopped by the exit trap). Sets DEMO_URL.
DEMO_URL=""
lab_demo_site() {
    local dir=$1 entry port
    mkdir -p "$dir"
    for entry in /usr/share/janus/demos/*; do
        [[ "$(basename "$entry")" == settings.js ]] || ln -s "$(readlink -f "$entry")" "$dir/"
    done
    cat > "$dir/settings.js" <<JS
// Generated by tests/e2e/lab.sh: the demos talk to the lab's Janus.
var server = "$JANUS_URL";
var iceServers = null;
var token = null;
var apisecret = null;
JS
    port=$(_janus_pick_port 18400) || fail "no free port for the demo site"
    rg_start_bg demo-site "$PY" -m http.server --bind 127.0.0.1 --directory "$dir" "$port"
    DEMO_URL="http://127.0.0.1:$port"
    for _ in $(seq 1 50); do
        curl -fs -o /dev/null "$DEMO_URL/siptest.html" && return 0
        sleep 0.1
    done
    fail "the demo site did not come up on $DEMO_URL"
}

lab_flows_left() {
    local ctl=$build/tools/rtpgatectl/rtpgatectl left=""
    for _ in $(seq 1 20); do
        left=$("$ctl" --shm "$SHM" --json info | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["flows_allocated"])')
        [[ "$left" == 0 ]] && break
        sleep 0.1
    done
    echo "flows allocated after the calls: $left"
    [[ "$left" == 0 ]]
}

lab_dataplane_stats() {
    "$build/tools/rtpgatectl/rtpgatectl" --shm "$SHM" stats 2>&1 | sed -n '/^total/,$p' | awk 'NR == 1 || $2 != 0' || true
}
