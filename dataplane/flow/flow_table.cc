// Private flow table (see header). Runs on the command lcore (writer) and workers (readers).
#include "flow/flow_table.h"

#include <rte_malloc.h>

namespace rtpgate::dp {
namespace {

template <typename T>
T* zalloc(const char* name, uint64_t n, int socket) {
  return static_cast<T*>(rte_zmalloc_socket(name, n * sizeof(T), alignof(T) < 64 ? 64 : alignof(T), socket));
}

uint64_t make_entry(uint32_t flow_id, uint32_t action) { return (uint64_t{flow_id} + 1) << 32 | action; }

}  // namespace

FlowTable::~FlowTable() {
  rte_free(port_map_);
  rte_free(actions_);
  rte_free(dyn_);
  rte_free(keys_);
  rte_free(free_actions_);
  rte_free(installed_bm_);
}

bool FlowTable::init(uint32_t capacity, const rtpgate_shm_header& h, int socket_id, rte_rcu_qsbr* qsbr,
                     std::string* why) {
  capacity_ = capacity;
  qsbr_ = qsbr;
  n_addrs_ = h.n_addrs;
  port_min_ = h.port_min;
  n_ports_ = uint32_t{h.port_max} - h.port_min + 1;
  for (uint32_t i = 0; i < n_addrs_; i++) {
    addrs_[i] = make_key(h.addrs[i], 0);
    uint32_t s = addr_hash(addrs_[i].family, addrs_[i].addr);
    while (addr_slot_[s] != 0) s = (s + 1) % kAddrSlots;
    addr_slot_[s] = static_cast<uint8_t>(i + 1);
  }
  port_map_ = zalloc<uint64_t>("rtpgate_port_map", uint64_t{n_addrs_} * n_ports_, socket_id);
  const uint64_t n_actions = uint64_t{capacity} + kActionSlack;
  actions_ = zalloc<FlowAction>("rtpgate_actions", n_actions, socket_id);
  dyn_ = zalloc<FlowDyn>("rtpgate_dyn", capacity, socket_id);
  keys_ = zalloc<FlowKey>("rtpgate_keys", capacity, socket_id);
  free_actions_ = zalloc<uint32_t>("rtpgate_free_actions", n_actions, socket_id);
  installed_bm_ = zalloc<uint64_t>("rtpgate_installed", (capacity + 63) / 64, socket_id);
  if (!port_map_ || !actions_ || !dyn_ || !keys_ || !free_actions_ || !installed_bm_) {
    *why = "cannot allocate private flow state for " + std::to_string(capacity) + " flows and " +
           std::to_string(n_addrs_) + " x " + std::to_string(n_ports_) +
           " relay ports (not enough hugepage memory? give EAL more with -m or fewer flows)";
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
  uint64_t* slot = map_slot(key);
  if (slot == nullptr) return Errc::BadParam;  // not a media address / outside the port range
  if (*slot != 0) return Errc::FlowExists;
  const uint32_t idx = alloc_action();
  if (idx == kNoFlow) return Errc::TableFull;
  actions_[idx] = a;
  FlowDyn& d = dyn_[flow_id];
  std::memset(&d, 0, sizeof(d));
  d.installed_tsc = now_tsc;
  keys_[flow_id] = key;
  // Publish: action contents and dynamic state first, then the id's action, then the key.
  __atomic_store_n(&d.action_idx, idx, __ATOMIC_RELEASE);
  __atomic_store_n(slot, make_entry(flow_id, idx), __ATOMIC_RELEASE);
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
  __atomic_store_n(map_slot(key), make_entry(flow_id, idx), __ATOMIC_RELEASE);
  dyn_[flow_id].idle_reported = 0;
  return Errc::Ok;
}

Errc FlowTable::remove(uint32_t flow_id, uint32_t* old_action) noexcept {
  if (flow_id >= capacity_ || dyn_[flow_id].action_idx == kNoFlow) return Errc::NoSuchFlow;
  __atomic_store_n(map_slot(keys_[flow_id]), uint64_t{0}, __ATOMIC_RELEASE);
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
