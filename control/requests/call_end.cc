// `decline`, `hangup`, `send_ringing` and `reset` (spec §4.5, §4.6, §4.9, §4.18).
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>

#include "plugin.h"
#include "requests/request.h"
#include "sip/sip_util.h"

namespace rtpgate::ctl {

void handle_decline(Request& r) {
  Session& s = r.s();
  CallState& c = s.call;
  json_t* b = r.body.get();
  if (ApiError e = validate(b, {{"code", JType::Integer, 0}, {"headers", JType::Object, 0},
                                {"refer_id", JType::Integer, 0}}))
    return r.fail(e);
  // Declining a received REFER instead of a call (as stock: the id is read as an unsigned 32-bit).
  if (const auto id = static_cast<uint32_t>(int_or(b, "refer_id", 0)); id > 0) return decline_transfer(r, id);
  if (c.status != CallStatus::Invited && c.status != CallStatus::Progress) return;   // silently ignored (spec §2)
  if (c.callee.empty()) return r.fail(kErrWrongState, "Wrong state (no caller?)");
  const int dflt = Plugin::instance().config().compat == Compat::Head ? 603 : 486;
  long long code = int_or(b, "code", dflt);
  if (code <= 399 || code > 699) code = 486;
  const std::string hdrs = custom_headers(json_object_get(b, "headers"));
  c.status = CallStatus::Closing;
  nua_respond(c.nh, static_cast<int>(code), sip_status_phrase(static_cast<int>(code)),
              TAG_IF(!hdrs.empty(), SIPTAG_HEADER_STR(hdrs.c_str())), TAG_END());
  Json res = Events::named("declining");
  res.set("code", json_integer(code));
  if (!c.call_id.empty()) res.set("call_id", json_string(c.call_id.c_str()));
  r.ok(std::move(res));
  Json ev = Events::named("declined");
  ev.set("callee", json_string(c.callee.c_str()));
  if (!c.call_id.empty()) ev.set("call-id", json_string(c.call_id.c_str()));
  ev.set("code", json_integer(code));
  Events::notify(&s, std::move(ev));
}

void handle_hangup(Request& r) {
  Session& s = r.s();
  CallState& c = s.call;
  // The state decides first: a hangup outside a call is ignored even when malformed.
  if (!established(c.status) && c.status != CallStatus::Inviting && c.status != CallStatus::Progress) return;
  if (ApiError e = validate(r.body.get(), {{"headers", JType::Object, 0}})) return r.fail(e);
  const std::string hdrs = custom_headers(json_object_get(r.body.get(), "headers"));
  if (c.nh != nullptr) {
    if (c.status == CallStatus::Inviting)
      nua_cancel(c.nh, TAG_IF(!hdrs.empty(), SIPTAG_HEADER_STR(hdrs.c_str())), TAG_END());
    else if (c.status == CallStatus::Progress)   // our 183 is out, no final answer yet
      nua_respond(c.nh, 480, sip_status_phrase(480), TAG_IF(!hdrs.empty(), SIPTAG_HEADER_STR(hdrs.c_str())),
                  TAG_END());
    else
      nua_bye(c.nh, TAG_IF(!hdrs.empty(), SIPTAG_HEADER_STR(hdrs.c_str())), TAG_END());
  }
  c.status = CallStatus::Closing;
  c.callee.clear();   // as stock: the peer is forgotten once we hang up
  s.media.set_live(false);
  r.ok(Events::named("hangingup"));
}

void handle_send_ringing(Request& r) {
  Session& s = r.s();
  CallState& c = s.call;
  if (c.status != CallStatus::Invited && c.status != CallStatus::Progress)
    return r.fail(0, "Wrong state (not in a call?)");
  if (c.nh != nullptr) nua_respond(c.nh, 180, sip_status_phrase(180), TAG_END());
  Events::bare(s, r.transaction);
}

void handle_reset(Request& r) {
  Session& s = r.s();
  if (s.call.status == CallStatus::Idle) {
    s.call.establishing = false;
    s.call.established = false;
  }
  r.ok(Events::named("reset"));
}

}  // namespace rtpgate::ctl
