// Reload commands (command lcore): RTPGATE_CMD_GUARD_RELOAD asks the SIP guard's loader
// thread to reload its rule file, RTPGATE_CMD_CONFIG_RELOAD asks the reload thread to
// re-read the configuration (and then the guard's rules). Parsing and compiling never run
// here; the completion carries the result once that thread is done: Ok, or BadRuleFile /
// BadConfig with the offending line in aux (what was in force stays). One reload of
// either kind in flight at a time; another one meanwhile completes with Busy.
#include "config/reloader.h"
#include "flow/command_apply.h"
#include "sipguard/guard_runtime.h"

namespace rtpgate::dp {

bool CommandApplier::apply_reload(rtpgate_shm_cpl* cpl, uint64_t* ctr) noexcept {
  const bool guard = cpl->op == RTPGATE_CMD_GUARD_RELOAD;
  if (guard ? dp_.guard == nullptr || !dp_.cfg.sip_guard : dp_.reloader == nullptr) {
    cpl->errc = static_cast<uint16_t>(Errc::Unsupported);
    return false;
  }
  if (reload_pending_) {
    cpl->errc = static_cast<uint16_t>(Errc::Busy);
    return false;
  }
  reload_ticket_ = guard ? dp_.guard->request_reload() : dp_.reloader->request_reload();
  reload_cpl_ = *cpl;
  reload_pending_ = true;
  ctr[RTPGATE_CTR_cmds_applied]++;
  return true;
}

uint32_t CommandApplier::finish_reload() noexcept {
  if (!reload_pending_) return 0;
  ReloadResult r;
  const bool done = reload_cpl_.op == RTPGATE_CMD_GUARD_RELOAD ? dp_.guard->reload_done(reload_ticket_, &r)
                                                               : dp_.reloader->reload_done(reload_ticket_, &r);
  if (!done) return 0;
  reload_cpl_.errc = static_cast<uint16_t>(r.errc);
  reload_cpl_.aux = r.line;
  if (!complete(reload_cpl_)) return 0;  // retry when control drained the ring
  reload_pending_ = false;
  return 1;
}

}  // namespace rtpgate::dp
