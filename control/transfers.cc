// The received-REFER table and the NOTIFYs that report a transfer's follow-up call
// (spec §4.6, §8). Loop thread only: every Sofia call here runs on the Sofia loop.
#include "transfers.h"

#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>

#include <random>
#include <unordered_map>

#include "log.h"
#include "session.h"
#include "sip/sip_stack.h"

namespace rtpgate::ctl {
namespace {

// Never destroyed: the plugin's handles must not be touched by static destructors
// after the Sofia loop is gone.
std::unordered_map<uint32_t, Transfer>& table() {
  static auto* t = new std::unordered_map<uint32_t, Transfer>();
  return *t;
}

// A REFER's handle may only be used while what owns it is alive: the receiver's call
// (in-dialog REFER) or the receiver's stack (out-of-dialog REFER).
bool usable(const Transfer& t) {
  auto s = t.receiver.lock();
  if (!s || s->destroyed.load() || t.nh == nullptr) return false;
  if (t.own_handle) return s->stack && !s->stack->shut_down();
  return s->call.nh == t.nh && s->call.call_id == t.dialog_call_id;
}


// Drops the transfers that can no longer be followed up: receiver gone, or the call whose
// dialog carried the REFER ended (the handles went with them: nothing to release).
void purge() {
  auto& tb = table();
  for (auto it = tb.begin(); it != tb.end();) {
    if (!usable(it->second)) it = tb.erase(it);
    else ++it;
  }
}

uint32_t random_id() {
  static thread_local std::mt19937 rng{std::random_device{}()};
  return static_cast<uint32_t>(rng());
}

}  // namespace

namespace transfers {

uint32_t add(Transfer t) {
  purge();
  auto& tb = table();
  uint32_t id = 0;
  while (id == 0 || tb.count(id) != 0) id = random_id();
  tb.emplace(id, std::move(t));
  return id;
}

const Transfer* find(uint32_t refer_id) {
  auto& tb = table();
  auto it = tb.find(refer_id);
  if (it == tb.end()) return nullptr;
  if (!usable(it->second)) {
    tb.erase(it);
    return nullptr;
  }
  return &it->second;
}

// An out-of-dialog REFER's own handle is destroyed once its final NOTIFY is answered
// (sip_events.cc, orphan events): destroying it here would cancel that NOTIFY.
void erase(uint32_t refer_id) { table().erase(refer_id); }

bool adopt_dialog(nua_handle_t* nh) {
  bool any = false;
  for (auto& [id, t] : table()) {
    if (t.nh != nh || t.own_handle || !usable(t)) continue;
    t.own_handle = true;
    t.dialog_call_id.clear();
    any = true;
  }
  return any;
}

void forget_handle(nua_handle_t* nh) {
  std::erase_if(table(), [nh](const auto& kv) { return kv.second.nh == nh; });
}

bool notify(uint32_t refer_id, int status, const char* phrase, bool final) {
  const Transfer* t = find(refer_id);
  if (t == nullptr) return false;
  const std::string frag = "SIP/2.0 " + std::to_string(status) + " " + (phrase ? phrase : "");
  nua_notify(t->nh, SIPTAG_EVENT_STR(t->event.c_str()),
             NUTAG_SUBSTATE(final ? nua_substate_terminated : nua_substate_active),
             SIPTAG_CONTENT_TYPE_STR("message/sipfrag"), SIPTAG_PAYLOAD_STR(frag.c_str()), TAG_END());
  log_peer(Log::Verb, "transfer %u: NOTIFY %s (%s)", refer_id, frag.c_str(), final ? "terminated" : "active");
  if (final) erase(refer_id);
  return true;
}

}  // namespace transfers

std::string link_transfer(Session& s, long long refer_id, std::string* headers) {
  if (refer_id <= 0 || refer_id > UINT32_MAX) return "";
  const Transfer* t = transfers::find(static_cast<uint32_t>(refer_id));
  if (t == nullptr) return "";
  s.call.refer_id = static_cast<uint32_t>(refer_id);
  std::string extra = t->headers;
  while (extra.size() >= 2 && extra.compare(extra.size() - 2, 2, "\r\n") == 0) extra.resize(extra.size() - 2);
  if (!extra.empty()) *headers = headers->empty() ? extra : *headers + "\r\n" + extra;
  return t->referred_by;
}

void refer_call_progress(Session& s, int status, const char* phrase, bool retrying_auth) {
  const uint32_t id = s.call.refer_id;
  if (id == 0) return;
  const bool final = status >= 200 && !retrying_auth;
  transfers::notify(id, status, phrase && *phrase ? phrase : sip_status_phrase(status), final);
  if (final) s.call.refer_id = 0;
}

}  // namespace rtpgate::ctl
