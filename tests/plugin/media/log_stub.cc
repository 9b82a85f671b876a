// ctl::log for binaries without Janus (unit tests, rtpgate-media-probe): stderr, level
// from RTPGATE_LOG_LEVEL (default 3 = warnings).
#include <cstdarg>
#include <cstdio>
#include <cstdlib>

#include "log.h"

namespace rtpgate::ctl {

bool log_enabled(Log level) noexcept {
  static const int max_level = [] {
    const char* e = std::getenv("RTPGATE_LOG_LEVEL");
    return e != nullptr ? std::atoi(e) : 3;
  }();
  return static_cast<int>(level) <= max_level;
}

void log(Log level, const char* fmt, ...) {
  if (!log_enabled(level)) return;
  va_list ap;
  va_start(ap, fmt);
  std::fputs("[rtpgate] ", stderr);
  std::vfprintf(stderr, fmt, ap);
  std::fputc('\n', stderr);
  va_end(ap);
}

}  // namespace rtpgate::ctl
