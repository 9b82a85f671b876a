// Copies a frame the data plane built itself (ARP/ND answers and probes, announcements)
// into a fresh mbuf, padded to the Ethernet minimum. Null when the pool is empty.
#pragma once
#include <rte_mbuf.h>

#include <cstring>

namespace rtpgate::dp {

inline rte_mbuf* frame_to_mbuf(rte_mempool* pool, const uint8_t* frame, uint32_t len) noexcept {
  rte_mbuf* m = rte_pktmbuf_alloc(pool);
  if (m == nullptr) return nullptr;
  const uint32_t padded = len < 60 ? 60 : len;
  auto* p = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(m, static_cast<uint16_t>(padded)));
  if (p == nullptr) {
    rte_pktmbuf_free(m);
    return nullptr;
  }
  std::memcpy(p, frame, len);
  if (padded > len) std::memset(p + len, 0, padded - len);
  return m;
}

}  // namespace rtpgate::dp
