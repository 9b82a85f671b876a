// The numeric run-time settings of a configuration block (rtpgate_shm_live_settings) as
// (configuration key, value) pairs, in the order of the data plane's configuration file:
// one table for rtpgatectl and the exporter. idle_mode and log_level are not numbers to
// their readers and are left to each.
#pragma once
#include <array>
#include <cstdint>
#include <utility>

#include "rtpgate/shm/config_block.h"

namespace rtpgate::shm {

inline std::array<std::pair<const char*, uint32_t>, 13> live_setting_values(const rtpgate_shm_live_settings& s) {
  return {{{"control_grace_ms", s.control_grace_ms},
           {"pli_min_interval_ms", s.pli_min_interval_ms},
           {"heartbeat_interval_ms", s.heartbeat_interval_ms},
           {"publish_interval_ms", s.publish_interval_ms},
           {"idle_sleep_max_us", s.idle_sleep_max_us},
           {"drain_us", s.drain_us},
           {"exception_rate_pps", s.exception_rate_pps},
           {"exception_burst", s.exception_burst},
           {"neighbour_max_age_s", s.neighbour_max_age_s},
           {"neighbour_retry_ms", s.neighbour_retry_ms},
           {"neighbour_probes", s.neighbour_probes},
           {"resolve_hold_ms", s.resolve_hold_ms},
           {"rec_flush_ms", s.rec_flush_ms}}};
}

}  // namespace rtpgate::shm
