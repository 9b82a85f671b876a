#include "log.h"

#include <time.h>

#include <cstdarg>
#include <cstdio>
#include <mutex>

#include "janus_api.h"
#include "log_budget.h"

namespace rtpgate::ctl {
namespace {

void vlog(Log level, const char* fmt, va_list ap) {
  char buf[1024];
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  const int lv = static_cast<int>(level);
  JANUS_LOG(lv, "[rtpgate] %s\n", buf);
}

uint64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

}  // namespace

bool log_enabled(Log level) noexcept { return static_cast<int>(level) <= janus_log_level; }

void log(Log level, const char* fmt, ...) {
  if (!log_enabled(level)) return;
  va_list ap;
  va_start(ap, fmt);
  vlog(level, fmt, ap);
  va_end(ap);
}

void log_peer(Log level, const char* fmt, ...) {
  if (!log_enabled(level)) return;
  static std::mutex mu;
  static LogBudget budget(20, 2);
  uint64_t suppressed = 0;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (!budget.admit(monotonic_ns(), &suppressed)) return;
  }
  if (suppressed != 0)
    log(Log::Warn, "%lu log line(s) caused by SIP peers left out (rate limit)", static_cast<unsigned long>(suppressed));
  va_list ap;
  va_start(ap, fmt);
  vlog(level, fmt, ap);
  va_end(ap);
}

}  // namespace rtpgate::ctl
