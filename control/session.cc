#include "session.h"

#include <atomic>
#include <random>

namespace rtpgate::ctl {
namespace {

std::atomic<uint64_t> g_next_id{1};

std::string random_uuid() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  const uint64_t a = rng(), b = rng();
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0x0fff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

}  // namespace

Session::Session(janus_plugin_session* h) : handle_(h), id_(g_next_id++) {
  unique_id = random_uuid();
  // Janus may free the handle once destroy_session returns: keep our reference.
  janus_refcount_increase_nodebug(&h->ref);
}

Session::~Session() { janus_refcount_decrease_nodebug(&handle_->ref); }

const Account& sending_account(const Session& s) {
  if (s.helper)
    if (auto m = s.master.lock()) return m->account;
  return s.account;
}

}  // namespace rtpgate::ctl
