// Names and help texts of the per-lcore counters (counters.def), indexed by
// rtpgate_counter_id: the one table every reader (rtpgatectl, exporter, telemetry, benches)
// prints them from.
#pragma once
#include "rtpgate/shm/stats_block.h"

namespace rtpgate::shm {

struct CounterInfo {
  const char* name;
  const char* help;
};

inline constexpr CounterInfo kCounterInfo[RTPGATE_CTR_COUNT] = {
#define RTPGATE_COUNTER(name, help) {#name, help},
#include "rtpgate/shm/counters.def"
#undef RTPGATE_COUNTER
};

inline const char* counter_name(int c) noexcept { return kCounterInfo[c].name; }

}  // namespace rtpgate::shm
