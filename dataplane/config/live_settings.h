// The data plane's run-time settings: the configuration keys that do not change the memory
// layout (timeouts, rate limits, idle policy, log level), readable by every thread with
// relaxed loads and replaced as a whole by a configuration reload (config/reloader.h).
// `gen` moves after every store, so a loop may cache derived values until it changes.
#pragma once
#include <atomic>
#include <cstdint>

#include "config/config.h"
#include "rtpgate/shm/config_block.h"

namespace rtpgate::dp {

struct LiveSettings {
  std::atomic<uint64_t> gen{0};
  std::atomic<uint32_t> control_grace_ms{0};
  std::atomic<uint32_t> pli_min_interval_ms{0};
  std::atomic<uint32_t> heartbeat_interval_ms{100};
  std::atomic<uint32_t> publish_interval_ms{250};
  std::atomic<uint32_t> idle_mode{0};
  std::atomic<uint32_t> idle_sleep_max_us{500};
  std::atomic<uint32_t> drain_us{10};
  std::atomic<uint32_t> neighbour_max_age_s{60};
  std::atomic<uint32_t> neighbour_retry_ms{500};
  std::atomic<uint32_t> neighbour_probes{3};
  std::atomic<uint32_t> resolve_hold_ms{1000};
  std::atomic<uint32_t> rec_flush_ms{500};
  std::atomic<uint32_t> log_level{0};
  // Derived for the packet path (TSC units).
  std::atomic<uint64_t> pli_min_tsc{0};
  std::atomic<uint64_t> exc_tokens_per_s{0};  // exception-path token bucket
  std::atomic<uint64_t> exc_burst{0};
  uint32_t eal_log_level = 0;  // USER1's level before the first store (writer: the storing thread)

  // Publishes every run-time value of `c` (the reload thread, or start-up).
  void store(const Config& c, uint64_t tsc_hz) noexcept;
  // The values in force, as the configuration block shows them.
  rtpgate_shm_live_settings snapshot() const noexcept;
};

}  // namespace rtpgate::dp
