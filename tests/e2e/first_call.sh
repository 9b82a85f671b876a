#!/usr/bin/env bash
# First real call end to end: Janus (root namespace) with a SIP plugin, an aiortc "browser"
# (tests/e2e/first_call.py) and sipp SIP peers in network namespace e2a: register against
# a digest-challenging registrar, call an RTP-echoing UAS, check the tone comes back,
# hang up, check the plugin's events. Builds and removes its own topology.
#
# usage: first_call.sh [--plugin stock|rtpgate] [--build DIR] [--plugin-so PATH] [--no-echo]
#                      [--client aiortc|browser] [--record] [--keep]
#   stock    Debian's libjanus_sip.so; the SIP side is a plain veth:
#            root e2-dp0 10.77.5.1/24 <-> e2a/eth0 10.77.5.2/24 (Janus SIP + RTP on 10.77.5.1)
#   rtpgate  DIR/control/libjanus_rtpgate.so + rtpgate-dataplane on topo_up's topology
#            (prefix e2): the SIP-side address is the data plane's 10.77.1.1 on TAP e2-tap0,
#            SIP reaches Janus through the data plane's exception path; shm /rtpgate-e2e.
# The browser leg is e2-web 10.77.5.129/32 (scripts/lib/janus.sh). Root needed; exit 77
# (skip) without root, namespaces, janus, sipp or aiortc. --keep keeps the work directory.
# --no-echo is the negative control: sipp runs without -rtp_echo and the test passes only
# if no audio at all comes back (proves the tone of a normal run went through the SIP peer).
# --record (aiortc client): the call is recorded while the tone plays (both audio directions,
# written by the data plane for rtpgate), janus-pp-rec converts the .mjr files and the tone is
# looked for in the WAVs. With rtpgate the call's packets per direction are read from the
# Admin API before the hangup.
# --client browser: instead of the aiortc client, Debian's chromium (headless, fake media
# devices playing a 1 kHz tone) runs Janus's own SIP demo page (janus-demos siptest.html,
# served with a settings.js that points at this Janus) and makes the same call through its
# buttons, then holds, resumes and updates it with an ICE restart (the UAS is
# reinv_uas_answer.xml, which answers re-INVITEs) (tests/e2e/browser_call.py); screenshots go to $RTPGATE_ARTIFACTS (default
# $build/e2e-artifacts/browser-<plugin>).
set -euo pipefail

src=${RTPGATE_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
build=${RTPGATE_BUILD:-$src/build}
plugin=stock
plugin_so=""
keep=${E2E_KEEP:-0}
no_echo=0
client=aiortc
record=0
while (( $# )); do
    case "$1" in
        --plugin) plugin=$2; shift ;;
        --build) build=$(cd "$2" && pwd); shift ;;
        --plugin-so) plugin_so=$2; shift ;;
        --keep) keep=1 ;;
        --no-echo) no_echo=1 ;;
        --client) client=$2; shift ;;
        --record) record=1 ;;
        -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
        *) echo "usage: $0 [--plugin stock|rtpgate] [--build DIR] [--plugin-so PATH] [--no-echo] [--client aiortc|browser] [--record] [--keep]" >&2; exit 2 ;;
    esac
    shift
done

# shellcheck source-path=SCRIPTDIR source=lab.sh
source "$src/tests/e2e/lab.sh"
lab_preflight
lab_resolve_plugin
if [[ "$client" == browser ]]; then
    (( no_echo == 0 )) || fail "--no-echo is for the aiortc client"
    command -v chromium >/dev/null 2>&1 || skip "chromium not installed (apt-get install chromium)"
    [[ -r /usr/share/janus/demos/siptest.html ]] || skip "janus-demos not installed"
    "$PY" -c 'import websockets' 2>/dev/null || skip "python3-websockets not installed"
elif [[ "$client" != aiortc ]]; then
    fail "--client must be aiortc or browser"
fi
lab_begin e2e

say "topology ($plugin plugin)"
lab_topology_up
echo "SIP peers: $NS $sip_ip (registrar :5060, echo UAS :5070, RTP :6000); Janus SIP side: $janus_sip_ip"

