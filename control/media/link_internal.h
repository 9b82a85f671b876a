// What the DataPlaneLink files share (dataplane_link.cc, link_attach.cc, link_send.cc,
// link_srtp.cc, link_record.cc): the cookie that tags our flows, counter bumps, command error texts and the
// dispatch lock that control takes ahead of the bridge thread.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "media/dataplane_link.h"

namespace rtpgate::ctl::media::link_util {

inline constexpr uint32_t kCookieTag = 0xC7;  // high byte of every cookie this plugin writes
inline constexpr uint64_t kMinDpMaxAgeMs = 1000;

// The data plane runs: RUNNING, and a heartbeat younger than five of its intervals (at
// least kMinDpMaxAgeMs).
inline bool dp_running(const shm::ControlClient& cc) noexcept {
  return cc.dp_alive(std::max<uint64_t>(kMinDpMaxAgeMs, 5ull * cc.hdr().heartbeat_interval_ms));
}

inline void bump(std::atomic<uint64_t>& c, uint64_t n = 1) noexcept { c.fetch_add(n, std::memory_order_relaxed); }

inline uint32_t cookie_of(StreamId id) noexcept {
  return kCookieTag << 24 | (static_cast<uint32_t>(id >> 32) & 0x00ffffffu);
}

inline std::string cmd_error(const char* what, Errc e, uint32_t timeout_ms) {
  if (e == Errc::Timeout)
    return std::string(what) + ": rtpgate data plane did not answer within " + std::to_string(timeout_ms) + " ms";
  return std::string(what) + ": rtpgate data plane refused the flow (" + std::string(to_string(e)) + ")";
}

// "<what>: <error text>" for a command the data plane answered with `e`.
inline std::string errc_text(const char* what, Errc e) { return std::string(what) + ": " + std::string(to_string(e)); }

// Takes the dispatch lock ahead of the bridge thread (which backs off while we wait).
class DispatchLock {
 public:
  DispatchLock(std::mutex& mu, std::atomic<uint32_t>& waiters) : mu_(mu), waiters_(waiters) {
    waiters_.fetch_add(1, std::memory_order_relaxed);
    mu_.lock();
    waiters_.fetch_sub(1, std::memory_order_relaxed);
  }
  ~DispatchLock() { mu_.unlock(); }
  DispatchLock(const DispatchLock&) = delete;
  DispatchLock& operator=(const DispatchLock&) = delete;

 private:
  std::mutex& mu_;
  std::atomic<uint32_t>& waiters_;
};

}  // namespace rtpgate::ctl::media::link_util
