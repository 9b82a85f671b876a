#!/usr/bin/env bash
# A call through Janus + libjanus_rtpgate.so survives a crash of rtpgate-dataplane
# (tests/e2e/dp_restart_call.py): in the middle of an aiortc call to the echoing sipp UAS the
# data plane is SIGKILLed and a new one started; the plugin re-programs the call's flows and
# the tone comes back. Prints the media gap and what it cost. Root; one lab at a time.
# usage: dp_restart.sh [--build DIR] [--keep]
set -euo pipefail

src=${RTPGATE_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
build=${RTPGATE_BUILD:-$src/build}
plugin=rtpgate
plugin_so=""
keep=${E2E_KEEP:-0}
while (( $# )); do
    case "$1" in
        --build) build=$(cd "$2" && pwd); shift ;;
        --keep) keep=1 ;;
        -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
        *) echo "usage: $0 [--build DIR] [--keep]" >&2; exit 2 ;;
    esac
    shift
done

# shellcheck source-path=SCRIPTDIR source=lab.sh
source "$src/tests/e2e/lab.sh"
lab_preflight
lab_resolve_plugin
lab_begin dprestart
say "topology (rtpgate plugin)"
lab_topology_up
say "Janus with $(basename "$plugin_so")"
lab_janus_up
say "sipp peers in $NS"
cd "$work/sipp"
sipp_common=(-nostdin -trace_err -timeout 120s -timeout_error)
rg_start_bg registrar ip netns exec "$NS" sipp -sf "$src/tests/sip/registrar_auth.xml" \
    -i "$sip_ip" -p 5060 -mp 6900 -m 1 -set password secret "${sipp_common[@]}"
rg_start_bg uas ip netns exec "$NS" sipp -sf "$src/tests/sip/uas_echo.xml" \
    -i "$sip_ip" -p 5070 -mi "$sip_ip" -mp 6000 -rtp_echo -m 1 "${sipp_common[@]}"
sleep 0.5

say "the call, and a data-plane crash in the middle of it"
rc=0
timeout 150 "$PY" "$src/tests/e2e/dp_restart_call.py" --janus "$JANUS_URL" --ice-ip "$JANUS_ICE_IP" \
    --admin "$JANUS_ADMIN_URL" --admin-secret "$JANUS_ADMIN_SECRET" --username "sip:alice@$sip_ip" \
    --proxy "sip:$sip_ip:5060" --callee "sip:echo@$sip_ip:5070" --work "$work" &
client=$!
for (( i = 0; i < 600; i++ )); do
    [[ -s "$work/kill.req" ]] && break
    kill -0 "$client" 2>/dev/null || break
    sleep 0.05
done
if [[ -s "$work/kill.req" ]]; then
    lab_dp_kill
    echo "data plane killed (SIGKILL); starting a new one"
    lab_dp_start
    "$PY" -c 'import time; print(time.monotonic())' > "$work/dp.ready.tmp"
    mv "$work/dp.ready.tmp" "$work/dp.ready"
fi
wait "$client" || rc=$?
say "data-plane counters of the new data plane (non-zero)"
lab_dataplane_stats
lab_flows_left || fail "flow slots still allocated after the hangup"
(( rc == 0 )) || fail "dp_restart_call.py failed (exit $rc)"
echo "PASS: e2e call through a data-plane restart"
