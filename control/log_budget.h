// A token bucket for log lines that a remote peer can cause (a SIP peer's malformed SDP,
// a REFER without Refer-To, a stack error per bad message): a flood of such messages
// must not flood Janus's log. `burst` lines at once, then `per_s` a second; refused lines
// are counted and reported with the next admitted one. Not thread-safe (see log.cc).
#pragma once
#include <cstdint>

namespace rtpgate::ctl {

class LogBudget {
 public:
  LogBudget(uint32_t burst, uint32_t per_s) noexcept : burst_(burst), per_s_(per_s), tokens_(burst) {}
  // True when a line may be logged at `now_ns`; then *suppressed = the lines refused since
  // the previous admitted one.
  bool admit(uint64_t now_ns, uint64_t* suppressed) noexcept;

 private:
  const uint32_t burst_, per_s_;
  double tokens_;
  uint64_t last_ns_ = 0;
  uint64_t refused_ = 0;
};

}  // namespace rtpgate::ctl
