// Renegotiation state of one call (spec §4.7, §4.8, §6): our hold and what the pending
// re-INVITE (ours or the peer's) still expects. Part of CallState; loop thread only.
#pragma once
#include "sdp/hold_rewrite.h"

namespace rtpgate::ctl {

struct ReinviteState {
  // The directions our side wants (the browser's SDP, then hold/unhold), read from the
  // local SDP the first time they are needed. Our offers state them; our answers to the
  // peer's re-INVITEs narrow them to what the peer offers (sdp::answer_direction).
  bool ours_known = false;
  sdp::MediaDirections ours;
  // hold/unhold (spec §4.8): the direction asked for, and our directions before the hold.
  bool on_hold = false;
  sdp::Direction hold_dir = sdp::Direction::SendOnly;
  sdp::MediaDirections pre_hold;
  // Our re-INVITE carries a browser offer (`update`): its 200 goes to the app as `accepted`
  // with the jsep answer (quirk §18 #4). A hold/unhold re-INVITE's 200 is consumed silently.
  bool update_pending = false;
  // We put an offer in the 200 to an offerless re-INVITE: the answer comes in the ACK;
  // when that offer was the browser's (`update` after `updatingcall`), the answer goes to
  // the app as `accepted` with jsep.
  bool answer_in_ack = false;
  bool ack_answer_to_app = false;
};

}  // namespace rtpgate::ctl
