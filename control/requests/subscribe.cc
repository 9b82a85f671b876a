// `subscribe` and `unsubscribe` (spec §4.14): one SUBSCRIBE dialog per event package and
// session (control/subscriptions.h). Validator first, then the registration. Sofia keeps the
// subscription refreshed; answers and NOTIFYs are reported by sip/on_subscribe.cc.
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_tag.h>

#include "requests/request.h"
#include "session.h"
#include "sip/messaging_common.h"
#include "sip/sip_stack.h"
#include "sip/sip_util.h"

namespace rtpgate::ctl {
namespace {

constexpr long long kDefaultTtl = 3600;

ApiError check(Request& r) {
  if (ApiError e = validate(r.body.get(), {{"to", JType::String, 0},
                                           {"event", JType::String, kRequired},
                                           {"accept", JType::String, 0},
                                           {"subscribe_ttl", JType::Integer, 0},
                                           {"call_id", JType::String, 0},
                                           {"headers", JType::Object, 0}}))
    return e;
  if (!can_place_calls(r.s().account.reg)) return {kErrWrongState, "Wrong state (not registered)"};
  return {};
}

// `to`, or our own identity.
std::string target(Request& r) { return str_or(r.body.get(), "to", sending_account(r.s()).identity); }

}  // namespace

void handle_subscribe(Request& r) {
  Session& s = r.s();
  json_t* b = r.body.get();
  if (ApiError e = check(r)) return r.fail(e);
  if (s.helper && (!s.stack || s.stack->shut_down())) return r.fail(kErrHelper, "Invalid master SIP stack");
  if (!s.stack || s.stack->nua() == nullptr) return r.fail(kErrLibsofia, "Invalid NUA");
  const std::string event = str_or(b, "event");
  s.messaging.use_stack(s.stack);
  Subscription* sub = s.messaging.subscription(event);
  if (sub == nullptr) {
    nua_handle_t* nh = nua_handle(s.stack->nua(), reinterpret_cast<nua_hmagic_t*>(&s), TAG_END());
    if (nh == nullptr) return r.fail(kErrLibsofia, "Invalid NUA Handle");
    s.messaging.add_subscription(event, nh);
    sub = s.messaging.subscription(event);
  }
  sub->auth_tries = 0;
  long long ttl = int_or(b, "subscribe_ttl", kDefaultTtl);
  if (ttl <= 0) ttl = kDefaultTtl;
  const std::string expires = std::to_string(ttl);
  const std::string to = target(r), from = sending_from(s);
  const std::string call_id = str_or(b, "call_id"), accept = str_or(b, "accept");
  const std::string hdrs = custom_headers(json_object_get(b, "headers"));
  const std::string& proxy = sending_account(s).outbound_proxy;
  // HEAD only: a body when both content and content_type are strings (not validated, so
  // that no 1.1.2 answer changes).
  const std::string content = str_or(b, "content"), content_type = str_or(b, "content_type");
  const bool body = json_is_string(json_object_get(b, "content")) && json_is_string(json_object_get(b, "content_type"));
  nua_subscribe(sub->nh, SIPTAG_FROM_STR(from.c_str()), SIPTAG_TO_STR(to.c_str()), SIPTAG_EVENT_STR(event.c_str()),
                TAG_IF(!call_id.empty(), SIPTAG_CALL_ID_STR(call_id.c_str())),
                TAG_IF(!accept.empty(), SIPTAG_ACCEPT_STR(accept.c_str())), SIPTAG_EXPIRES_STR(expires.c_str()),
                TAG_IF(!proxy.empty(), NUTAG_PROXY(proxy.c_str())),
                TAG_IF(!hdrs.empty(), SIPTAG_HEADER_STR(hdrs.c_str())),
                TAG_IF(body, SIPTAG_CONTENT_TYPE_STR(content_type.c_str())),
                TAG_IF(body, SIPTAG_PAYLOAD_STR(content.c_str())), TAG_END());
  Json res = Events::named("subscribing");
  if (has(b, "call_id")) res.set("call_id", json_string(call_id.c_str()));
  r.ok(std::move(res));
}

void handle_unsubscribe(Request& r) {
  Session& s = r.s();
  if (ApiError e = check(r)) return r.fail(e);
  const std::string event = str_or(r.body.get(), "event");
  Subscription* sub = s.messaging.subscription(event);
  if (sub == nullptr) return r.fail(kErrWrongState, "Wrong state (not subscribed to this event)");
  const std::string to = target(r);
  sub->auth_tries = 0;
  // As stock: a SUBSCRIBE with Expires 0 on the dialog; its answer is reported like any
  // other answer to SUBSCRIBE (subscribe_succeeded), the notifier's last NOTIFY as `notify`.
  nua_subscribe(sub->nh, SIPTAG_TO_STR(to.c_str()), SIPTAG_EVENT_STR(event.c_str()), SIPTAG_EXPIRES_STR("0"),
                TAG_END());
  r.ok(Events::named("unsubscribing"));
}

}  // namespace rtpgate::ctl
