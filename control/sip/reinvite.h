// Re-INVITEs in both directions (spec §4.7, §4.8, §6 steps 2/6/7): the pieces shared by
// the hold/unhold/update requests and the SIP event handlers. Loop thread only.
#pragma once
#include <sofia-sip/nua.h>
#include <sofia-sip/sip.h>

#include <string>

#include "sdp/hold_rewrite.h"

namespace rtpgate::ctl {

class Session;

// Our stored SIP-side SDP with the given m-line directions (nullopt = unchanged) and its o=
// version one above the last one we sent; stored as the new local SDP. False + *why when
// the stored SDP does not parse (never for one we produced).
bool next_local_sdp(Session& s, const sdp::MediaDirections& dirs, std::string* out, std::string* why);
// Same for a freshly rewritten SDP (an `update`): its o= version becomes the last one we
// sent + 1, whatever the browser's was.
bool stamp_local_sdp(Session& s, const std::string& rewritten, std::string* out, std::string* why);

// Makes sure s.call.reinvite.ours holds our wanted directions (read from the local SDP
// the first time). False + *why when the stored SDP does not parse.
bool our_directions(Session& s, std::string* why);

// Points the streams at the peer's last SDP again with our hold folded in (spec §4.8, §11).
void apply_media_directions(Session& s);

// The peer re-INVITEs us on the call's dialog (`nh` is the call's handle).
void on_incoming_reinvite(Session& s, nua_handle_t* nh, const sip_t* sip);
// A final response to our re-INVITE (hold, unhold, update). True if it was one.
bool on_reinvite_reply(Session& s, int status, const sip_t* sip);
// The ACK of a re-INVITE we answered with an offer (offerless re-INVITE). True if handled.
bool on_reinvite_ack(Session& s, const sip_t* sip);

}  // namespace rtpgate::ctl
