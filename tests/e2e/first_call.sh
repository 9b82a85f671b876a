#!/usr/bin/env bash
# First real call end to end: Janus (root namespace) with a SIP plugin, an aiortc "browser"
# (tests/e2e/first_call.py) and sipp SIP peers in network namespace e2a: register against
# a digest-challenging registrar, call an RTP-echoing UAS, check the tone comes back,
# hang up, check the plugin's events. Builds and removes its own topology.
#
# usage: first_call.sh [--plugin stock|rtpgate] [--build DIR] [--plugin-so PATH] [--no-echo] [--keep]
#   stock    Debian's libjanus_sip.so; the SIP side is a plain veth:
#            root e2-dp0 10.77.5.1/24 <-> e2a/eth0 10.77.5.2/24 (Janus SIP + RTP on 10.77.5.1)
#   rtpgate  DIR/control/libjanus_rtpgate.so + rtpgate-dataplane on topo_up's topology
#            (prefix e2): the SIP-side address is the data plane's 10.77.1.1 on TAP e2-tap0,
#            SIP reaches Janus through the data plane's exception path; shm /rtpgate-e2e.
# The browser leg is e2-web 10.77.5.129/32 (scripts/lib/janus.sh). Root needed; exit 77
# (skip) without root, namespaces, janus, sipp or aiortc. --keep keeps the work directory.
# --no-echo is the negative control: sipp runs without -rtp_echo and the test passes only
# if no audio at all comes back (proves the tone of a normal run went through the SIP peer).
set -euo pipefail

src=${RTPGATE_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
build=${RTPGATE_BUILD:-$src/build}
plugin=stock
plugin_so=""
keep=${E2E_KEEP:-0}
no_echo=0
while (( $# )); do
    case "$1" in
        --plugin) plugin=$2; shift ;;
        --build) build=$(cd "$2" && pwd); shift ;;
        --plugin-so) plugin_so=$2; shift ;;
        --keep) keep=1 ;;
        --no-echo) no_echo=1 ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        *) echo "usage: $0 [--plugin stock|rtpgate] [--build DIR] [--plugin-so PATH] [--no-echo] [--keep]" >&2; exit 2 ;;
    esac
    shift
done

skip() { printf 'SKIP: %s\n' "$*"; exit 77; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
say() { printf '\n== %s\n' "$*"; }

PY=/usr/bin/python3   # Debian's python3-aiortc is importable only from here
(( EUID == 0 )) || skip "needs root (namespaces, veths)"
command -v ip >/dev/null 2>&1 || skip "iproute2 not installed"
command -v janus >/dev/null 2>&1 || skip "janus not installed (apt-get install janus)"
command -v sipp >/dev/null 2>&1 || skip "sipp not installed (apt-get install sip-tester)"
command -v curl >/dev/null 2>&1 || skip "curl not installed"
"$PY" -c 'import aiortc, numpy' 2>/dev/null || skip "python3-aiortc / python3-numpy not installed"
ip netns add e2probe$$ 2>/dev/null || skip "cannot create network namespaces"
ip netns del e2probe$$ 2>/dev/null || true

case "$plugin" in
    stock) plugin_so=${plugin_so:-/usr/lib/x86_64-linux-gnu/janus/plugins/libjanus_sip.so} ;;
    rtpgate) plugin_so=${plugin_so:-$build/control/libjanus_rtpgate.so} ;;
    *) fail "--plugin must be stock or rtpgate" ;;
esac
[[ -r "$plugin_so" ]] || { [[ "$plugin" == rtpgate ]] && skip "$plugin_so not built yet"; fail "$plugin_so not found"; }

# shellcheck source-path=SCRIPTDIR source=../../scripts/lib/topology.sh
source "$src/scripts/lib/topology.sh"
# shellcheck source-path=SCRIPTDIR source=../../scripts/lib/janus.sh
source "$src/scripts/lib/janus.sh"

readonly PREFIX=e2 NS=e2a SHM=/rtpgate-e2e FILE_PREFIX=rtpgate-e2e
work=$(mktemp -d /tmp/rtpgate-e2e.XXXXXX)
export RG_LOG_DIR=$work/logs
mkdir -p "$RG_LOG_DIR" "$work/sipp"
dp_started=0

