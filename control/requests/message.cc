// `message` (spec §4.12): a MESSAGE inside the current call's dialog, or (with `uri`) outside
// any dialog on its own handle. The validator comes first, then the state of the chosen
// kind. The final answer arrives as `messagedelivery` (sip/on_message.cc).
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_tag.h>

#include "requests/request.h"
#include "session.h"
#include "sip/messaging_common.h"
#include "sip/sip_stack.h"
#include "sip/sip_util.h"

namespace rtpgate::ctl {
namespace {

constexpr size_t kCallIdLength = 23;

struct Body {
  std::string content, content_type, headers;
};

void in_dialog(Request& r, const Body& m) {
  Session& s = r.s();
  CallState& c = s.call;
  if (c.status != CallStatus::Inviting && !established(c.status)) return r.fail(0, "Wrong state (not in a call?)");
  if (c.callee.empty() || c.nh == nullptr) return r.fail(kErrWrongState, "Wrong state (no callee?)");
  s.messaging.in_dialog_auth_tries = 0;
  nua_message(c.nh, SIPTAG_CONTENT_TYPE_STR(m.content_type.c_str()), SIPTAG_PAYLOAD_STR(m.content.c_str()),
              TAG_IF(!m.headers.empty(), SIPTAG_HEADER_STR(m.headers.c_str())), TAG_END());
  Json res = Events::named("messagesent");
  res.set("call_id", json_string(c.call_id.c_str()));
  r.ok(std::move(res));
}

void out_of_dialog(Request& r, const Body& m, const std::string& uri) {
  Session& s = r.s();
  json_t* b = r.body.get();
  if (!can_place_calls(s.account.reg)) return r.fail(kErrWrongState, "Wrong state (not registered)");
  if (!valid_uri(uri, UriKind::Sip)) return r.fail(kErrInvalidAddress, "Invalid user address " + uri + "\n");
  if (s.helper && (!s.stack || s.stack->shut_down())) return r.fail(kErrHelper, "Invalid master SIP stack");
  if (!s.stack || s.stack->nua() == nullptr) return r.fail(kErrLibsofia, "Invalid NUA");
  nua_handle_t* nh = nua_handle(s.stack->nua(), reinterpret_cast<nua_hmagic_t*>(&s), TAG_END());
  if (nh == nullptr) return r.fail(kErrLibsofia, "Invalid NUA Handle");
  const std::string call_id = str_or(b, "call_id", random_token(kCallIdLength));
  s.messaging.use_stack(s.stack);
  s.messaging.add_message(nh, call_id);
  const std::string from = sending_from(s);
  const std::string& proxy = sending_account(s).outbound_proxy;
  nua_message(nh, SIPTAG_FROM_STR(from.c_str()), SIPTAG_TO_STR(uri.c_str()), SIPTAG_CALL_ID_STR(call_id.c_str()),
              SIPTAG_CONTENT_TYPE_STR(m.content_type.c_str()), SIPTAG_PAYLOAD_STR(m.content.c_str()),
              TAG_IF(!proxy.empty(), NUTAG_PROXY(proxy.c_str())),
              TAG_IF(!m.headers.empty(), SIPTAG_HEADER_STR(m.headers.c_str())), TAG_END());
  Json res = Events::named("messagesent");
  res.set("call_id", json_string(call_id.c_str()));
  r.ok(std::move(res));
}

}  // namespace

void handle_message(Request& r) {
  json_t* b = r.body.get();
  if (ApiError e = validate(b, {{"content_type", JType::String, 0},
                                {"content", JType::String, kRequired},
                                {"uri", JType::String, 0},
                                {"headers", JType::Object, 0},
                                {"call_id", JType::String, 0}}))
    return r.fail(e);
  Body m{str_or(b, "content"), str_or(b, "content_type", "text/plain"), custom_headers(json_object_get(b, "headers"))};
  if (json_object_get(b, "uri") != nullptr) return out_of_dialog(r, m, str_or(b, "uri"));
  in_dialog(r, m);
}

}  // namespace rtpgate::ctl
