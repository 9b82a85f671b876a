// Textual IP addresses <-> the shared region's rtpgate_shm_addr, and the relay port range
// the plugin allocates from. Pure functions; any thread.
#pragma once
#include <cstdint>
#include <string>

#include "rtpgate/shm/flow_entry.h"

namespace rtpgate::ctl::media {

// "10.0.0.1" or "2001:db8::1" (no brackets). `family` 0 = either; 4 or 6 = only that one.
bool parse_addr(const std::string& text, int family, rtpgate_shm_addr* out) noexcept;
std::string format_addr(const rtpgate_shm_addr& a);
// Family unset, or 0.0.0.0 / :: (an SDP hold address).
bool addr_unspecified(const rtpgate_shm_addr& a) noexcept;

// Even RTP ports [first, last] (last + 1 is the RTCP port of the last pair).
struct PortRange {
  uint16_t first = 0;
  uint16_t last = 0;
  uint32_t pairs() const noexcept { return first == 0 ? 0 : (uint32_t{last} - first) / 2 + 1; }
};

// The RTP ports usable inside the region's [region_min, region_max] (inclusive), narrowed to
// the configured [want_min, want_max] when that subset holds at least one pair.
// *narrowed_ignored = true when a subset was configured but holds no pair inside the
// region's range (the caller warns once and the region's range is used).
PortRange usable_ports(uint16_t region_min, uint16_t region_max, uint16_t want_min, uint16_t want_max,
                       bool* subset_ignored) noexcept;

}  // namespace rtpgate::ctl::media
