// Sofia-SIP events of every stack, routed to the session they concern (loop thread).
#pragma once
#include <sofia-sip/nua.h>

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

}  // namespace rtpgate::ctl
