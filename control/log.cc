#include "log.h"

#include <cstdarg>
#include <cstdio>

#include "janus_api.h"

namespace rtpgate::ctl {

bool log_enabled(Log level) noexcept { return static_cast<int>(level) <= janus_log_level; }

void log(Log level, const char* fmt, ...) {
  if (!log_enabled(level)) return;
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  const int lv = static_cast<int>(level);
  JANUS_LOG(lv, "[rtpgate] %s\n", buf);
}

}  // namespace rtpgate::ctl
