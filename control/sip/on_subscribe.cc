// Answers to our SUBSCRIBEs and the NOTIFYs of those subscriptions (spec §4.14, §5):
// subscribe_succeeded (200/202), subscribe_failed (>= 400 but a 401/407 we could answer),
// `notify` for a NOTIFY with a body. Every event carries the dialog's Call-ID at top level.
// NOTIFYs on a call's dialog (REFER progress) are on_refer.cc's.
#include <sofia-sip/nua_tag.h>

#include "events.h"
#include "session.h"
#include "sip/messaging_common.h"
#include "sip/sip_events.h"
#include "sip/sip_util.h"

namespace rtpgate::ctl {
namespace {

Json dialog_call_id(const sip_t* sip) {
  Json top = Json::object();
  if (sip != nullptr && sip->sip_call_id != nullptr && sip->sip_call_id->i_id != nullptr)
    top.set("call_id", json_string(sip->sip_call_id->i_id));
  return top;
}

void report(Session& s, const char* event, int status, const char* phrase, const sip_t* sip) {
  Json res = Events::named(event);
  res.set("code", json_integer(status));
  res.set("reason", json_string(phrase));
  if (status < 300 && sip != nullptr && sip->sip_expires != nullptr)
    res.set("expires", json_integer(sip->sip_expires->ex_delta));
  if (Json h = event_headers(s, sip)) res.set("headers", h.release());
  Events::result_with(s, s.transaction, std::move(res), dialog_call_id(sip));
}

}  // namespace

void on_subscribe_reply(Session& s, int status, const char* phrase, nua_handle_t* nh, const sip_t* sip) {
  Subscription* sub = s.messaging.subscription(nh);
  if (sub == nullptr || status < 200) return;
  if ((status == 401 || status == 407) && answer_challenge(s, nh, sip, &sub->auth_tries)) return;
  sub->auth_tries = 0;
  if (status == 200 || status == 202) {
    sub->active = true;
    return report(s, "subscribe_succeeded", status, phrase, sip);
  }
  if (status >= 400) {
    sub->active = false;
    report(s, "subscribe_failed", status, phrase, sip);
  }
}

void on_incoming_notify(Session& s, nua_handle_t* nh, const sip_t* sip, tagi_t tags[]) {
  // Sofia answers the NOTIFY itself (200), with or without a body.
  int substate = -1;
  if (const tagi_t* t = tl_find(tags, nutag_substate)) substate = static_cast<int>(t->t_value);
  if (Subscription* sub = s.messaging.subscription(nh); sub != nullptr && substate == nua_substate_terminated)
    sub->active = false;
  if (sip == nullptr || sip->sip_payload == nullptr || sip->sip_payload->pl_data == nullptr) return;
  Json res = Events::named("notify");
  if (sip->sip_event != nullptr && sip->sip_event->o_type != nullptr)
    res.set("notify", json_string(sip->sip_event->o_type));
  if (substate >= 0) res.set("substate", json_string(nua_substate_name(static_cast<nua_substate>(substate))));
  if (sip->sip_content_type != nullptr && sip->sip_content_type->c_type != nullptr)
    res.set("content-type", json_string(sip->sip_content_type->c_type));
  res.set("content", json_stringn(sip->sip_payload->pl_data, sip->sip_payload->pl_len));
  if (Json h = event_headers(s, sip)) res.set("headers", h.release());
  Events::result_with(s, s.transaction, std::move(res), dialog_call_id(sip));
}

}  // namespace rtpgate::ctl
