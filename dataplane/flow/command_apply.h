// Applies control's commands from the shared command ring to the private flow table and
// answers on the completion ring. Runs on the command lcore only, between bursts.
#pragma once
#include <cstdint>

#include "lcore/dp_context.h"
#include "rtpgate/shm/spsc_ring.h"

namespace rtpgate::dp {

// Builds a flow's action from the parameters control wrote. Pure apart from the
// neighbour table (next hop entries are added unresolved when missing).
Errc build_action(DpContext& dp, uint32_t flow_id, const rtpgate_shm_flow_params& p, uint64_t now_tsc,
                  FlowAction* out, FlowKey* key) noexcept;

// A PLI control asked for (RTPGATE_CMD_PLI), sent by the command lcore's worker loop.
struct PliRequest {
  uint32_t flow_id;
  uint32_t sender_ssrc;
  bool force;
};

// The recording fields of an action (command_rec.cc): entries named by record_slot /
// record_tx_slot, their versions, and whether a recorded video flow asks for keyframes.
Errc rec_build(const DpContext& dp, const rtpgate_shm_flow_params& p, FlowAction* a) noexcept;

class CommandApplier {
 public:
  explicit CommandApplier(DpContext& dp);
  // Applies up to `budget` commands, finishes removals whose grace period ended and
  // forwards housekeeping's notifications. Returns the number of records handled.
  uint32_t poll(uint64_t now_tsc, uint32_t budget, uint64_t* lcore_ctr) noexcept;
  uint32_t pending() const noexcept { return n_deferred_; }
  // PLI requests taken since the last call (at most `max`), oldest first.
  uint32_t take_pli(PliRequest* out, uint32_t max) noexcept;

 private:
  struct Deferred {
    uint64_t token;
    uint32_t old_action;  // kNoFlow = none
    uint32_t srtp_idx;    // SRTP context to wipe (0 = none)
    uint32_t rec_slot;    // recording to close once no worker copies for it (0 = none)
    uint32_t rec_gen;
    bool has_cpl;
    rtpgate_shm_cpl cpl;
  };
  void apply(const rtpgate_shm_cmd& c, uint64_t now_tsc, uint64_t* lcore_ctr) noexcept;
  // SRTP_SET / SRTP_DEL; true when the completion was deferred (DEL).
  bool apply_srtp(const rtpgate_shm_cmd& c, rtpgate_shm_cpl* cpl, uint64_t* lcore_ctr) noexcept;
  // REC_START / REC_STOP / PLI (command_rec.cc); true when the completion was deferred.
  bool apply_rec(const rtpgate_shm_cmd& c, rtpgate_shm_cpl* cpl, uint64_t* lcore_ctr) noexcept;
  Errc apply_pli(const rtpgate_shm_cmd& c) noexcept;
  // GUARD_RELOAD / CONFIG_RELOAD (command_reload.cc): another thread reloads; true when
  // the completion waits for it (finish_reload() sends it).
  bool apply_reload(rtpgate_shm_cpl* cpl, uint64_t* lcore_ctr) noexcept;
  uint32_t finish_reload() noexcept;
  bool push_rec_close(uint32_t slot, uint32_t gen) noexcept;
  bool complete(const rtpgate_shm_cpl& c) noexcept;
  void defer(uint32_t old_action, const rtpgate_shm_cpl* cpl) noexcept;
  uint32_t reclaim() noexcept;
  // Control-plane death (command_expiry.cc): once the controller's heartbeat is older than
  // control_grace_ms, its TO_CTL flows are removed, a bounded number per poll.
  uint32_t expire_dead_control(uint64_t now_tsc, uint64_t* lcore_ctr) noexcept;
  uint32_t forward_notifications() noexcept;

  static constexpr uint32_t kMaxDeferred = FlowTable::kActionSlack;
  uint64_t expiry_check_tsc_ = 0;  // next look at the control heartbeat
  uint64_t expired_hb_ns_ = 0;     // the dead controller's last heartbeat (0 = none dead)
  uint32_t expiry_cursor_ = 0;     // next flow id to look at while expiring
  bool expiring_ = false;
  DpContext& dp_;
  shm::SpscRing<rtpgate_shm_cmd> cmd_;
  shm::SpscRing<rtpgate_shm_cpl> cpl_;
  shm::SpscRing<rtpgate_shm_cpl> evt_;
  Deferred deferred_[kMaxDeferred];
  uint32_t deferred_head_ = 0;
  uint32_t n_deferred_ = 0;
  static constexpr uint32_t kMaxPli = 64;
  PliRequest pli_[kMaxPli];
  uint32_t n_pli_ = 0;
  bool reload_pending_ = false;  // one GUARD_RELOAD or CONFIG_RELOAD at a time
  uint64_t reload_ticket_ = 0;
  rtpgate_shm_cpl reload_cpl_{};
};

}  // namespace rtpgate::dp
