// One client request, as handed from Janus's thread to the Sofia loop.
#pragma once
#include <memory>
#include <string>

#include "events.h"
#include "json.h"
#include "requests/validate.h"
#include "session.h"

namespace rtpgate::ctl {

struct Request {
  std::shared_ptr<Session> session;
  std::string transaction;
  Json body;
  Json jsep;
  std::string name;   // lower case

  Session& s() const noexcept { return *session; }
  void fail(int code, const std::string& text) const { Events::error(*session, transaction, code, text); }
  void fail(const ApiError& e) const { Events::error(*session, transaction, e.code, e.text); }
  void ok(Json result, Json jsep_out = {}) const {
    Events::result(*session, transaction, std::move(result), std::move(jsep_out));
  }
};

using RequestHandler = void (*)(Request&);

// The in-call requests' state checks (spec §3.3): an established call (else error_code 0
// "Wrong state (not in a call?)"), with a peer and a dialog (else 447 "no callee?").
inline ApiError check_in_call(const Session& s) {
  if (!established(s.call.status)) return {0, "Wrong state (not in a call?)"};
  if (s.call.callee.empty() || s.call.nh == nullptr) return {kErrWrongState, "Wrong state (no callee?)"};
  return {};
}

// Looks a request name (lower case) up; nullptr if unknown.
RequestHandler find_request(const std::string& name);
// Runs on the loop: envelope checks (440/441/443/444/442), then the handler.
void dispatch_request(Request& r);

// The handlers, one per file in requests/.
void handle_register(Request& r);
void handle_unregister(Request& r);
void handle_call(Request& r);
void handle_accept(Request& r);
void handle_progress(Request& r);
void handle_send_ringing(Request& r);
void handle_decline(Request& r);
void handle_hangup(Request& r);
void handle_reset(Request& r);
// Messaging (info.cc, message.cc, subscribe.cc).
void handle_info(Request& r);
void handle_dtmf_info(Request& r);
void handle_message(Request& r);
void handle_subscribe(Request& r);
void handle_unsubscribe(Request& r);
void handle_transfer(Request& r);
// `decline` with a refer_id (requests/transfer.cc, spec §4.6).
void decline_transfer(Request& r, uint32_t refer_id);
void handle_keyframe(Request& r);
void handle_recording(Request& r);
void handle_rtp_forward(Request& r);
void handle_stop_rtp_forward(Request& r);
void handle_listforwarders(Request& r);
void handle_hold(Request& r);
void handle_unhold(Request& r);
void handle_update(Request& r);

}  // namespace rtpgate::ctl
