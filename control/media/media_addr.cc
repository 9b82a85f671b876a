// Address parsing/formatting and the relay port range (see media_addr.h). Any thread.
#include "media/media_addr.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace rtpgate::ctl::media {

bool parse_addr(const std::string& text, int family, rtpgate_shm_addr* out) noexcept {
  rtpgate_shm_addr a{};
  if ((family == 0 || family == 4) && inet_pton(AF_INET, text.c_str(), a.addr) == 1) {
    a.family = 4;
  } else if ((family == 0 || family == 6) && inet_pton(AF_INET6, text.c_str(), a.addr) == 1) {
    a.family = 6;
  } else {
    return false;
  }
  *out = a;
  return true;
}

std::string format_addr(const rtpgate_shm_addr& a) {
  char buf[INET6_ADDRSTRLEN] = "";
  if (a.family == 4) inet_ntop(AF_INET, a.addr, buf, sizeof buf);
  else if (a.family == 6) inet_ntop(AF_INET6, a.addr, buf, sizeof buf);
  return buf;
}

bool addr_unspecified(const rtpgate_shm_addr& a) noexcept {
  static const uint8_t zero[16] = {};
  if (a.family == 4) return std::memcmp(a.addr, zero, 4) == 0;
  if (a.family == 6) return std::memcmp(a.addr, zero, 16) == 0;
  return true;
}

namespace {

// Even ports p with lo <= p and p + 1 <= hi.
PortRange even_pairs(uint32_t lo, uint32_t hi) noexcept {
  if (lo == 0) lo = 2;  // port 0 is never a relay port
  lo += lo & 1u;
  if (hi > 65535) hi = 65535;
  if (lo + 1 > hi) return {};
  const uint32_t last = (hi - 1) & ~1u;
  return {static_cast<uint16_t>(lo), static_cast<uint16_t>(last)};
}

}  // namespace

PortRange usable_ports(uint16_t region_min, uint16_t region_max, uint16_t want_min, uint16_t want_max,
                       bool* subset_ignored) noexcept {
  *subset_ignored = false;
  const PortRange region = even_pairs(region_min, region_max);
  if (want_min == 0 && want_max == 0) return region;
  const uint32_t lo = std::max<uint32_t>(region_min, want_min);
  const uint32_t hi = std::min<uint32_t>(region_max, want_max == 0 ? 65535u : want_max);
  const PortRange sub = lo <= hi ? even_pairs(lo, hi) : PortRange{};
  if (sub.pairs() == 0) {
    *subset_ignored = true;
    return region;
  }
  return sub;
}

}  // namespace rtpgate::ctl::media
