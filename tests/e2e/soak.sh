#!/usr/bin/env bash
# Soak (issue 10): N concurrent aiortc calls, placed one after another on N lanes for a fixed
# time, through Janus + libjanus_rtpgate.so + rtpgate-dataplane to the echoing sipp UAS
# (tests/e2e/soak_calls.py checks tones, relay loss, memory and file descriptors); then every
# flow slot must be free again. CI runs a short one (meson test e2e-soak); longer ones:
#   perf/soak.sh --calls 8 --seconds 1800
# usage: soak.sh [--build DIR] [--plugin rtpgate|stock] [--calls N] [--seconds S] [--call-seconds C] [--keep]
set -euo pipefail

src=${RTPGATE_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
build=${RTPGATE_BUILD:-$src/build}
plugin=rtpgate   # --plugin stock: the same calls through Janus's own SIP plugin (reference)
plugin_so=""
keep=${E2E_KEEP:-0}
calls=4 seconds=90 call_seconds=15
while (( $# )); do
    case "$1" in
        --build) build=$(cd "$2" && pwd); shift ;;
        --plugin) plugin=$2; shift ;;
        --calls) calls=$2; shift ;;
        --seconds) seconds=$2; shift ;;
        --call-seconds) call_seconds=$2; shift ;;
        --keep) keep=1 ;;
        -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
        *) echo "usage: $0 [--build DIR] [--plugin rtpgate|stock] [--calls N] [--seconds S] [--call-seconds C] [--keep]" >&2
           exit 2 ;;
    esac
    shift
done
[[ $calls =~ ^[0-9]+$ && $calls -ge 1 && $calls -le 64 ]] || { echo "soak: --calls 1..64" >&2; exit 2; }
[[ $seconds =~ ^[0-9]+$ && $seconds -ge 10 && $seconds -le 86400 ]] || { echo "soak: --seconds 10..86400" >&2; exit 2; }

# shellcheck source-path=SCRIPTDIR source=lab.sh
source "$src/tests/e2e/lab.sh"
lab_preflight
lab_resolve_plugin
lab_begin soak
export LAB_DP_TELEMETRY=1   # the data plane's heap is checked through DPDK telemetry
say "topology ($plugin plugin)"
lab_topology_up
say "Janus with $(basename "$plugin_so")"
lab_janus_up
say "sipp UAS echoing RTP in $NS"
cd "$work/sipp"
rg_start_bg uas ip netns exec "$NS" sipp -sf "$src/tests/sip/uas_echo.xml" -i "$sip_ip" -p 5070 -mi "$sip_ip" \
    -mp 6000 -rtp_echo -nostdin -trace_err -timeout "$(( seconds + 180 ))s" -timeout_error
sleep 0.5

say "soak: $calls concurrent calls for $seconds s, $call_seconds s each"
if [[ $plugin == stock ]]; then
    side=(--stock)
else
    side=(--rtpgatectl "$build/tools/rtpgatectl/rtpgatectl" --shm "$SHM" --dp-pid "$(rg_pid dataplane)"
          --dp-telemetry "/var/run/dpdk/$FILE_PREFIX/dpdk_telemetry.v2")
fi
rc=0
timeout "$(( seconds + 150 ))" "$PY" "$src/tests/e2e/soak_calls.py" --janus "$JANUS_URL" --ice-ip "$JANUS_ICE_IP" \
    --admin "$JANUS_ADMIN_URL" --admin-secret "$JANUS_ADMIN_SECRET" --sip-ip "$sip_ip" \
    --callee "sip:echo@$sip_ip:5070" --work "$work" --janus-pid "$(rg_pid janus)" "${side[@]}" \
    --calls "$calls" --seconds "$seconds" --call-seconds "$call_seconds" || rc=$?
if [[ $plugin == rtpgate ]]; then
    say "data-plane counters (non-zero)"
    lab_dataplane_stats
    lab_flows_left || fail "flow slots still allocated after the soak"
fi
(( rc == 0 )) || fail "soak_calls.py failed (exit $rc)"
echo "PASS: soak"
