// CommandApplier: flows of a dead control plane. The controller (the Janus plugin)
// refreshes control_heartbeat_ns in the region header about once a second. When Janus is
// killed, the flows that deliver to its packet rings (TO_CTL: every call's media) would
// keep filling rings nobody drains; after control_grace_ms without a heartbeat they are
// removed like FLOW_REMOVE (deferred past a QSBR grace period), without completions. Their
// slots stay allocated in the region's bitmap (control's to free): the next plugin instance
// finds and frees them when it attaches (reclaim of an earlier instance's leftovers), and
// a new controller is accepted at any time. Command lcore only.
#include "flow/command_apply.h"

#include "rtpgate/shm/region_map.h"

namespace rtpgate::dp {

uint32_t CommandApplier::expire_dead_control(uint64_t now_tsc, uint64_t* ctr) noexcept {
  const uint32_t grace_ms = dp_.live.control_grace_ms.load(std::memory_order_relaxed);
  if (grace_ms == 0) return 0;
  if (!expiring_) {
    if (now_tsc < expiry_check_tsc_) return 0;
    expiry_check_tsc_ = now_tsc + dp_.tsc_hz / 10;  // look ten times a second
    const rtpgate_shm_header& h = *dp_.region.hdr();
    const uint64_t hb = __atomic_load_n(&h.control_heartbeat_ns, __ATOMIC_ACQUIRE);
    if (hb == 0 || hb == expired_hb_ns_ || __atomic_load_n(&h.control_pid, __ATOMIC_ACQUIRE) == 0) return 0;
    const uint64_t now = shm::monotonic_ns();
    if (now < hb || now - hb <= uint64_t{grace_ms} * 1000000ull) return 0;
    expired_hb_ns_ = hb;  // once per dead controller: a new one heartbeats again
    expiring_ = true;
    expiry_cursor_ = 0;
  }
  // A bounded sweep per poll, leaving room in the deferred queue for control's commands.
  constexpr uint32_t kPerPoll = 64;
  uint32_t removed = 0;
  const uint32_t cap = dp_.table.capacity();
  while (expiry_cursor_ < cap && removed < kPerPoll && n_deferred_ + 1 < kMaxDeferred) {
    const uint32_t id = expiry_cursor_++;
    const uint32_t idx = dp_.table.action_of(id);
    if (idx == kNoFlow || dp_.table.actions()[idx].action != RTPGATE_ACT_TO_CTL) continue;
    uint32_t old = kNoFlow;
    if (dp_.table.remove(id, &old) != Errc::Ok) continue;
    defer(old, nullptr);
    ctr[RTPGATE_CTR_flows_ctl_expired]++;
    removed++;
  }
  if (expiry_cursor_ >= cap) expiring_ = false;
  return removed;
}

}  // namespace rtpgate::dp
