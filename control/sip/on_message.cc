// INFO and MESSAGE from the SIP side (spec §5): incoming ones become `info` / `message`
// events (Sofia has already answered them 200), answers to our MESSAGEs `messagedelivery`.
// Answers to our INFOs are not reported.
#include <sofia-sip/nua_tag.h>

#include "events.h"
#include "log.h"
#include "session.h"
#include "sip/messaging_common.h"
#include "sip/sip_events.h"
#include "sip/sip_stack.h"
#include "sip/sip_util.h"

namespace rtpgate::ctl {
namespace {

// Both need a body and a content type; the event carries who sent it.
bool sender_fields(const sip_t* sip, Json& res) {
  if (sip == nullptr || sip->sip_content_type == nullptr || sip->sip_content_type->c_type == nullptr ||
      sip->sip_payload == nullptr || sip->sip_payload->pl_data == nullptr || sip->sip_from == nullptr)
    return false;
  res.set("sender", json_string(addr_uri(sip->sip_from).c_str()));
  // Unlike incomingcall, 1.1.2 leaves an empty display name out here.
  if (sip->sip_from->a_display != nullptr && *sip->sip_from->a_display != '\0')
    res.set("displayname", json_string(sip->sip_from->a_display));
  return true;
}

json_t* payload(const sip_t* sip) { return json_stringn(sip->sip_payload->pl_data, sip->sip_payload->pl_len); }

}  // namespace

void on_incoming_info(Session& s, const sip_t* sip) {
  Json res = Events::named("info");
  if (!sender_fields(sip, res)) return;
  res.set("type", json_string(sip->sip_content_type->c_type));
  res.set("content", payload(sip));
  if (Json h = event_headers(s, sip)) res.set("headers", h.release());
  Events::result(s, s.transaction, std::move(res));   // call_id when in a call
}

void on_incoming_message(Session& s, const sip_t* sip) {
  Json res = Events::named("message");
  if (!sender_fields(sip, res)) return;
  res.set("content", payload(sip));
  res.set("content_type", json_string(sip->sip_content_type->c_type));
  if (Json h = event_headers(s, sip)) res.set("headers", h.release());
  Events::result(s, s.transaction, std::move(res));
}

bool on_unbound_request(SipStack& stack, nua_event_t event, nua_handle_t* nh, const sip_t* sip) {
  // A request inside a dialog whose handle we let go of (a call ending without its session)
  // is none of ours: that handle is destroyed when its dialog terminates.
  if (sip == nullptr || sip->sip_to == nullptr || sip->sip_to->a_tag != nullptr) return false;
  std::shared_ptr<Session> owner = stack.owner();
  if (owner && !owner->destroyed.load()) {
    if (event == nua_i_message) on_incoming_message(*owner, sip);
    else on_incoming_info(*owner, sip);
  }
  nua_handle_destroy(nh);   // answered by Sofia already; nobody keeps this handle
  return true;
}

void on_message_reply(Session& s, int status, const char* phrase, nua_handle_t* nh, const sip_t* sip) {
  PendingMessage* pending = s.messaging.message(nh);
  if (pending == nullptr && nh != s.call.nh) return;
  if (status < 200) return;
  int* tries = pending ? &pending->auth_tries : &s.messaging.in_dialog_auth_tries;
  if ((status == 401 || status == 407) && answer_challenge(s, nh, sip, tries)) return;
  *tries = 0;
  Json res = Events::named("messagedelivery");
  res.set("code", json_integer(status));
  res.set("reason", json_string(phrase));
  // The MESSAGE's Call-ID, also for answers Sofia made up (timeouts, transport errors).
  std::string call_id = pending ? pending->call_id : s.call.call_id;
  if (sip != nullptr && sip->sip_call_id != nullptr && sip->sip_call_id->i_id != nullptr)
    call_id = sip->sip_call_id->i_id;
  Json top = Json::object();
  if (!call_id.empty()) top.set("call_id", json_string(call_id.c_str()));
  if (pending != nullptr) s.messaging.message_done(nh);
  Events::result_with(s, s.transaction, std::move(res), std::move(top));
}

}  // namespace rtpgate::ctl
