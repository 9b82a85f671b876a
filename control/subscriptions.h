// The Sofia handles a session owns for messaging, besides its call and its registration
// (loop thread only): one SUBSCRIBE dialog per event package (spec §4.14: the event name is
// the key, as stock) and the out-of-dialog MESSAGEs still waiting for their final response
// (§4.12). Handles are bound to the session (hmagic); release() unbinds them, so that
// nothing Sofia reports later can reach a session that is gone.
#pragma once
#include <sofia-sip/nua.h>

#include <memory>
#include <string>
#include <vector>

namespace rtpgate::ctl {

class SipStack;

struct Subscription {
  std::string event;
  nua_handle_t* nh = nullptr;
  bool active = false;     // a 2xx came and no NOTIFY said terminated since
  int auth_tries = 0;      // digest answers since the last final response
};

struct PendingMessage {
  nua_handle_t* nh = nullptr;
  std::string call_id;
  int auth_tries = 0;
};

class Messaging {
 public:
  Messaging() = default;
  ~Messaging() = default;   // Sofia is only touched by release(), on the loop thread
  Messaging(const Messaging&) = delete;
  Messaging& operator=(const Messaging&) = delete;

  // The stack new handles are created on: the session's own, or its master's. Handles made
  // on an earlier stack are released first.
  void use_stack(const std::shared_ptr<SipStack>& stack);

  Subscription* subscription(const std::string& event);
  Subscription* subscription(nua_handle_t* nh);
  void add_subscription(const std::string& event, nua_handle_t* nh);

  void add_message(nua_handle_t* nh, const std::string& call_id);
  PendingMessage* message(nua_handle_t* nh);
  // The MESSAGE got its final answer: its handle is destroyed.
  void message_done(nua_handle_t* nh);

  int in_dialog_auth_tries = 0;   // digest answers to the last in-dialog MESSAGE

  // Active subscriptions are ended (un-SUBSCRIBE): their handles are unbound now and
  // destroyed by the orphan-event path on the answer (nua_r_unsubscribe). Every other
  // handle is destroyed at once. Handles of a stack already shut down are only forgotten.
  void release();

 private:
  std::shared_ptr<SipStack> stack_;
  std::vector<Subscription> subscriptions_;
  std::vector<PendingMessage> messages_;
};

}  // namespace rtpgate::ctl
