#include "sip/sip_events.h"

#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_status.h>

#include "admin.h"
#include "call_control.h"
#include "log.h"
#include "session.h"
#include "sip/sip_stack.h"

namespace rtpgate::ctl {
namespace {

// A handle whose session went away: finish it quietly.
void orphan_event(nua_event_t event, int status, nua_handle_t* nh, tagi_t tags[]) {
  if (event == nua_i_state) destroy_if_terminated(nh, tags);
  else if (event == nua_r_unregister || event == nua_r_register) nua_handle_destroy(nh);
  else if (event == nua_r_unsubscribe && status >= 200) nua_handle_destroy(nh);   // Messaging::release()
  else if (event == nua_r_notify && refer_notify_done(nh, status, tags)) nua_handle_destroy(nh);   // transfers.cc
}

}  // namespace

bool destroy_if_terminated(nua_handle_t* nh, tagi_t tags[]) {
  int st = nua_callstate_init;
  tl_gets(tags, NUTAG_CALLSTATE_REF(st), TAG_END());
  if (st != nua_callstate_terminated) return false;
  nua_handle_destroy(nh);
  return true;
}

void on_sip_event(SipStack& stack, nua_event_t event, int status, const char* phrase, nua_handle_t* nh, Session* s,
                  const sip_t* sip, tagi_t tags[]) {
  if (log_enabled(Log::Huge)) log(Log::Huge, "sofia event %s %d %s", nua_event_name(event), status, phrase);
  notify_sip_in(stack, event, s, sip);  // event handlers (admin.h)
  switch (event) {
    case nua_i_invite:
      return on_incoming_invite(stack, s, nh, sip);
    case nua_i_refer:
      return on_incoming_refer(stack, s, nh, sip, tags);
    case nua_i_message:
    case nua_i_info:
      if (s == nullptr && nh != nullptr && on_unbound_request(stack, event, nh, sip)) return;   // outside any dialog
      break;
    case nua_i_error:
      log_peer(Log::Warn, "SIP stack error %d %s", status, phrase);
      return;
    default:
      break;
  }
  if (nh == nullptr) return;
  if (s == nullptr || s->destroyed.load()) {
    // Handles unbound from a session that went away, and Sofia's own handles for
    // requests it answers itself (OPTIONS...).
    orphan_event(event, status, nh, tags);
    return;
  }
  switch (event) {
    case nua_r_register:
    case nua_r_unregister:
      return on_register_reply(*s, event, status, phrase, nh, sip);
    case nua_r_invite:
      return on_invite_reply(*s, status, phrase, nh, sip);
    case nua_i_state:
      return on_call_state(*s, status, phrase, nh, sip, tags);
    case nua_i_ack:
      return on_incoming_ack(*s, nh, sip);
    case nua_i_notify:
      if (nh == s->call.nh) return on_refer_notify(*s, nh, sip, tags);   // our REFER's progress
      return on_incoming_notify(*s, nh, sip, tags);                      // our SUBSCRIBEs
    case nua_i_info:
      return on_incoming_info(*s, sip);
    case nua_i_message:
      return on_incoming_message(*s, sip);
    case nua_r_message:
      return on_message_reply(*s, status, phrase, nh, sip);
    case nua_r_subscribe:
      return on_subscribe_reply(*s, status, phrase, nh, sip);
    case nua_i_bye:
    case nua_i_cancel:
    case nua_r_bye:
      if (nh == s->call.nh) capture_end_info(*s, sip);
      return;
    default:
      return;
  }
}

}  // namespace rtpgate::ctl
