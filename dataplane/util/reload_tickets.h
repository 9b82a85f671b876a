// Reload requests between any thread (a signal handler included) and the thread that
// performs them: a request returns a ticket; the performer takes every request made so
// far, works, and publishes one result that answers all of them. Lock-free.
#pragma once
#include <atomic>
#include <cstdint>

#include "rtpgate/errc.h"

namespace rtpgate::dp {

struct ReloadResult {
  Errc errc = Errc::Ok;
  uint32_t line = 0;  // line of the file that was refused (0 = not a line)
};

class ReloadTickets {
 public:
  // Any thread, async-signal-safe (one atomic add).
  uint64_t request() noexcept { return requested_.fetch_add(1, std::memory_order_acq_rel) + 1; }
  // True once a reload that started after `ticket` was requested finished; *r its result.
  bool done(uint64_t ticket, ReloadResult* r) const noexcept {
    if (done_.load(std::memory_order_acquire) < ticket) return false;
    const uint64_t v = result_.load(std::memory_order_acquire);
    r->errc = static_cast<Errc>(v >> 32);
    r->line = static_cast<uint32_t>(v);
    return true;
  }
  // Performer: the newest ticket when a reload is wanted, 0 otherwise.
  uint64_t wanted() const noexcept {
    const uint64_t want = requested_.load(std::memory_order_acquire);
    return want != done_.load(std::memory_order_relaxed) ? want : 0;
  }
  // Performer: answers every ticket up to `want` with `r`.
  void finish(uint64_t want, const ReloadResult& r) noexcept {
    result_.store(uint64_t{static_cast<uint16_t>(r.errc)} << 32 | r.line, std::memory_order_release);
    done_.store(want, std::memory_order_release);
  }

 private:
  std::atomic<uint64_t> requested_{0};
  std::atomic<uint64_t> done_{0};
  std::atomic<uint64_t> result_{0};  // errc << 32 | line
};

}  // namespace rtpgate::dp
