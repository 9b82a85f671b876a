#!/usr/bin/env bash
# Plugin accounts behind Debian's kamailio (issue 6): kamailio (tests/e2e/kamailio/
# kamailio.cfg: registrar + record-routing proxy, location in memory, no database) runs in
# the SIP peers' namespace of the e2e lab (tests/e2e/lab.sh, rtpgate topology); Janus with
# libjanus_rtpgate.so and rtpgate-dataplane; tests/e2e/kamailio_calls.py registers three
# accounts through it, makes alice call bob (both legs on the one data plane), sends a
# MESSAGE between them and has alice transfer bob to carol (blind).
#
# usage: kamailio_calls.sh [--build DIR] [--keep]
# Root needed; exit 77 (skip) without root, namespaces, janus, sipp, aiortc or kamailio.
# Waits (up to 120 s) while another e2e lab (namespace e2a) is up.
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
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "usage: $0 [--build DIR] [--keep]" >&2; exit 2 ;;
    esac
    shift
done

# shellcheck source-path=SCRIPTDIR source=lab.sh
source "$src/tests/e2e/lab.sh"
lab_preflight
command -v kamailio >/dev/null 2>&1 || skip "kamailio not installed (apt-get install kamailio)"
lab_resolve_plugin

lab_begin kamailio
say "topology (rtpgate plugin)"
lab_topology_up
echo "kamailio: $NS $sip_ip:5060; Janus SIP side: $janus_sip_ip"

say "kamailio"
mkdir -p "$work/kamailio"
kamailio -c -f "$src/tests/e2e/kamailio/kamailio.cfg" -l "udp:$sip_ip:5060" >/dev/null 2>&1 \
    || fail "kamailio.cfg does not pass kamailio -c"
rg_start_bg kamailio ip netns exec "$NS" kamailio -DD -E -f "$src/tests/e2e/kamailio/kamailio.cfg" \
    -l "udp:$sip_ip:5060" -Y "$work/kamailio" -w "$work/kamailio"
for (( i = 0; i < 50; i++ )); do
    [[ -n "$(ip netns exec "$NS" ss -Hlun "sport = :5060")" ]] && break
    sleep 0.1
done
[[ -n "$(ip netns exec "$NS" ss -Hlun "sport = :5060")" ]] || { tail -n 20 "$RG_LOG_DIR/kamailio.log"; fail "kamailio did not bind $sip_ip:5060"; }

say "Janus with $(basename "$plugin_so")"
lab_janus_up

say "calls through kamailio (tests/e2e/kamailio_calls.py)"
rc=0
timeout 150 "$PY" "$src/tests/e2e/kamailio_calls.py" --ns "$NS" --work "$work/baresip" --janus "$JANUS_URL" --ice-ip "$JANUS_ICE_IP" \
    --admin "$JANUS_ADMIN_URL" --admin-secret "$JANUS_ADMIN_SECRET" \
    --sip-ip "$sip_ip" --relay-ip "$janus_sip_ip" --port-min 20000 --port-max 20999 || rc=$?

say "kamailio saw (rtpgate-kam lines)"
grep -o 'rtpgate-kam: [A-Z]* ' "$RG_LOG_DIR/kamailio.log" | sort | uniq -c || true
say "data-plane counters (rtpgatectl stats, non-zero)"
lab_dataplane_stats
lab_flows_left || { echo "FAIL: flow slots still allocated after the last call"; rc=1; }
(( rc == 0 )) || { tail -n 30 "$RG_LOG_DIR/kamailio.log"; fail "kamailio calls: exit $rc"; }
echo "PASS: e2e calls, MESSAGE and blind transfer through kamailio"
