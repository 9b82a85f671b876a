// rtpgatectl: turning "add"/"mod" command-line options into flow slot parameters.
#pragma once
#include <string>
#include <vector>

#include "rtpgate/shm/flow_entry.h"

namespace rtpgate::ctl {

struct FlowArgs {
  rtpgate_shm_flow_params p{};
  bool local_port_auto = false;
};

// Parses options (see usage in main.cc). On error returns false with a message.
bool parse_flow_args(const std::vector<std::string>& args, FlowArgs* out, std::string* why);
// "IP:PORT", "[IPv6]:PORT" or "IP" (port 0).
bool parse_endpoint(const std::string& s, rtpgate_shm_addr* addr, uint16_t* port);
std::string format_endpoint(const rtpgate_shm_addr& a, uint16_t port);

}  // namespace rtpgate::ctl
