// Log-line token bucket (see log_budget.h). Pure.
#include "log_budget.h"

namespace rtpgate::ctl {

bool LogBudget::admit(uint64_t now_ns, uint64_t* suppressed) noexcept {
  if (last_ns_ != 0 && now_ns > last_ns_) {
    tokens_ += static_cast<double>(now_ns - last_ns_) * per_s_ / 1e9;
    if (tokens_ > burst_) tokens_ = burst_;
  }
  if (last_ns_ == 0 || now_ns > last_ns_) last_ns_ = now_ns;
  if (tokens_ < 1.0) {
    refused_++;
    return false;
  }
  tokens_ -= 1.0;
  *suppressed = refused_;
  refused_ = 0;
  return true;
}

}  // namespace rtpgate::ctl
