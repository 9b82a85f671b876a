// Replies to our INVITE and the call-state changes Sofia reports (spec §5).
#include <sofia-sip/msg_header.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_status.h>

#include "call_control.h"
#include "events.h"
#include "plugin.h"
#include "session.h"
#include "log.h"
#include "sip/reinvite.h"
#include "sip/sip_events.h"
#include "sip/sip_util.h"
#include "transfers.h"

namespace rtpgate::ctl {
namespace {

Json answer_jsep(const std::string& sdp) {
  Json j = Json::object();
  j.set("type", json_string("answer"));
  j.set("sdp", json_string(sdp.c_str()));
  return j;
}

void early_or_final(Session& s, int status, const sip_t* sip, const std::string& sdp) {
  CallState& c = s.call;
  std::string why;
  if (!apply_remote_sdp(s, sdp, sdp::SdpType::Answer, &why)) {
    log_peer(Log::Warn, "[%s] unusable SDP answer from %s: %s", s.account.username.c_str(), c.callee.c_str(), why.c_str());
    if (status >= 200) c.status = CallStatus::InCall;   // 2xx already ACKed: only a BYE ends it (spec §9.3)
    abort_call(s);
    return;
  }
  const bool final = status >= 200;
  const bool give_jsep = !c.answer_sent_to_app;
  c.answer_sent_to_app = true;
  c.status = CallStatus::InCall;   // early media counts as in call (spec §3.2)
  s.media.set_live(true);
  Json res = Events::named(final ? "accepted" : "progress");
  res.set("username", json_string(c.callee.c_str()));
  if (is_focus(sip)) res.set("isfocus", json_true());
  if (Json h = incoming_headers(sip, s.account.incoming_header_prefixes)) res.set("headers", h.release());
  Events::result(s, s.transaction, std::move(res), give_jsep ? answer_jsep(sdp) : Json{});
  Json ev = Events::named(final ? "accepted" : "progress");
  if (!c.call_id.empty()) ev.set("call-id", json_string(c.call_id.c_str()));
  ev.set("username", json_string(c.callee.c_str()));
  Events::notify(&s, std::move(ev));
}

}  // namespace

void on_invite_reply(Session& s, int status, const char* phrase, nua_handle_t* nh, const sip_t* sip) {
  CallState& c = s.call;
  if (nh != c.nh) return;
  if (status == 401 || status == 407) {
    const Account& a = sending_account(s);
    const std::string user = !c.call_authuser.empty() ? c.call_authuser : a.authuser;
    const std::string& secret = c.has_call_credentials ? c.call_secret : a.secret;
    const bool ha1 = c.has_call_credentials ? c.call_secret_is_ha1 : a.secret_is_ha1;
    const bool retrying = c.auth_tries++ < 2 && authenticate(nh, sip, user, secret, ha1);
    refer_call_progress(s, status, phrase, retrying);   // a transfer's follow-up call: NOTIFY
    if (retrying) return;
    capture_end_info(s, sip);
    return;   // the failure ends the call: terminated state follows
  }
  refer_call_progress(s, status, phrase, false);   // a transfer's follow-up call: NOTIFY (spec §8)
  if (status >= 300) {
    on_reinvite_reply(s, status, sip);   // a refused re-INVITE leaves the call as it was
    return capture_end_info(s, sip);
  }
  const std::string sdp = sdp_body(sip);
  if (status >= 100 && status < 200) {
    if (status == 100) return;
    if (sdp.empty()) {
      if (status != 180 && status != 183) return;
      Json res = Events::named("ringing");
      if (Json h = incoming_headers(sip, s.account.incoming_header_prefixes)) res.set("headers", h.release());
      return Events::result(s, s.transaction, std::move(res));
    }
    if (c.status == CallStatus::Inviting || c.status == CallStatus::InCall) early_or_final(s, status, sip, sdp);
    return;
  }
  if (status >= 200 && status < 300) {
    nua_ack(nh, TAG_END());
    if (on_reinvite_reply(s, status, sip)) return;   // answer to our hold/unhold/update
    if (c.status != CallStatus::Inviting && c.status != CallStatus::InCall) return;
    if (sdp.empty() && !c.remote_known) {
      log_peer(Log::Warn, "[%s] 2xx without SDP to our offer: hanging up", s.account.username.c_str());
      abort_call(s);
      return;
    }
    early_or_final(s, status, sip, sdp.empty() ? c.remote_sdp : sdp);
  }
}

void on_call_state(Session& s, int status, const char* phrase, nua_handle_t* nh, const sip_t* sip, tagi_t tags[]) {
  CallState& c = s.call;
  if (nh != c.nh) {
    destroy_if_terminated(nh, tags);   // a dialog we already let go of
    return;
  }
  int st = nua_callstate_init;
  tl_gets(tags, NUTAG_CALLSTATE_REF(st), TAG_END());
  switch (st) {
    case nua_callstate_calling:
      if (c.status == CallStatus::InCall) c.status = CallStatus::InCallReinviting;
      return;
    case nua_callstate_proceeding:
      if (c.outgoing && status > 100) {
        Json res = Events::named("proceeding");
        res.set("code", json_integer(status));
        Events::result(s, s.transaction, std::move(res));
        Json ev = Events::named("proceeding");
        if (!c.call_id.empty()) ev.set("call-id", json_string(c.call_id.c_str()));
        ev.set("code", json_integer(status));
        Events::notify(&s, std::move(ev));
      }
      return;
    case nua_callstate_ready:
      if (c.status == CallStatus::InCallReinviting || c.status == CallStatus::InCallReinvited)
        c.status = CallStatus::InCall;
      return;
    case nua_callstate_terminated:
      if (transfers::adopt_dialog(nh)) {   // a pending REFER still needs this dialog (transfers.h)
        nua_handle_bind(nh, nullptr);
        c.nh = nullptr;
      }
      return call_terminated(s, status, phrase, sip);
    default:
      return;
  }
}

}  // namespace rtpgate::ctl
