// `update` (spec §4.7): a browser offer while in call goes out as a re-INVITE (its 200 comes
// back as `accepted` with the jsep answer, quirk §18 #4); a browser answer (or offer) after
// `updatingcall` goes out in the 200 to the peer's re-INVITE. Loop thread.
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <strings.h>

#include "call_control.h"
#include "log.h"
#include "plugin.h"
#include "requests/request.h"
#include "sdp/sdp.h"
#include "sip/reinvite.h"
#include "srtp_negotiation.h"

namespace rtpgate::ctl {
namespace {

// State, callee, stored SDP and the jsep, in 1.1.2's order. `offer` tells the jsep's type.
ApiError check_update(const Session& s, json_t* jsep, bool* offer) {
  const CallState& c = s.call;
  if (c.status != CallStatus::InCall && c.status != CallStatus::InCallReinvited)
    return {kErrWrongState, "Wrong state (not in a call?)"};
  if (c.callee.empty()) return {kErrWrongState, "Wrong state (no callee?)"};
  if (c.local_sdp.empty()) return {kErrWrongState, "Wrong state (no local SDP?)"};
  if (!json_is_string(json_object_get(jsep, "sdp")) || !json_is_true(json_object_get(jsep, "update")))
    return {kErrMissingSdp, "Missing SDP update"};
  if (json_is_true(json_object_get(jsep, "e2ee")))
    return {kErrInvalidElement, "Media encryption unsupported by this plugin"};
  json_t* type = json_object_get(jsep, "type");
  const char* t = json_is_string(type) ? json_string_value(type) : "(null)";
  *offer = strcasecmp(t, "offer") == 0;
  if (!*offer && c.status == CallStatus::InCall)
    return {kErrMissingSdp, "[SIP-" + s.account.username + "] SDP type " + t +
                                " is incompatible with session status " + name(c.status) + "\n"};
  return {};
}

// SDES-SRTP (srtp_negotiation.h): an answer for a call whose SRTP is mandatory needs the
// peer's crypto for every active medium, else 452 "Can't update the call: ...".
ApiError srtp_update_check(const Session& s, bool offer) {
  if (offer) return {};
  return srtp_check_answer(s, SrtpChoice{s.call.srtp, s.call.srtp_profile}, "update");
}

// Our keys for the media of the browser's SDP: an offer keys the media it adds (their
// m-lines get a=crypto); an answer keys the media it accepts with the tag and suite of the
// peer's line for each (media it leaves out lose our key).
ApiError srtp_update_keys(Session& s, bool offer, const sdp::BrowserSdpInfo& info) {
  if (offer) return srtp_begin_reoffer(s, info.has_audio, info.has_video);
  return srtp_begin_answer(s, SrtpChoice{s.call.srtp, s.call.srtp_profile}, info.has_audio, info.has_video);
}

// Relay streams for media the update adds, then the browser SDP rewritten for SIP with our
// next o= version.
ApiError local_update_sdp(Session& s, const std::string& browser_sdp, const sdp::BrowserSdpInfo& info, bool offer,
                          std::string* out) {
  std::string rewritten, why;
  switch (sdp_for_sip(s, browser_sdp, info, offer ? sdp::SdpType::Offer : sdp::SdpType::Answer, false, &rewritten)) {
    case SipSdpResult::NoPorts:
      return {kErrIo, "Could not allocate RTP/RTCP ports"};
    case SipSdpResult::RewriteFailed:
      return {kErrIo, "Error manipulating SDP"};
    case SipSdpResult::Ok:
      break;
  }
  if (!stamp_local_sdp(s, rewritten, out, &why)) {
    log(Log::Err, "[%s] SDP rewrite failed: %s", s.account.username.c_str(), why.c_str());
    return {kErrIo, "Error manipulating SDP"};
  }
  return {};
}

}  // namespace

void handle_update(Request& r) {
  Session& s = r.s();
  CallState& c = s.call;
  json_t* jsep = r.jsep.get();
  bool offer = false;
  if (ApiError e = check_update(s, jsep, &offer)) return r.fail(e);
  const std::string browser_sdp = json_string_value(json_object_get(jsep, "sdp"));
  sdp::BrowserSdpInfo info;
  std::string why;
  if (browser_sdp.rfind("v=", 0) != 0)
    return r.fail(kErrMissingSdp, "Error parsing SDP: Invalid SDP (doesn't start with v=)");
  if (!sdp::inspect_browser(browser_sdp, &info, &why)) return r.fail(kErrMissingSdp, "Error parsing SDP: " + why);
  if (ApiError e = srtp_update_check(s, offer)) return r.fail(e);
  if (ApiError e = srtp_update_keys(s, offer, info)) return r.fail(e);
  std::string local;
  if (ApiError e = local_update_sdp(s, browser_sdp, info, offer, &local)) return r.fail(e);
  // Answering the peer's re-INVITE: streams the update added get their SRTP contexts (the
  // peer's offer keyed them, srtp_update_keys our side) before our 200 announces them.
  if (!offer && !srtp_program(s, &why)) return r.fail(kErrIo, "Could not allocate RTP/RTCP ports");
  if (c.status == CallStatus::InCall) {
    // Our re-INVITE; Sofia moves the call to "calling" (status incall_reinviting).
    c.reinvite.update_pending = true;
    nua_invite(c.nh, SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(local.c_str()),
               NUTAG_AUTOANSWER(0), NUTAG_AUTOACK(0), TAG_END());
  } else {
    // The 200 to the peer's re-INVITE (after `updatingcall`).
    nua_respond(c.nh, 200, sip_status_phrase(200), SIPTAG_CONTENT_TYPE_STR("application/sdp"),
                SIPTAG_PAYLOAD_STR(local.c_str()), NUTAG_AUTOANSWER(0), TAG_END());
    if (offer) {
      c.reinvite.answer_in_ack = true;   // offerless re-INVITE: the answer comes in the ACK
      c.reinvite.ack_answer_to_app = true;
    } else if (c.remote_known) {
      apply_media_directions(s);   // streams the update added get the peer's address
    }
  }
  r.ok(Events::named(offer ? "updating" : "updated"));
}

}  // namespace rtpgate::ctl
