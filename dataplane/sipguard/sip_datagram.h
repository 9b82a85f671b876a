// A SIP datagram handed to the guard: the UDP payload (in the mbuf, not copied) and its
// source address, the key of the per-source rate limits. Plain data; any thread.
#pragma once
#include <cstdint>

namespace rtpgate::dp::sipguard {

struct SourceKey {
  uint8_t family = 0;     // 4 or 6
  uint8_t addr[16] = {};  // IPv4 in addr[0..3], the rest zero
};

struct SipDatagram {
  const uint8_t* data;  // UDP payload
  uint32_t len;
  SourceKey src;
};

}  // namespace rtpgate::dp::sipguard
