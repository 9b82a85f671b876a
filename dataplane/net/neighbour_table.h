// Next-hop link-layer addresses (ARP / IPv6 ND, plus static entries from config).
// Entries are appended by the command lcore (next hops of new flows) and at start-up;
// any thread may learn a MAC (one 64-bit atomic store); workers read per packet; the
// exception thread probes and ages. Fixed capacity, no allocation.
#pragma once
#include <cstdint>
#include <cstring>

#include "rtpgate/shm/flow_entry.h"

namespace rtpgate::dp {

struct alignas(64) Neighbour {
  uint64_t mac_word;        // MAC in the low 6 bytes (little-endian byte order = wire order)
  uint8_t resolved;         // 0: no usable link-layer address (packets wait or are dropped)
  uint8_t is_static;        // from config: never aged
  uint8_t family;
  uint8_t probes;           // probes sent since the last confirmation (exception thread)
  uint16_t port_id;         // DPDK port the next hop is reached through
  uint8_t is_local;         // one of our own media addresses: frames come back in (hairpin)
  uint8_t pad[1];
  uint64_t confirmed_ns;    // last time the MAC was learnt/confirmed (CLOCK_MONOTONIC)
  uint64_t probe_ns;        // last probe sent (exception thread)
  uint8_t addr[16];

  void mac(uint8_t out[6]) const noexcept {
    const uint64_t w = __atomic_load_n(&mac_word, __ATOMIC_ACQUIRE);
    std::memcpy(out, &w, 6);
  }
};

class NeighbourTable {
 public:
  static constexpr uint16_t kCapacity = 4096;
  static constexpr uint16_t kNone = UINT16_MAX;

  // Index of the entry for `a`, adding an unresolved one reached through `port_id` if
  // absent; kNone when full. Writer: command lcore / start-up only.
  uint16_t find_or_add(const rtpgate_shm_addr& a, uint16_t port_id) noexcept {
    const uint16_t i = find(a.family, a.addr);
    if (i != kNone) return i;
    const uint16_t n = size();
    if (n == kCapacity) return kNone;
    Neighbour& e = entries_[n];
    std::memset(&e, 0, sizeof(e));
    e.family = a.family;
    e.port_id = port_id;
    std::memcpy(e.addr, a.addr, a.family == 4 ? 4 : 16);
    __atomic_store_n(&n_, static_cast<uint16_t>(n + 1), __ATOMIC_RELEASE);
    return n;
  }
  uint16_t find(uint8_t family, const uint8_t* addr) const noexcept {
    const uint16_t n = size();
    const size_t alen = family == 4 ? 4 : 16;
    for (uint16_t i = 0; i < n; i++)
      if (entries_[i].family == family && std::memcmp(entries_[i].addr, addr, alen) == 0) return i;
    return kNone;
  }
  // Any thread: a MAC learnt (ARP/NA) or configured for entry idx.
  void set_mac(uint16_t idx, const uint8_t mac[6], uint64_t now_ns) noexcept {
    uint64_t w = 0;
    std::memcpy(&w, mac, 6);
    Neighbour& e = entries_[idx];
    __atomic_store_n(&e.mac_word, w, __ATOMIC_RELEASE);
    e.confirmed_ns = now_ns;
    e.probes = 0;
    __atomic_store_n(&e.resolved, 1, __ATOMIC_RELEASE);
  }
  // Learns from a packet when `addr` is a known next hop; returns whether it was.
  bool learn(uint8_t family, const uint8_t* addr, const uint8_t mac[6], uint64_t now_ns) noexcept {
    const uint16_t i = find(family, addr);
    if (i == kNone || entries_[i].is_static) return false;
    set_mac(i, mac, now_ns);
    return true;
  }
  void set_static(uint16_t idx) noexcept { entries_[idx].is_static = 1; }
  // Entry idx is one of our own addresses on a port whose MAC is `own_mac`: resolved for
  // good, never probed or aged; workers turn frames for it around (lcore_ctx.h hairpin).
  void set_local(uint16_t idx, const uint8_t own_mac[6]) noexcept {
    entries_[idx].is_static = 1;
    entries_[idx].is_local = 1;
    set_mac(idx, own_mac, 0);
  }
  void expire(uint16_t idx) noexcept { __atomic_store_n(&entries_[idx].resolved, 0, __ATOMIC_RELEASE); }
  Neighbour& at(uint16_t idx) noexcept { return entries_[idx]; }
  const Neighbour& at(uint16_t idx) const noexcept { return entries_[idx]; }
  uint16_t size() const noexcept { return __atomic_load_n(&n_, __ATOMIC_ACQUIRE); }

 private:
  Neighbour entries_[kCapacity]{};
  uint16_t n_ = 0;
};

}  // namespace rtpgate::dp
