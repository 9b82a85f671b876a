#include "subscriptions.h"

#include <sofia-sip/nua_tag.h>

#include <algorithm>

#include "sip/sip_stack.h"

namespace rtpgate::ctl {
namespace {

bool stack_alive(const std::shared_ptr<SipStack>& st) { return st && !st->shut_down(); }

}  // namespace

void Messaging::use_stack(const std::shared_ptr<SipStack>& stack) {
  if (stack_ == stack) return;
  release();
  stack_ = stack;
}

Subscription* Messaging::subscription(const std::string& event) {
  auto it = std::find_if(subscriptions_.begin(), subscriptions_.end(),
                         [&](const Subscription& x) { return x.event == event; });
  return it == subscriptions_.end() ? nullptr : &*it;
}

Subscription* Messaging::subscription(nua_handle_t* nh) {
  auto it = std::find_if(subscriptions_.begin(), subscriptions_.end(),
                         [&](const Subscription& x) { return x.nh == nh; });
  return it == subscriptions_.end() ? nullptr : &*it;
}

void Messaging::add_subscription(const std::string& event, nua_handle_t* nh) {
  subscriptions_.push_back(Subscription{event, nh, false, 0});
}

void Messaging::add_message(nua_handle_t* nh, const std::string& call_id) {
  messages_.push_back(PendingMessage{nh, call_id, 0});
}

PendingMessage* Messaging::message(nua_handle_t* nh) {
  auto it = std::find_if(messages_.begin(), messages_.end(), [&](const PendingMessage& m) { return m.nh == nh; });
  return it == messages_.end() ? nullptr : &*it;
}

void Messaging::message_done(nua_handle_t* nh) {
  auto it = std::find_if(messages_.begin(), messages_.end(), [&](const PendingMessage& m) { return m.nh == nh; });
  if (it == messages_.end()) return;
  messages_.erase(it);
  if (stack_alive(stack_)) nua_handle_destroy(nh);
}

void Messaging::release() {
  const bool alive = stack_alive(stack_);
  for (Subscription& sub : subscriptions_) {
    if (!alive) continue;   // nua_destroy already freed the handle
    nua_handle_bind(sub.nh, nullptr);
    // The answer to the un-SUBSCRIBE reaches the orphan path, which destroys the handle.
    if (sub.active) nua_unsubscribe(sub.nh, SIPTAG_EXPIRES_STR("0"), TAG_END());
    else nua_handle_destroy(sub.nh);
  }
  // A MESSAGE already left; its answer is of no interest any more.
  for (PendingMessage& m : messages_)
    if (alive) nua_handle_destroy(m.nh);
  subscriptions_.clear();
  messages_.clear();
  in_dialog_auth_tries = 0;
  stack_.reset();
}

}  // namespace rtpgate::ctl
