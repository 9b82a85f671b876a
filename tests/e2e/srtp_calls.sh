#!/usr/bin/env bash
# SDES-SRTP end to end (issue 5, tests/e2e/scn_srtp.py): the sipp failure cases of our offers
# (answer without a=crypto, another tag, an unsupported profile under sdes_mandatory -> BYE;
# sdes_optional answered in plain RTP) and real SRTP calls with baresip in both directions
# (AES_CM_128_HMAC_SHA1_80 mandatory, optional SDES from the caller, AEAD_AES_256_GCM), the
# tone checked at both ends. Scenario 1 registers first. Same lab and options as
# sip_scenarios.sh (--plugin both|stock|rtpgate, --build DIR, --keep); exit 77 without baresip.
set -euo pipefail
command -v baresip >/dev/null 2>&1 || { echo "SKIP: baresip not installed (apt-get install baresip-core)"; exit 77; }
exec bash "$(dirname "${BASH_SOURCE[0]}")/sip_scenarios.sh" --suite incall --only 1,60,61,62,63,64,65,66 "$@"
