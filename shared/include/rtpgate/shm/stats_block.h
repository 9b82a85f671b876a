/* Per-lcore statistics blocks. writer: that lcore only (plain stores); readers sum. */
#ifndef RTPGATE_SHM_STATS_BLOCK_H
#define RTPGATE_SHM_STATS_BLOCK_H

#include <stdint.h>

enum rtpgate_counter_id {
#define RTPGATE_COUNTER(name, help) RTPGATE_CTR_##name,
#include "rtpgate/shm/counters.def"
#undef RTPGATE_COUNTER
  RTPGATE_CTR_COUNT
};

#define RTPGATE_SHM_MAX_COUNTERS 128

struct rtpgate_shm_lcore_stats {
  uint32_t lcore_id;       /* DPDK lcore id, UINT32_MAX if the block is unused */
  uint32_t role;           /* 0 unused, 1 worker, 2 housekeeping */
  uint64_t epoch;          /* bumped once per publish (odd while writing) */
  uint64_t loops;          /* worker loop iterations */
  uint64_t busy_tsc;       /* TSC cycles spent in iterations that received packets */
  uint64_t pad[4];
  uint64_t ctr[RTPGATE_SHM_MAX_COUNTERS]; /* indexed by rtpgate_counter_id */
};

#endif
