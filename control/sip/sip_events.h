// Sofia-SIP events of every stack, routed to the session they concern (loop thread).
#pragma once
#include <sofia-sip/nua.h>

#include <string>

namespace rtpgate::ctl {

class Session;
class SipStack;

// `s` is the handle's bound session (nullptr for handles Sofia created: incoming requests).
void on_sip_event(SipStack& stack, nua_event_t event, int status, const char* phrase, nua_handle_t* nh, Session* s,
                  const sip_t* sip, tagi_t tags[]);

// Destroys `nh` when this nua_i_state reports the dialog terminated (handles no session
// owns any more). True if it did.
bool destroy_if_terminated(nua_handle_t* nh, tagi_t tags[]);

// Per concern, one file each.
void on_register_reply(Session& s, nua_event_t event, int status, const char* phrase, nua_handle_t* nh,
                       const sip_t* sip);
void on_invite_reply(Session& s, int status, const char* phrase, nua_handle_t* nh, const sip_t* sip);
void on_call_state(Session& s, int status, const char* phrase, nua_handle_t* nh, const sip_t* sip, tagi_t tags[]);
void on_incoming_invite(SipStack& stack, Session* bound, nua_handle_t* nh, const sip_t* sip);
void on_incoming_ack(Session& s, nua_handle_t* nh, const sip_t* sip);
// `incomingcall` / `updatingcall` (spec §5, §15.2) for the INVITE `sip` of the session's
// call, to the client (jsep offer when `sdp` is not empty) and to event handlers.
void offer_to_app(Session& s, const char* name, const sip_t* sip, const std::string& sdp);
// REFER (on_refer.cc): incoming REFERs (in or out of a dialog), NOTIFYs on a call's dialog.
void on_incoming_refer(SipStack& stack, Session* bound, nua_handle_t* nh, const sip_t* sip, tagi_t tags[]);
void on_refer_notify(Session& s, nua_handle_t* nh, const sip_t* sip, tagi_t tags[]);
// Messaging (on_message.cc, on_subscribe.cc): INFO/MESSAGE in and out, SUBSCRIBE answers
// and NOTIFYs of our subscriptions.
void on_incoming_info(Session& s, const sip_t* sip);
void on_incoming_message(Session& s, const sip_t* sip);
// An INFO or MESSAGE on a handle no session is bound to: when outside any dialog (a handle
// Sofia made for it), reported to the stack's account and the handle destroyed; false if not.
bool on_unbound_request(SipStack& stack, nua_event_t event, nua_handle_t* nh, const sip_t* sip);
void on_message_reply(Session& s, int status, const char* phrase, nua_handle_t* nh, const sip_t* sip);
void on_subscribe_reply(Session& s, int status, const char* phrase, nua_handle_t* nh, const sip_t* sip);
void on_incoming_notify(Session& s, nua_handle_t* nh, const sip_t* sip, tagi_t tags[]);
// The final NOTIFY of an out-of-dialog REFER's subscription was answered: its handle (ours,
// unbound) can go.
bool refer_notify_done(nua_handle_t* nh, int status, tagi_t tags[]);
// The raw Referred-By header value ("<sip:..>"), "" when absent.
std::string referred_by_header(const sip_t* sip);

}  // namespace rtpgate::ctl
