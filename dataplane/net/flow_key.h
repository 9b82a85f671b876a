// The data plane's lookup key: a relay's local (address, UDP port). Fixed 20 bytes,
// zero-padded so it hashes and compares as raw bytes.
#pragma once
#include <cstdint>
#include <cstring>

#include "rtpgate/shm/flow_entry.h"

namespace rtpgate::dp {

struct FlowKey {
  uint8_t family;   // 4 or 6
  uint8_t pad;
  uint16_t port_be; // network order, as on the wire
  uint8_t addr[16]; // IPv4 in addr[0..3], rest zero
};
static_assert(sizeof(FlowKey) == 20);

inline FlowKey make_key(const rtpgate_shm_addr& a, uint16_t port_host) noexcept {
  FlowKey k{};
  k.family = a.family;
  k.port_be = __builtin_bswap16(port_host);
  std::memcpy(k.addr, a.addr, a.family == 4 ? 4 : 16);
  return k;
}

}  // namespace rtpgate::dp
