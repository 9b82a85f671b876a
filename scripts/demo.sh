#!/usr/bin/env bash
# The main job: a real WebRTC-to-SIP call through rtpgate on a lab topology this script
# builds itself, then torn down again:
#   aiortc (a scripted browser) --HTTP/ICE/DTLS--> Janus 1.1.2 (Debian) with
#   libjanus_rtpgate.so --SIP via the data plane's exception path--> sipp registrar + UAS
#   (namespace e2a); the SIP-side RTP crosses rtpgate-dataplane (net_af_packet on a veth,
#   pinned to one core, adaptive idle). The client registers (digest auth), calls the UAS,
#   records the call (the data plane writes .mjr files), sends a 1 kHz tone, checks that
#   the echoed audio comes back at 1 kHz, reads the call's packets per direction from the
#   Admin API, hangs up; janus-pp-rec converts the recordings and the tone is found in both;
#   the script prints the events, the SIP exchange and the data plane's counters.
# usage: scripts/demo.sh            (root; build first: bash scripts/setup.sh)
#        scripts/demo_relay.sh      (the data plane alone between two emulated peers)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${RTPGATE_BUILD_DIR:-$repo/build}
(( EUID == 0 )) || { echo "demo: needs root (namespaces, veths, DPDK)" >&2; exit 1; }
[[ -f $build/control/libjanus_rtpgate.so ]] || { echo "demo: build first: bash scripts/setup.sh" >&2; exit 1; }
exec bash "$repo/tests/e2e/first_call.sh" --plugin rtpgate --build "$build" --record "$@"
