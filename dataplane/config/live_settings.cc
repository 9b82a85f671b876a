// Run-time settings store and snapshot (see live_settings.h).
#include "config/live_settings.h"

#include <rte_log.h>

namespace rtpgate::dp {

void LiveSettings::store(const Config& c, uint64_t tsc_hz) noexcept {
  constexpr auto r = std::memory_order_relaxed;
  control_grace_ms.store(c.control_grace_ms, r);
  pli_min_interval_ms.store(c.pli_min_interval_ms, r);
  pli_min_tsc.store(tsc_hz * c.pli_min_interval_ms / 1000, r);
  heartbeat_interval_ms.store(c.heartbeat_interval_ms, r);
  publish_interval_ms.store(c.publish_interval_ms, r);
  idle_mode.store(c.idle_mode == IdleMode::Adaptive ? 0 : 1, r);
  idle_sleep_max_us.store(c.idle_sleep_max_us, r);
  drain_us.store(c.drain_us, r);
  exc_tokens_per_s.store(c.exception_rate_pps, r);
  exc_burst.store(c.exception_burst, r);
  neighbour_max_age_s.store(c.neighbour_max_age_s, r);
  neighbour_retry_ms.store(c.neighbour_retry_ms, r);
  neighbour_probes.store(c.neighbour_probes, r);
  resolve_hold_ms.store(c.resolve_hold_ms, r);
  rec_flush_ms.store(c.rec_flush_ms, r);
  // log_level 0 keeps what EAL's --log-level chose at start-up.
  if (eal_log_level == 0) eal_log_level = static_cast<uint32_t>(rte_log_get_level(RTE_LOGTYPE_USER1));
  const uint32_t level = c.log_level != 0 ? c.log_level : eal_log_level;
  rte_log_set_level(RTE_LOGTYPE_USER1, level);
  log_level.store(level, r);
  gen.fetch_add(1, std::memory_order_release);
}

rtpgate_shm_live_settings LiveSettings::snapshot() const noexcept {
  constexpr auto r = std::memory_order_relaxed;
  rtpgate_shm_live_settings s{};
  s.control_grace_ms = control_grace_ms.load(r);
  s.pli_min_interval_ms = pli_min_interval_ms.load(r);
  s.heartbeat_interval_ms = heartbeat_interval_ms.load(r);
  s.publish_interval_ms = publish_interval_ms.load(r);
  s.idle_mode = idle_mode.load(r);
  s.idle_sleep_max_us = idle_sleep_max_us.load(r);
  s.drain_us = drain_us.load(r);
  s.exception_rate_pps = static_cast<uint32_t>(exc_tokens_per_s.load(r));
  s.exception_burst = static_cast<uint32_t>(exc_burst.load(r));
  s.neighbour_max_age_s = neighbour_max_age_s.load(r);
  s.neighbour_retry_ms = neighbour_retry_ms.load(r);
  s.neighbour_probes = neighbour_probes.load(r);
  s.resolve_hold_ms = resolve_hold_ms.load(r);
  s.rec_flush_ms = rec_flush_ms.load(r);
  s.log_level = log_level.load(r);
  return s;
}

}  // namespace rtpgate::dp