say "Janus with $(basename "$plugin_so")"
lab_janus_up

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
# The browser also holds, resumes and updates (ICE restart): its UAS answers re-INVITEs too.
uas_xml=uas_echo.xml
[[ "$client" == browser ]] && uas_xml=reinv_uas_answer.xml
rg_start_bg uas ip netns exec "$NS" sipp -sf "$src/tests/sip/$uas_xml" \
    -i "$sip_ip" -p 5070 -mi "$sip_ip" -mp 6000 ${echo_args[@]+"${echo_args[@]}"} -m 1 "${sipp_common[@]}"
for (( i = 0; i < 50; i++ )); do
    n=$(ip netns exec "$NS" ss -Hlun 2>/dev/null | grep -c -E ":(5060|5070|6000) " || true)
    (( n >= 3 )) && break
    sleep 0.1
done
ip netns exec "$NS" ss -Hlun | sed 's/^/  listening: /'
(( n >= 3 )) || fail "sipp did not open 5060, 5070 and 6000 in $NS"

rc=0
if [[ "$client" == browser ]]; then
    say "the call from chromium running siptest.html (tests/e2e/browser_call.py)"
    artifacts=${RTPGATE_ARTIFACTS:-$build/e2e-artifacts/browser-$plugin}
    lab_demo_site "$work/demos"
    timeout 150 "$PY" "$src/tests/e2e/browser_call.py" --page-url "$DEMO_URL/siptest.html" \
        --username "sip:alice@$sip_ip" --secret secret --proxy "sip:$sip_ip:5060" \
        --callee "sip:echo@$sip_ip:5070" --out-dir "$work/browser" || rc=$?
    mkdir -p "$artifacts"
    cp -f "$work"/browser/*.png "$work/browser/result.json" "$work/browser/console.log" "$artifacts/" 2>/dev/null || true
    echo "artifacts (screenshots, page console, result): $artifacts"
else
    say "the call (tests/e2e/first_call.py)"
    if (( record )); then
        mkdir -p "$work/rec"
        py_args+=(--record "$work/rec")
    fi
    [[ "$plugin" == rtpgate ]] && py_args+=(--admin "$JANUS_ADMIN_URL" --admin-secret "$JANUS_ADMIN_SECRET")
    timeout 150 "$PY" "$src/tests/e2e/first_call.py" --janus "$JANUS_URL" --ice-ip "$JANUS_ICE_IP" \
        --username "sip:alice@$sip_ip" --secret secret --proxy "sip:$sip_ip:5060" \
        --callee "sip:echo@$sip_ip:5070" --json-out "$work/result.json" ${py_args[@]+"${py_args[@]}"} || rc=$?
fi

say "SIP peers"
lab_wait_exit registrar 10
reg_rc=$WAIT_RC
lab_wait_exit uas 10
uas_rc=$WAIT_RC
echo "registrar (registrar_auth.xml) exit $reg_rc; echo UAS ($uas_xml) exit $uas_rc"
grep -h -E '^(REGISTER|INVITE|ACK|BYE|CANCEL|SIP/2.0) ' "$work"/sipp/*_messages.log 2>/dev/null \
    | awk '{ print "  " $0 }' | head -n 30 || true
cat "$work"/sipp/registrar_auth_*_logs.log 2>/dev/null | sed 's/^/  registrar: /' || true

if [[ "$plugin" == rtpgate ]]; then
    say "data-plane counters (rtpgatectl stats, non-zero)"
    lab_dataplane_stats
    # Nothing may leak: after the hangup every flow slot is back (the plugin removes them).
    lab_flows_left || fail "flow slots still allocated after the hangup"
fi

(( rc == 0 )) || fail "the $client client failed (exit $rc)"
[[ "$reg_rc" == 0 ]] || fail "registrar sipp exit $reg_rc (digest check or unexpected message, see above)"
[[ "$uas_rc" == 0 ]] || fail "echo UAS sipp exit $uas_rc"
[[ "$client" == browser ]] || "$PY" - "$work/result.json" <<'PY'
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
if r.get("packets"):
    p = r["packets"]
    print(f"packets: browser -> SIP peer {p['browser_to_peer']}, SIP peer -> browser {p['peer_to_browser']} "
          f"(relay {p['relay']})")
for k, v in (r.get("recording") or {}).items():
    print(f"recording {k}: {v['frames']} frames {v['codec']}, {v['bytes']} bytes -> janus-pp-rec WAV "
          f"{v['seconds']:.2f} s, peak {v['peak_hz']} Hz ({100 * v['tone_ratio']:.0f}% of the energy)")
PY
echo "PASS: e2e first call ($plugin mode, $(basename "$plugin_so"), $client client)"
