"""SIP scenario suite of plugin part 2 (in-call and out-of-call features), run by
sip_scenarios.sh --suite incall on the same lab and with the same runner as part 1
(sip_scenarios.Suite: one Janus, an aiortc browser, sipp peers in the lab namespace).

Scenario 1 (registration) is part 1's and runs first; each feature family brings its
scenarios as a mixin in its own file, with its own id range:
  20-29 scn_reinvite.py   hold/unhold, update, re-INVITEs from the peer
  30-39 scn_messaging.py  INFO, dtmf_info, MESSAGE, SUBSCRIBE/NOTIFY
  40-49 scn_transfer.py   REFER: blind and attended, transferee / transferor / target
  50-59 scn_media.py      RFC 2833 detection, keyframe, rtp_forward, admin
  60-69 scn_srtp.py       SDES-SRTP offers: the answer's a=crypto (BYE rule), optional -> plain
  70-79 scn_record.py     recording: all four directions to .mjr (janus-pp-rec), errors
"""

from __future__ import annotations

from scn_media import MediaScenarios
from scn_messaging import MessagingScenarios
from scn_record import RecordScenarios
from scn_reinvite import ReinviteScenarios
from scn_srtp import SrtpScenarios
from scn_transfer import TransferScenarios
from sip_scenarios import STOCK_KNOWN, Suite

# A race of 1.1.2's threads (a request thread next to one Sofia thread per account) seen in
# stock runs (the same scenario passes on other stock runs; rtpgate runs requests and SIP
# events on one loop). Event-order races are normalised by sip_scenarios.stock_order().
STOCK_KNOWN[24] = "1.1.2 race: an update right after accepted can lose its accepted (call ends)"


class InCallSuite(ReinviteScenarios, MessagingScenarios, TransferScenarios, MediaScenarios, SrtpScenarios,
                  RecordScenarios, Suite):
    SCENARIOS = ([s for s in Suite.SCENARIOS if s[0] == 1] + ReinviteScenarios.SCENARIOS
                 + MessagingScenarios.SCENARIOS + TransferScenarios.SCENARIOS + MediaScenarios.SCENARIOS
                 + SrtpScenarios.SCENARIOS + RecordScenarios.SCENARIOS)
