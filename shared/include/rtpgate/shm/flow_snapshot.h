// A consistent snapshot of one flow slot's counters as the data plane's housekeeping
// publishes them (seqlock on publish_seq). Any thread or process; reads shared memory only.
#pragma once
#include <cstdint>
#include <cstring>

#include "rtpgate/shm/flow_entry.h"

namespace rtpgate::shm {

// False when the data plane kept writing during every attempt (the caller shows nothing).
inline bool read_flow_counters(const rtpgate_shm_flow_counters& src, rtpgate_shm_flow_counters* out) noexcept {
  for (int i = 0; i < 16; i++) {
    const uint64_t a = __atomic_load_n(&src.publish_seq, __ATOMIC_ACQUIRE);
    if (a & 1u) continue;
    std::memcpy(static_cast<void*>(out), &src, sizeof *out);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (__atomic_load_n(&src.publish_seq, __ATOMIC_RELAXED) == a) return true;
  }
  return false;
}

}  // namespace rtpgate::shm
