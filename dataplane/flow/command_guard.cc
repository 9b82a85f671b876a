// SIP guard reload command (command lcore): RTPGATE_CMD_GUARD_RELOAD asks the guard's
// loader thread to reload the rule file (parse and compile never run here) and completes
// with its result: Ok, or BadRuleFile with the offending line in aux (the old rules stay).
// One reload in flight at a time; another one meanwhile completes with Busy.
#include "flow/command_apply.h"
#include "sipguard/guard_runtime.h"

namespace rtpgate::dp {

bool CommandApplier::apply_guard(rtpgate_shm_cpl* cpl, uint64_t* ctr) noexcept {
  if (dp_.guard == nullptr || !dp_.cfg.sip_guard) {
    cpl->errc = static_cast<uint16_t>(Errc::Unsupported);
    return false;
  }
  if (guard_pending_) {
    cpl->errc = static_cast<uint16_t>(Errc::Busy);
    return false;
  }
  guard_ticket_ = dp_.guard->request_reload();
  guard_cpl_ = *cpl;
  guard_pending_ = true;
  ctr[RTPGATE_CTR_cmds_applied]++;
  return true;
}

uint32_t CommandApplier::finish_guard() noexcept {
  sipguard::ReloadResult r;
  if (!guard_pending_ || !dp_.guard->reload_done(guard_ticket_, &r)) return 0;
  guard_cpl_.errc = static_cast<uint16_t>(r.errc);
  guard_cpl_.aux = r.line;
  if (!complete(guard_cpl_)) return 0;  // retry when control drained the ring
  guard_pending_ = false;
  return 1;
}

}  // namespace rtpgate::dp
