// Publishing a thread's locally accumulated counters into its lcore statistics block in the
// region (workers and recorder threads): epoch odd while writing, so readers can retry.
#pragma once
#include <cstdint>

#include "rtpgate/shm/stats_block.h"

namespace rtpgate::dp {

// Adds ctr[] into s->ctr[] and zeroes ctr[]. Only the block's owner thread calls it.
inline void publish_counters(rtpgate_shm_lcore_stats* s, uint64_t* ctr) noexcept {
  __atomic_store_n(&s->epoch, s->epoch + 1, __ATOMIC_RELAXED);
  __atomic_thread_fence(__ATOMIC_RELEASE);
  for (uint32_t i = 0; i < RTPGATE_CTR_COUNT; i++) {
    if (ctr[i] != 0) {
      s->ctr[i] += ctr[i];
      ctr[i] = 0;
    }
  }
  __atomic_store_n(&s->epoch, s->epoch + 1, __ATOMIC_RELEASE);
}

}  // namespace rtpgate::dp
