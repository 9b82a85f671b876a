// Re-INVITEs on an established call (spec §4.7, §4.8, §6): the peer's (auto-accepted or
// handed to the app as `updatingcall`), the answers to ours, and the SDP bookkeeping both
// share (o= version, directions, flows re-pointed with FLOW_MODIFY). Loop thread.
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>

#include "call_control.h"
#include "events.h"
#include "log.h"
#include "sdp/sdes.h"
#include "sdp/sdp.h"
#include "session.h"
#include "sip/reinvite.h"
#include "sip/sip_events.h"
#include "sip/sip_util.h"
#include "srtp_negotiation.h"

namespace rtpgate::ctl {
namespace {

Json jsep_of(const char* type, const std::string& sdp) {
  Json j = Json::object();
  j.set("type", json_string(type));
  j.set("sdp", json_string(sdp.c_str()));
  return j;
}

// The peer's SDP becomes the call's remote media: flows re-pointed (our hold folded in),
// SDES keys handed to the SRTP negotiation (which may rekey the data plane). False + *why
// when SRTP is required and the SDP drops it (srtp_negotiation.h).
bool use_remote(Session& s, sdp::RemoteMedia& rm, const std::string& sdp, sdp::SdpType type, std::string* why) {
  CallState& c = s.call;
  sdp::wipe_keys(&c.remote);
  sdp::wipe_string(&c.remote_sdp);
  c.remote = rm;
  c.remote_sdp = sdp;
  c.remote_known = true;
  sdp::wipe_keys(&rm);
  apply_media_directions(s);
  return apply_remote_crypto(s, c.remote, type, why);
}

// The peer's SDP in a re-INVITE (or its ACK), with the 488 rules of §6 step 5: it parses,
// offers audio or video, and one of them has an address.
bool take_remote(Session& s, const std::string& sdp, sdp::SdpType type, std::string* why) {
  sdp::RemoteMedia rm;
  if (!sdp::parse_remote(sdp, type, &rm, why)) return false;
  if ((!rm.audio.present && !rm.video.present) || (rm.audio.addr.empty() && rm.video.addr.empty())) {
    sdp::wipe_keys(&rm);
    return *why = "no audio or video with an address", false;
  }
  return use_remote(s, rm, sdp, type, why);
}

// Our answer to the peer's offer: our directions narrowed to what the peer offers, our
// a=crypto lines those of the SDES answer (the tag and suite the peer's offer asks for);
// the stored SDP is reused (same o= version) when that changes nothing.
std::string answer_sdp(Session& s) {
  CallState& c = s.call;
  std::string why, out;
  const bool keys_changed = srtp_refresh_local_sdp(s);
  if (!our_directions(s, &why)) return c.local_sdp;
  const sdp::MediaDirections& ours = c.reinvite.ours;
  sdp::MediaDirections want;
  if (ours.audio && c.remote.audio.present) want.audio = sdp::answer_direction(*ours.audio, c.remote.audio.direction);
  if (ours.video && c.remote.video.present) want.video = sdp::answer_direction(*ours.video, c.remote.video.direction);
  sdp::MediaDirections now;
  if (!keys_changed && sdp::read_directions(c.local_sdp, &now, nullptr, &why) &&
      (!want.audio || want.audio == now.audio) && (!want.video || want.video == now.video))
    return c.local_sdp;
  if (!next_local_sdp(s, want, &out, &why)) {
    log_peer(Log::Warn, "[%s] cannot adapt our SDP to the re-INVITE: %s", s.account.username.c_str(), why.c_str());
    return c.local_sdp;
  }
  return out;
}

// `accepted` with the peer's answer as jsep, for a browser offer sent in a re-INVITE or in
// the 200 to an offerless one (quirk §18 #4; not sent to event handlers, as stock).
void accepted_to_app(Session& s, const sip_t* sip, const std::string& sdp) {
  Json res = Events::named("accepted");
  res.set("username", json_string(s.call.callee.c_str()));
  if (is_focus(sip)) res.set("isfocus", json_true());
  if (Json h = incoming_headers(sip, s.account.incoming_header_prefixes)) res.set("headers", h.release());
  Events::result(s, s.transaction, std::move(res), jsep_of("answer", sdp));
}

}  // namespace

bool our_directions(Session& s, std::string* why) {
  ReinviteState& r = s.call.reinvite;
  if (r.ours_known) return true;
  if (!sdp::read_directions(s.call.local_sdp, &r.ours, nullptr, why)) return false;
  r.ours_known = true;
  return true;
}

bool next_local_sdp(Session& s, const sdp::MediaDirections& dirs, std::string* out, std::string* why) {
  sdp::MediaDirections now;
  uint64_t version = 0;
  if (!sdp::read_directions(s.call.local_sdp, &now, &version, why) ||
      !sdp::rewrite_session(s.call.local_sdp, dirs, version + 1, out, why))
    return false;
  sdp::wipe_string(&s.call.local_sdp);   // may hold our SRTP keys
  s.call.local_sdp = *out;
  return true;
}

bool stamp_local_sdp(Session& s, const std::string& rewritten, std::string* out, std::string* why) {
  sdp::MediaDirections now;
  uint64_t last = 0;
  if (!sdp::read_directions(s.call.local_sdp, &now, &last, why) ||
      !sdp::rewrite_session(rewritten, sdp::MediaDirections{}, last + 1, out, why))
    return false;
  sdp::wipe_string(&s.call.local_sdp);   // may hold our SRTP keys
  s.call.local_sdp = *out;
  s.call.reinvite.ours_known = false;   // the browser's new directions
  return true;
}

void apply_media_directions(Session& s) {
  const ReinviteState& r = s.call.reinvite;
  s.media.set_local_hold(r.on_hold, r.hold_dir);
  if (!s.call.remote_known) return;
  std::string why;
  if (!s.media.set_remote(s.call.remote, &why))
    log_peer(Log::Warn, "[%s] cannot re-point the media at the peer: %s", s.account.username.c_str(), why.c_str());
}

void on_incoming_reinvite(Session& s, nua_handle_t* nh, const sip_t* sip) {
  CallState& c = s.call;
  const std::string sdp = sdp_body(sip);
  std::string why;
  if (!sdp.empty() && !take_remote(s, sdp, sdp::SdpType::Offer, &why)) {
    log_peer(Log::Warn, "[%s] re-INVITE with unusable SDP: %s", s.account.username.c_str(), why.c_str());
    nua_respond(nh, 488, sip_status_phrase(488), TAG_END());
    return;
  }
  if (c.autoaccept_reinvites) {
    // spec §6 step 6: answered here, nothing to the app; the new SDP already took effect.
    const std::string ours = sdp.empty() ? c.local_sdp : answer_sdp(s);
    c.reinvite.answer_in_ack = sdp.empty();   // our SDP is the offer: the answer is in the ACK
    c.reinvite.ack_answer_to_app = false;
    nua_respond(nh, 200, sip_status_phrase(200), SIPTAG_CONTENT_TYPE_STR("application/sdp"),
                SIPTAG_PAYLOAD_STR(ours.c_str()), NUTAG_AUTOANSWER(0), TAG_END());
    return;
  }
  c.status = CallStatus::InCallReinvited;   // `update` answers it
  offer_to_app(s, "updatingcall", sip, sdp);   // the fields of incomingcall (spec §5)
}

bool on_reinvite_reply(Session& s, int status, const sip_t* sip) {
  CallState& c = s.call;
  if (c.status != CallStatus::InCallReinviting) return false;
  ReinviteState& r = c.reinvite;
  const bool to_app = r.update_pending;
  r.update_pending = false;
  if (status < 200 || status >= 300) return true;   // the call goes on as it was
  const std::string sdp = sdp_body(sip);
  std::string why;
  if (!sdp.empty()) {
    sdp::RemoteMedia rm;
    if (!sdp::parse_remote(sdp, sdp::SdpType::Answer, &rm, &why)) {
      log_peer(Log::Warn, "[%s] unusable SDP in the answer to our re-INVITE: %s", s.account.username.c_str(), why.c_str());
    } else if (!use_remote(s, rm, sdp, sdp::SdpType::Answer, &why)) {
      // Mandatory SRTP answered without crypto: as stock, the call ends (BYE).
      log_peer(Log::Err, "[%s] answer to our re-INVITE: %s", s.account.username.c_str(), why.c_str());
      abort_call(s);
      return true;
    }
  }
  if (to_app) accepted_to_app(s, sip, sdp.empty() ? c.remote_sdp : sdp);
  return true;
}

bool on_reinvite_ack(Session& s, const sip_t* sip) {
  ReinviteState& r = s.call.reinvite;
  if (!r.answer_in_ack) return false;
  r.answer_in_ack = false;
  const bool to_app = r.ack_answer_to_app;
  r.ack_answer_to_app = false;
  const std::string sdp = sdp_body(sip);
  std::string why;
  if (sdp.empty() || !take_remote(s, sdp, sdp::SdpType::Answer, &why)) {
    log_peer(Log::Warn, "[%s] no usable SDP answer in the ACK of a re-INVITE: %s", s.account.username.c_str(), why.c_str());
    return true;
  }
  if (to_app) accepted_to_app(s, sip, sdp);
  return true;
}

}  // namespace rtpgate::ctl
