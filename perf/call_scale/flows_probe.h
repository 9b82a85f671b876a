// Leak check of our plugin: runs the command given with --flows-cmd (it prints
// `rtpgatectl --json info`) and reads flows_allocated. Main thread.
#pragma once
#include <string>

namespace rtpgate::perf {

// flows_allocated now; -1 if the command failed or printed no such field.
long flows_allocated(const std::string& cmd);
// Polls every 100 ms until flows_allocated is 0 or `timeout_ms` passed; returns the last value.
long wait_flows_released(const std::string& cmd, int timeout_ms);

}  // namespace rtpgate::perf
