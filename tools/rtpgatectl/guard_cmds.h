// rtpgatectl: the data plane's SIP guard (docs/sipguard.md): its rule set and counters,
// reloading its rule file, and checking a rule file offline.
#pragma once
#include <string>
#include <vector>

namespace rtpgate::ctl {

// guard: state, rule file, reload status, per-action totals and per-rule hits.
int cmd_guard_show(const std::string& shm, bool json);
// guard-reload [--signal] [--seconds N]: through the command ring (or SIGHUP when another
// controller holds the ring, or with --signal); prints the result, non-zero when refused.
int cmd_guard_reload(const std::string& shm, const std::vector<std::string>& args, bool json);
// guard-check FILE: parses and compiles a rule file as the data plane would.
int cmd_guard_check(const std::vector<std::string>& args, bool json);

}  // namespace rtpgate::ctl
