// Next-hop link-layer addresses. Entries are added by the command lcore (static ones at
// start-up); workers read `mac`/`resolved` per packet. Fixed capacity, no allocation.
#pragma once
#include <cstdint>
#include <cstring>

#include "rtpgate/shm/flow_entry.h"

namespace rtpgate::dp {

struct alignas(16) Neighbour {
  uint8_t mac[6];
  uint8_t resolved;  // 0: no link-layer address known (packets are dropped and counted)
  uint8_t family;
  uint8_t addr[16];
};

class NeighbourTable {
 public:
  static constexpr uint16_t kCapacity = 4096;
  static constexpr uint16_t kNone = UINT16_MAX;

  // Index of the entry for `a`, adding an unresolved one if absent; kNone when full.
  uint16_t find_or_add(const rtpgate_shm_addr& a) noexcept {
    const uint16_t i = find(a);
    if (i != kNone || n_ == kCapacity) return i;
    Neighbour& e = entries_[n_];
    std::memset(&e, 0, sizeof(e));
    e.family = a.family;
    std::memcpy(e.addr, a.addr, 16);
    return n_++;
  }
  uint16_t find(const rtpgate_shm_addr& a) const noexcept {
    for (uint16_t i = 0; i < n_; i++)
      if (entries_[i].family == a.family && std::memcmp(entries_[i].addr, a.addr, 16) == 0) return i;
    return kNone;
  }
  void set_mac(uint16_t idx, const uint8_t mac[6]) noexcept {
    std::memcpy(entries_[idx].mac, mac, 6);
    __atomic_store_n(&entries_[idx].resolved, 1, __ATOMIC_RELEASE);
  }
  const Neighbour& at(uint16_t idx) const noexcept { return entries_[idx]; }
  uint16_t size() const noexcept { return n_; }

 private:
  Neighbour entries_[kCapacity]{};
  uint16_t n_ = 0;
};

}  // namespace rtpgate::dp
