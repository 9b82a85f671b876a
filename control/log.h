// Plugin logging through Janus's own logger (levels honoured by the core's log_level).
// Never log secrets (SIP passwords, SRTP keys).
#pragma once

namespace rtpgate::ctl {

enum class Log { Fatal = 1, Err = 2, Warn = 3, Info = 4, Verb = 5, Huge = 6, Dbg = 7 };

// printf-style; prefixed with "[rtpgate] ". Cheap when the level is filtered out.
void log(Log level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
// The same for lines a remote peer can cause (SIP messages and their SDP): at most 20 at
// once and 2 a second after that, for all such lines together; how many were left out is
// logged with the next one (log_budget.h).
void log_peer(Log level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
bool log_enabled(Log level) noexcept;

}  // namespace rtpgate::ctl
