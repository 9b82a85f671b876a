// rtpgatectl: the data plane's run-time configuration (the region's configuration block)
// and configuration reloads.
#pragma once
#include <string>
#include <vector>

namespace rtpgate::ctl {

// config: the configuration file, its generation, the run-time settings in force and the
// outcome of the last reload.
int cmd_config_show(const std::string& shm, bool json);
// reload [--signal] [--seconds N]: through the command ring (or SIGHUP when another
// controller holds it, or with --signal); prints what changed, non-zero when refused.
int cmd_reload(const std::string& shm, const std::vector<std::string>& args, bool json);

}  // namespace rtpgate::ctl
