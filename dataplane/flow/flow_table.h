// The data plane's private flow table: rte_hash (lock-free readers) from FlowKey to an
// action index, an action pool and per-flow-id dynamic state. Single writer: the command
// lcore. Readers: every worker (QSBR quiescent once per loop iteration).
#pragma once
#include <rte_hash.h>
#include <rte_rcu_qsbr.h>

#include <cstdint>
#include <string>

#include "flow/flow_state.h"
#include "net/flow_key.h"
#include "rtpgate/errc.h"

namespace rtpgate::dp {

class FlowTable {
 public:
  FlowTable() = default;
  ~FlowTable();
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;

  // capacity = number of flow ids; `qsbr` may be null when only one thread reads.
  bool init(uint32_t capacity, int socket_id, rte_rcu_qsbr* qsbr, std::string* why);

  uint32_t capacity() const noexcept { return capacity_; }
  rte_hash* hash() const noexcept { return hash_; }
  FlowAction* actions() const noexcept { return actions_; }
  FlowDyn* dyns() const noexcept { return dyn_; }
  FlowDyn& dyn(uint32_t flow_id) const noexcept { return dyn_[flow_id]; }
  const FlowKey& key_of(uint32_t flow_id) const noexcept { return keys_[flow_id]; }
  uint32_t installed() const noexcept { return n_installed_; }
  // Bitmap of installed flow ids (words of 64), read by housekeeping.
  const uint64_t* installed_bitmap() const noexcept { return installed_bm_; }

  // Writer side (command lcore). `a` is fully built except flow_id/version bookkeeping.
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

  // Reader side: current action index of a flow id (kNoFlow when not installed).
  uint32_t action_of(uint32_t flow_id) const noexcept {
    return __atomic_load_n(&dyn_[flow_id].action_idx, __ATOMIC_ACQUIRE);
  }

 private:
  uint32_t alloc_action() noexcept;

  rte_hash* hash_ = nullptr;
  rte_rcu_qsbr* qsbr_ = nullptr;
  FlowAction* actions_ = nullptr;   // capacity_ + kActionSlack entries
  FlowDyn* dyn_ = nullptr;          // capacity_ entries
  FlowKey* keys_ = nullptr;         // key each installed flow id was published under
  uint32_t* free_actions_ = nullptr;
  uint64_t* installed_bm_ = nullptr;
  uint32_t n_free_actions_ = 0;
  uint32_t capacity_ = 0;
  uint32_t n_installed_ = 0;
 public:
  static constexpr uint32_t kActionSlack = 4096;  // actions retired but not yet reclaimed
};

}  // namespace rtpgate::dp
