// Private flow table (see header). Runs on the command lcore (writer) and workers (readers).
#include "flow/flow_table.h"

#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include <cstring>

namespace rtpgate::dp {
namespace {

template <typename T>
T* zalloc(const char* name, uint64_t n, int socket) {
  return static_cast<T*>(rte_zmalloc_socket(name, n * sizeof(T), alignof(T) < 64 ? 64 : alignof(T), socket));
}

}  // namespace

FlowTable::~FlowTable() {
  if (hash_ != nullptr) rte_hash_free(hash_);
  rte_free(actions_);
  rte_free(dyn_);
  rte_free(keys_);
  rte_free(free_actions_);
  rte_free(installed_bm_);
}

bool FlowTable::init(uint32_t capacity, int socket_id, rte_rcu_qsbr* qsbr, std::string* why) {
  capacity_ = capacity;
  qsbr_ = qsbr;
  rte_hash_parameters hp{};
  hp.name = "rtpgate_flows";
  hp.entries = capacity < 8 ? 8 : capacity;
  hp.key_len = sizeof(FlowKey);
  hp.hash_func = rte_hash_crc;
  hp.socket_id = socket_id;
  hp.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF | RTE_HASH_EXTRA_FLAGS_EXT_TABLE;
  hash_ = rte_hash_create(&hp);
  if (hash_ == nullptr) {
    *why = "rte_hash_create for " + std::to_string(capacity) + " flows failed: " + rte_strerror(rte_errno) +
           " (not enough hugepage memory? try fewer flows or more hugepages)";
    return false;
  }
  if (qsbr_ != nullptr) {
    rte_hash_rcu_config rc{};
    rc.v = qsbr_;
    rc.mode = RTE_HASH_QSBR_MODE_DQ;
    if (rte_hash_rcu_qsbr_add(hash_, &rc) != 0) {
      *why = std::string("rte_hash_rcu_qsbr_add failed: ") + rte_strerror(rte_errno);
      return false;
    }
  }
  const uint64_t n_actions = uint64_t{capacity} + kActionSlack;
  actions_ = zalloc<FlowAction>("rtpgate_actions", n_actions, socket_id);
  dyn_ = zalloc<FlowDyn>("rtpgate_dyn", capacity, socket_id);
  keys_ = zalloc<FlowKey>("rtpgate_keys", capacity, socket_id);
  free_actions_ = zalloc<uint32_t>("rtpgate_free_actions", n_actions, socket_id);
  installed_bm_ = zalloc<uint64_t>("rtpgate_installed", (capacity + 63) / 64, socket_id);
  if (!actions_ || !dyn_ || !keys_ || !free_actions_ || !installed_bm_) {
    *why = "cannot allocate private flow state for " + std::to_string(capacity) + " flows";
    return false;
  }
  for (uint32_t i = 0; i < capacity; i++) dyn_[i].action_idx = kNoFlow;
  for (uint64_t i = 0; i < n_actions; i++) free_actions_[i] = static_cast<uint32_t>(n_actions - 1 - i);
  n_free_actions_ = static_cast<uint32_t>(n_actions);
  return true;
}

uint32_t FlowTable::alloc_action() noexcept {
  if (n_free_actions_ == 0) return kNoFlow;
  return free_actions_[--n_free_actions_];
}

void FlowTable::retire_action(uint32_t action_idx) noexcept {
  if (action_idx != kNoFlow) free_actions_[n_free_actions_++] = action_idx;
}

Errc FlowTable::install(uint32_t flow_id, const FlowKey& key, const FlowAction& a, uint64_t now_tsc) noexcept {
  if (flow_id >= capacity_) return Errc::BadParam;
  if (dyn_[flow_id].action_idx != kNoFlow) return Errc::FlowExists;
  if (rte_hash_lookup(hash_, &key) >= 0) return Errc::FlowExists;
  const uint32_t idx = alloc_action();
  if (idx == kNoFlow) return Errc::TableFull;
  actions_[idx] = a;
  FlowDyn& d = dyn_[flow_id];
  std::memset(&d, 0, sizeof(d));
  d.installed_tsc = now_tsc;
  d.action_idx = kNoFlow;
  keys_[flow_id] = key;
  // Publish: action contents first, then the id's action index, then the key.
  __atomic_store_n(&d.action_idx, idx, __ATOMIC_RELEASE);
  const int rc = rte_hash_add_key_data(hash_, &key, reinterpret_cast<void*>(uintptr_t{idx}));
  if (rc != 0) {
    __atomic_store_n(&d.action_idx, kNoFlow, __ATOMIC_RELEASE);
    retire_action(idx);
    return rc == -ENOSPC ? Errc::TableFull : Errc::BadParam;
  }
  installed_bm_[flow_id / 64] |= uint64_t{1} << (flow_id % 64);
  n_installed_++;
  return Errc::Ok;
}

Errc FlowTable::modify(uint32_t flow_id, const FlowKey& key, const FlowAction& a,
                       uint32_t* old_action) noexcept {
  if (flow_id >= capacity_ || dyn_[flow_id].action_idx == kNoFlow) return Errc::NoSuchFlow;
  if (std::memcmp(&keys_[flow_id], &key, sizeof(key)) != 0) return Errc::BadParam;  // key is fixed
  const uint32_t idx = alloc_action();
  if (idx == kNoFlow) return Errc::TableFull;
  actions_[idx] = a;
  *old_action = dyn_[flow_id].action_idx;
  __atomic_store_n(&dyn_[flow_id].action_idx, idx, __ATOMIC_RELEASE);
  // Replacing the data of an existing key is atomic for lock-free readers.
  rte_hash_add_key_data(hash_, &key, reinterpret_cast<void*>(uintptr_t{idx}));
  dyn_[flow_id].idle_reported = 0;
  return Errc::Ok;
}

Errc FlowTable::remove(uint32_t flow_id, uint32_t* old_action) noexcept {
  if (flow_id >= capacity_ || dyn_[flow_id].action_idx == kNoFlow) return Errc::NoSuchFlow;
  rte_hash_del_key(hash_, &keys_[flow_id]);
  *old_action = dyn_[flow_id].action_idx;
  __atomic_store_n(&dyn_[flow_id].action_idx, kNoFlow, __ATOMIC_RELEASE);
  installed_bm_[flow_id / 64] &= ~(uint64_t{1} << (flow_id % 64));
  n_installed_--;
  return Errc::Ok;
}

uint64_t FlowTable::grace_start() const noexcept {
  return qsbr_ != nullptr ? rte_rcu_qsbr_start(qsbr_) : 0;
}

bool FlowTable::reclaimable(uint64_t token) const noexcept {
  return qsbr_ == nullptr || rte_rcu_qsbr_check(qsbr_, token, false) == 1;
}

}  // namespace rtpgate::dp
