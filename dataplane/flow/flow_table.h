// The data plane's private flow table. Flows are keyed on a relay's (media address,
// port), and both come from small known sets (the region's addresses, the port range),
// so the lookup is direct: an address slot table picks the address index and a dense
// port map holds one 64-bit entry (flow id + action index) per (address, port). Entries
// are published with single atomic stores: readers never lock. Single writer: the
// command lcore. Readers: every worker (QSBR quiescent once per loop iteration), which
// lets replaced actions and removed flow ids be reused only after a grace period.
#pragma once
#include <rte_rcu_qsbr.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "flow/flow_state.h"
#include "net/flow_key.h"
#include "rtpgate/errc.h"
#include "rtpgate/shm/region.h"

namespace rtpgate::dp {

class FlowTable {
 public:
  static constexpr uint32_t kActionSlack = 4096;  // actions retired but not yet reclaimed
  static constexpr uint32_t kAddrSlots = 256;      // open-addressing slots for <= 64 addresses

  FlowTable() = default;
  ~FlowTable();
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;

  // capacity = number of flow ids; the region header gives the media addresses and the
  // port range the map covers. `qsbr` may be null when only one thread reads.
  bool init(uint32_t capacity, const rtpgate_shm_header& h, int socket_id, rte_rcu_qsbr* qsbr,
            std::string* why);

  uint32_t capacity() const noexcept { return capacity_; }
  FlowAction* actions() const noexcept { return actions_; }
  FlowDyn& dyn(uint32_t flow_id) const noexcept { return dyn_[flow_id]; }
  uint32_t installed() const noexcept { return n_installed_; }
  uint64_t map_bytes() const noexcept { return uint64_t{n_addrs_} * n_ports_ * sizeof(uint64_t); }
  // Bitmap of installed flow ids (words of 64), read by housekeeping.
  const uint64_t* installed_bitmap() const noexcept { return installed_bm_; }

  // Reader side. Entry for a destination: 0 = no flow; else flow_of()/action_of_entry().
  [[gnu::always_inline]] uint64_t lookup(const FlowKey& k) const noexcept {
    const uint64_t* slot = map_slot(k);
    return slot == nullptr ? 0 : __atomic_load_n(slot, __ATOMIC_ACQUIRE);
  }
  static uint32_t flow_of(uint64_t entry) noexcept { return static_cast<uint32_t>(entry >> 32) - 1; }
  static uint32_t action_of_entry(uint64_t entry) noexcept { return static_cast<uint32_t>(entry); }
  // Current action index of a flow id (kNoFlow when not installed).
  uint32_t action_of(uint32_t flow_id) const noexcept {
    return __atomic_load_n(&dyn_[flow_id].action_idx, __ATOMIC_ACQUIRE);
  }
  // The current action of a flow id; nullptr when out of range or not installed.
  const FlowAction* action(uint32_t flow_id) const noexcept {
    if (flow_id >= capacity_) return nullptr;
    const uint32_t idx = action_of(flow_id);
    return idx == kNoFlow ? nullptr : &actions_[idx];
  }

  // Writer side (command lcore).
  Errc install(uint32_t flow_id, const FlowKey& key, const FlowAction& a, uint64_t now_tsc) noexcept;
  // Publishes a new action for an installed flow; *old_action must be retired after a
  // grace period (grace_start()/reclaimable()).
  Errc modify(uint32_t flow_id, const FlowKey& key, const FlowAction& a, uint32_t* old_action) noexcept;
  // Unpublishes the key. The flow id and *old_action may be reused only after a grace period.
  Errc remove(uint32_t flow_id, uint32_t* old_action) noexcept;
  uint64_t grace_start() const noexcept;
  bool reclaimable(uint64_t token) const noexcept;
  // Returns an action to the pool (after its grace period).
  void retire_action(uint32_t action_idx) noexcept;

 private:
  // Fixed-size loads and compares only (this runs once per packet).
  static uint32_t addr_hash(uint8_t family, const uint8_t* a) noexcept {
    uint32_t w[4] = {};
    if (family == 4) std::memcpy(w, a, 4);
    else std::memcpy(w, a, 16);
    const uint32_t x = w[0] ^ w[1] ^ w[2] ^ w[3];
    return (x * 0x9E3779B1u) >> 24;  // 8 bits: kAddrSlots
  }
  static bool same_addr(const FlowKey& a, const FlowKey& k) noexcept {
    if (a.family != k.family) return false;
    return k.family == 4 ? std::memcmp(a.addr, k.addr, 4) == 0 : std::memcmp(a.addr, k.addr, 16) == 0;
  }
  [[gnu::always_inline]] uint64_t* map_slot(const FlowKey& k) const noexcept {
    for (uint32_t h = addr_hash(k.family, k.addr), n = 0; n < kAddrSlots; n++, h = (h + 1) % kAddrSlots) {
      const uint8_t s = addr_slot_[h];
      if (s == 0) return nullptr;
      if (!same_addr(addrs_[s - 1], k)) continue;
      const uint32_t port = __builtin_bswap16(k.port_be);
      if (port - port_min_ >= n_ports_) return nullptr;
      return &port_map_[uint64_t{s - 1u} * n_ports_ + (port - port_min_)];
    }
    return nullptr;
  }
  uint32_t alloc_action() noexcept;

  rte_rcu_qsbr* qsbr_ = nullptr;
  uint64_t* port_map_ = nullptr;    // n_addrs_ x n_ports_ entries: (flow id + 1) << 32 | action
  FlowKey addrs_[RTPGATE_SHM_MAX_ADDRS]{};
  uint8_t addr_slot_[kAddrSlots]{}; // address index + 1, 0 = empty
  uint32_t n_addrs_ = 0, n_ports_ = 0, port_min_ = 0;
  FlowAction* actions_ = nullptr;   // capacity_ + kActionSlack entries
  FlowDyn* dyn_ = nullptr;          // capacity_ entries
  FlowKey* keys_ = nullptr;         // key each installed flow id was published under
  uint32_t* free_actions_ = nullptr;
  uint64_t* installed_bm_ = nullptr;
  uint32_t n_free_actions_ = 0;
  uint32_t capacity_ = 0;
  uint32_t n_installed_ = 0;
};

}  // namespace rtpgate::dp
