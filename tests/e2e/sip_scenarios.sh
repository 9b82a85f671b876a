#!/usr/bin/env bash
# SIP scenario suite of plugin part 1 (tests/e2e/sip_scenarios.py): register failures, rejected,
# early-media, peer-BYE and cancelled outgoing calls, incoming calls with and without SDP,
# decline, caller CANCEL, busy/missed_call and helper routing; exact plugin events, SIP
# outcome at sipp, and the 1 kHz tone where media flows. One Janus run per plugin, on the
# lab of tests/e2e/lab.sh (the same as first_call.sh).
#
# usage: sip_scenarios.sh [--plugin both|stock|rtpgate] [--build DIR] [--only 1,6,7] [--keep]
#   both     (default) stock first, then rtpgate, each in its own lab; prints the comparison
#            table; the exit status is rtpgate's (stock deviations are reported, not failures)
#   stock    the reference run: fails on any stock failure that is not a known stock bug
#   rtpgate  our plugin only
# Root needed; exit 77 (skip) without root, namespaces, janus, sipp or aiortc. Waits (up to
# 120 s) while another e2e lab (namespace e2a) is up.
set -euo pipefail

src=${RTPGATE_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
build=${RTPGATE_BUILD:-$src/build}
plugin=both
plugin_so=""
keep=${E2E_KEEP:-0}
only=""
json_out=""
suite=part1
while (( $# )); do
    case "$1" in
        --plugin) plugin=$2; shift ;;
        --build) build=$(cd "$2" && pwd); shift ;;
        --only) only=$2; shift ;;
        --keep) keep=1 ;;
        --json-out) json_out=$2; shift ;;
        --suite) suite=$2; shift ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) echo "usage: $0 [--plugin both|stock|rtpgate] [--build DIR] [--only LIST] [--keep]" >&2; exit 2 ;;
    esac
    shift
done

if [[ "$plugin" == both ]]; then
    tmp=$(mktemp -d /tmp/rtpgate-sipscn.XXXXXX)
    trap 'rm -rf "$tmp"' EXIT
    pass=(--build "$build")
    [[ -n "$only" ]] && pass+=(--only "$only")
    pass+=(--suite "$suite")
    (( keep )) && pass+=(--keep)
    stock_rc=0
    rtpgate_rc=0
    bash "$0" --plugin stock "${pass[@]}" --json-out "$tmp/stock.json" || stock_rc=$?
    bash "$0" --plugin rtpgate "${pass[@]}" --json-out "$tmp/rtpgate.json" || rtpgate_rc=$?
    (( stock_rc == 77 && rtpgate_rc == 77 )) && exit 77
    printf '\n== comparison (stock exit %s, rtpgate exit %s)\n' "$stock_rc" "$rtpgate_rc"
    /usr/bin/python3 "$src/tests/e2e/sip_scenarios.py" --table "$tmp/stock.json" "$tmp/rtpgate.json" || true
    (( rtpgate_rc == 0 )) || { echo "FAIL: rtpgate SIP scenarios (exit $rtpgate_rc)"; exit "$rtpgate_rc"; }
    # The stock run checks the expectations themselves (known stock bugs are KNOWN, not FAIL).
    (( stock_rc == 0 || stock_rc == 77 )) || { echo "FAIL: the stock reference run (exit $stock_rc): see its failures above"; exit "$stock_rc"; }
    echo "PASS: e2e SIP scenarios (rtpgate, and the stock reference run)"
    exit 0
fi

# shellcheck source-path=SCRIPTDIR source=lab.sh
source "$src/tests/e2e/lab.sh"
lab_preflight
lab_resolve_plugin

lab_begin sipscn
say "topology ($plugin plugin)"
lab_topology_up
echo "SIP peers: $NS $sip_ip; Janus SIP side: $janus_sip_ip"

say "Janus with $(basename "$plugin_so")"
lab_janus_up

say "SIP scenarios (tests/e2e/sip_scenarios.py)"
cd "$work/sipp"
py_args=()
[[ -n "$only" ]] && py_args+=(--only "$only")
rc=0
[[ "$suite" == incall ]] && scn_budget=${SCN_TIMEOUT:-420} || scn_budget=${SCN_TIMEOUT:-200}
timeout "$scn_budget" "$PY" "$src/tests/e2e/sip_scenarios.py" --janus "$JANUS_URL" --admin "$JANUS_ADMIN_URL" \
    --admin-secret "$JANUS_ADMIN_SECRET" --ice-ip "$JANUS_ICE_IP" --ns "$NS" --sip-ip "$sip_ip" \
    --sipp-dir "$work/sipp" --janus-log "$JANUS_LOG" --plugin-label "$plugin" \
    --json-out "${json_out:-$work/result.json}" --suite "$suite" --timeout $(( scn_budget - 20 )) ${py_args[@]+"${py_args[@]}"} || rc=$?

if [[ "$plugin" == rtpgate ]]; then
    say "data-plane counters (rtpgatectl stats, non-zero)"
    lab_dataplane_stats
    lab_flows_left || { echo "FAIL: flow slots still allocated after the last call"; rc=1; }
fi
(( rc == 0 )) || fail "SIP scenarios ($plugin): exit $rc"
echo "PASS: e2e SIP scenarios ($plugin mode, $(basename "$plugin_so"))"
