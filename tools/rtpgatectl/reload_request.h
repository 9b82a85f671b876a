// rtpgatectl: asking the data plane to reload (its configuration or the SIP guard's rules)
// and waiting for the answer. Through the command ring when no other controller holds it;
// otherwise (the Janus plugin attached, or --signal) with SIGHUP, watching the reload
// counter of the block that reports the outcome.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "rtpgate/errc.h"
#include "rtpgate/shm/cmd_ring.h"
#include "rtpgate/shm/region_map.h"

namespace rtpgate::ctl {

struct ReloadOutcome {
  bool answered = false;  // false: *why says what went wrong before any answer
  Errc errc = Errc::Ok;
  uint32_t line = 0;
};

struct ReloadWatch {
  // Attempts counted so far by the block reporting the outcome.
  std::function<uint64_t(const shm::Region&)> attempts;
  // The outcome of the last attempt, as that block states it.
  std::function<ReloadOutcome(const shm::Region&)> last;
};

ReloadOutcome request_reload(const std::string& shm_name, rtpgate_cmd_op op, bool use_signal, double seconds,
                             const ReloadWatch& watch, std::string* why);

// "[--signal] [--seconds N]" of guard-reload and reload; false on anything else.
bool parse_reload_args(const std::vector<std::string>& args, bool* use_signal, double* seconds);

}  // namespace rtpgate::ctl
