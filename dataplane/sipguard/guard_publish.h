// Writes the SIP guard's rule table and load status into the region's guard block
// (rtpgate/shm/guard_block.h) under its seqlock. Guard loader thread and start-up only.
#pragma once
#include <cstdint>
#include <string>

#include "rtpgate/errc.h"
#include "rtpgate/shm/guard_block.h"
#include "sipguard/guard_db.h"

namespace rtpgate::dp::sipguard {

// Identity and sizing (start-up, before any worker runs).
void init_guard_block(rtpgate_shm_guard_block* b, bool on, uint32_t n_workers, uint32_t sources_per_worker);
// A rule set now in force: its rules, generation and path. `reload`: counts as a reload.
void publish_ruleset(rtpgate_shm_guard_block* b, const GuardDb& db, const std::string& path, bool reload);
// A refused load (the previous set stays): status only.
void publish_failure(rtpgate_shm_guard_block* b, Errc e, const RuleError& err, bool reload);

}  // namespace rtpgate::dp::sipguard