_e2_on_exit() {
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
trap _e2_on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# _wait_exit NAME TIMEOUT_S: wait (bounded) for a recorded background process and set
# WAIT_RC to its exit status (124: still running). Not in a subshell: `wait` needs our child.
WAIT_RC=0
_wait_exit() {
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

# _stock_topo_up: root e2-dp0 10.77.5.1/24 <-> e2a/eth0 10.77.5.2/24 (plain kernel veth).
# Names follow topo_up's so that topo_down e2 (run by rg_cleanup) removes it.
_stock_topo_up() {
    topo_down "$PREFIX" >/dev/null 2>&1
    RG_TOPO_PREFIXES+=("$PREFIX")
    ip netns add "$NS"
    ip link add "${PREFIX}-dp0" type veth peer name eth0 netns "$NS"
    sysctl -qw "net.ipv6.conf.${PREFIX}-dp0.disable_ipv6=1" >/dev/null 2>&1 || true
    ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 >/dev/null 2>&1 || true
    ip addr add 10.77.5.1/24 dev "${PREFIX}-dp0"
    ip link set dev "${PREFIX}-dp0" up
    ip -n "$NS" link set dev lo up
    ip -n "$NS" addr add 10.77.5.2/24 dev eth0
    ip -n "$NS" link set dev eth0 up
    local i
    for (( i = 0; i < 30; i++ )); do
        ip netns exec "$NS" ping -c 1 -W 1 10.77.5.1 >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    fail "veth ${PREFIX}-dp0 <-> $NS/eth0 does not pass traffic"
}

# _rtpgate_topo_up: topo_up e2 + rtpgate-dataplane on net_af_packet (as scripts/demo.sh).
_rtpgate_topo_up() {
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
    core=$(( $(nproc) - 1 ))
    rm -f "/dev/shm/${SHM#/}"
    dp_started=1
    rg_start_bg dataplane taskset -c "$core" "$dp" -l "$core" --no-huge -m 256 --no-shconf --no-pci \
        --no-telemetry --file-prefix "$FILE_PREFIX" \
        --vdev="net_af_packet0,iface=$TOPO_DP0" --vdev="net_af_packet1,iface=$TOPO_DP1" -- --config "$work/dataplane.conf"
    "$ctl" --shm "$SHM" wait-ready --seconds 15 || fail "data plane not ready"
    local i
    for (( i = 0; i < 50; i++ )); do
        ip netns exec "$NS" ping -c 1 -W 1 "$TOPO_RELAY_A" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    fail "$NS cannot reach the data plane's $TOPO_RELAY_A (exception path)"
}

say "topology ($plugin plugin)"
if [[ "$plugin" == stock ]]; then
    _stock_topo_up
    sip_ip=10.77.5.2         # sipp, in namespace e2a
    janus_sip_ip=10.77.5.1   # Janus's SIP and RTP address on the root side of the veth
    jcfg=("local_ip = \"$janus_sip_ip\"" "local_media_ip = \"$janus_sip_ip\"" "sdp_ip = \"$janus_sip_ip\""
          'rtp_port_range = "42000-42999"')
else
    _rtpgate_topo_up
    sip_ip=$TOPO_A_IP        # 10.77.1.2 in e2a
    janus_sip_ip=$TOPO_RELAY_A   # the data plane's media address (TAP e2-tap0)
    # TODO(lead): adjust the keys once libjanus_rtpgate.so defines them (conf/janus.plugin.sip.jcfg).
    jcfg=("local_ip = \"$janus_sip_ip\"" "sdp_ip = \"$janus_sip_ip\"" 'rtp_port_range = "20000-20999"'
          "rtpgate_shm = \"$SHM\"")
fi
echo "SIP peers: $NS $sip_ip (registrar :5060, echo UAS :5070, RTP :6000); Janus SIP side: $janus_sip_ip"

say "Janus with $(basename "$plugin_so")"
janus_up "$work" "$plugin_so" "${jcfg[@]}" 'keepalive_interval = 0' 'behind_nat = false' \
    'register_ttl = 3600' 'user_agent = "rtpgate-e2e"' 'sip_timer_t1x64 = 32000'

say "sipp peers in $NS"
cd "$work/sipp"
sipp_common=(-nostdin -trace_err -trace_msg -trace_logs -timeout 120s -timeout_error)
rg_start_bg registrar ip netns exec "$NS" sipp -sf "$src/tests/sip/registrar_auth.xml" \
    -i "$sip_ip" -p 5060 -mp 6900 -m 1 -set password secret "${sipp_common[@]}"   # sipp always binds -mp
echo_args=(-rtp_echo)
py_args=()
if (( no_echo )); then
    echo_args=()
    py_args=(--expect-no-echo)
fi
rg_start_bg uas ip netns exec "$NS" sipp -sf "$src/tests/sip/uas_echo.xml" \
    -i "$sip_ip" -p 5070 -mi "$sip_ip" -mp 6000 ${echo_args[@]+"${echo_args[@]}"} -m 1 "${sipp_common[@]}"
for (( i = 0; i < 50; i++ )); do
    n=$(ip netns exec "$NS" ss -Hlun 2>/dev/null | grep -c -E ":(5060|5070|6000) " || true)
    (( n >= 3 )) && break
    sleep 0.1
done
ip netns exec "$NS" ss -Hlun | sed 's/^/  listening: /'
(( n >= 3 )) || fail "sipp did not open 5060, 5070 and 6000 in $NS"

say "the call (tests/e2e/first_call.py)"
rc=0
timeout 150 "$PY" "$src/tests/e2e/first_call.py" --janus "$JANUS_URL" --ice-ip "$JANUS_ICE_IP" \
    --username "sip:alice@$sip_ip" --secret secret --proxy "sip:$sip_ip:5060" \
    --callee "sip:echo@$sip_ip:5070" --json-out "$work/result.json" ${py_args[@]+"${py_args[@]}"} || rc=$?

say "SIP peers"
_wait_exit registrar 10
reg_rc=$WAIT_RC
_wait_exit uas 10
uas_rc=$WAIT_RC
echo "registrar (registrar_auth.xml) exit $reg_rc; echo UAS (uas_echo.xml) exit $uas_rc"
grep -h -E '^(REGISTER|INVITE|ACK|BYE|CANCEL|SIP/2.0) ' "$work"/sipp/*_messages.log 2>/dev/null \
    | awk '{ print "  " $0 }' | head -n 30 || true
cat "$work"/sipp/registrar_auth_*_logs.log 2>/dev/null | sed 's/^/  registrar: /' || true

if [[ "$plugin" == rtpgate ]]; then
    say "data-plane counters (rtpgatectl stats, non-zero)"
    "$build/tools/rtpgatectl/rtpgatectl" --shm "$SHM" stats 2>&1 | sed -n '/^total/,$p' | awk 'NR == 1 || $2 != 0' || true
    # Nothing may leak: after the hangup every flow slot is back (the plugin removes them).
    flows_left=""
    for _ in $(seq 1 20); do
        flows_left=$("$build/tools/rtpgatectl/rtpgatectl" --shm "$SHM" --json info | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["flows_allocated"])')
        [[ "$flows_left" == 0 ]] && break
        sleep 0.1
    done
    echo "flows allocated after the call: $flows_left"
    [[ "$flows_left" == 0 ]] || fail "$flows_left flow slots still allocated after the hangup"
fi

(( rc == 0 )) || fail "first_call.py failed (exit $rc)"
[[ "$reg_rc" == 0 ]] || fail "registrar sipp exit $reg_rc (digest check or unexpected message, see above)"
[[ "$uas_rc" == 0 ]] || fail "echo UAS sipp exit $uas_rc"
"$PY" - "$work/result.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
t, tm = r["tone"], r["timings_ms"]
if t is None:
    print(f"\nresult: no audio came back from the non-echoing peer, as expected; whole call {r['wall_s']} s")
    sys.exit(0)
print(f"\nresult: tone {t['peak_hz']} Hz ({100 * t['tone_ratio']:.1f}% of the energy, {t['rms_dbfs']} dBFS, "
      f"{t['frames']} frames at {t['rate_hz']} Hz, first echoed frame after {t['first_frame_ms']} ms); "
      f"register {tm['register']:.0f} ms, call->accepted {tm['call_to_accepted']:.0f} ms, "
      f"answer->DTLS {tm['answer_to_dtls']:.0f} ms, hangup {tm['hangup']:.0f} ms; answer {r['answer_audio']}; "
      f"whole call {r['wall_s']} s")
PY
echo "PASS: e2e first call ($plugin mode, $(basename "$plugin_so"))"
