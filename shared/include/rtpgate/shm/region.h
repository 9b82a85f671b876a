/* The region header: identity, sizes, liveness and the offsets of every table.
 * writer: data plane (at creation; generation/heartbeat afterwards), except the
 * control_* fields (writer: control). */
#ifndef RTPGATE_SHM_REGION_H
#define RTPGATE_SHM_REGION_H

#include <stdint.h>

#include "rtpgate/shm/cmd_ring.h"
#include "rtpgate/shm/config_block.h"
#include "rtpgate/shm/flow_entry.h"
#include "rtpgate/shm/guard_block.h"
#include "rtpgate/shm/layout_version.h"
#include "rtpgate/shm/pkt_ring.h"
#include "rtpgate/shm/rec_entry.h"
#include "rtpgate/shm/srtp_entry.h"
#include "rtpgate/shm/stats_block.h"

#define RTPGATE_SHM_MAX_ADDRS 64
#define RTPGATE_SHM_MAX_LCORES 64
#define RTPGATE_SHM_MAX_PKT_RINGS 32

enum rtpgate_dp_state {
  RTPGATE_DP_STARTING = 0,
  RTPGATE_DP_RUNNING = 1,
  RTPGATE_DP_STOPPED = 2
};

struct rtpgate_shm_header {
  uint64_t magic;
  uint16_t layout_major;
  uint16_t layout_minor;
  uint32_t header_size;
  uint64_t total_size;
  uint32_t size_table[RTPGATE_SHM_SZ_TABLE_LEN];

  /* liveness (writer: data plane) */
  uint64_t generation;       /* unique per data-plane start (CLOCK_REALTIME ns) */
  uint64_t heartbeat_ns;     /* CLOCK_MONOTONIC, refreshed every heartbeat_interval_ms */
  uint32_t heartbeat_interval_ms;
  uint32_t dp_state;         /* rtpgate_dp_state */
  uint32_t dp_pid;
  uint32_t pad0;

  /* liveness (writer: control) */
  uint64_t control_heartbeat_ns;
  uint32_t control_pid;
  uint32_t pad1;

  /* what the data plane serves */
  uint32_t n_addrs;
  uint16_t port_min;         /* inclusive, even */
  uint16_t port_max;         /* inclusive */
  struct rtpgate_shm_addr addrs[RTPGATE_SHM_MAX_ADDRS];

  /* tables: counts and byte offsets from the start of the region */
  uint32_t flow_capacity;
  uint32_t n_lcore_stats;
  uint32_t n_pkt_rings_to_ctl;
  uint32_t n_pkt_rings_to_dp;
  uint64_t off_flows;        /* rtpgate_shm_flow_slot[flow_capacity] */
  uint64_t off_flow_bitmap;  /* uint64_t words, bit set = slot allocated (writer: control) */
  uint64_t off_port_bitmap;  /* uint64_t words per address x port range (writer: control) */
  uint64_t port_bitmap_words_per_addr;
  uint64_t off_cmd_ring;     /* rtpgate_shm_ring_hdr + rtpgate_shm_cmd[] */
  uint64_t off_cpl_ring;     /* rtpgate_shm_ring_hdr + rtpgate_shm_cpl[] */
  uint64_t off_lcore_stats;  /* rtpgate_shm_lcore_stats[n_lcore_stats] */
  uint64_t off_pkt_rings_to_ctl[RTPGATE_SHM_MAX_PKT_RINGS];
  uint64_t off_pkt_rings_to_dp[RTPGATE_SHM_MAX_PKT_RINGS];
  uint32_t cmd_ring_capacity;
  uint32_t cpl_ring_capacity;
  uint32_t pkt_ring_capacity;
  uint32_t evt_ring_capacity; /* layout 1.1 */
  uint64_t off_evt_ring;       /* layout 1.1: rtpgate_shm_ring_hdr + rtpgate_shm_cpl[] (notifications) */
  uint32_t srtp_capacity;      /* layout 1.2: SRTP key entries (entry 0 never used) */
  uint32_t pad2;
  uint64_t off_srtp;           /* layout 1.2: rtpgate_shm_srtp_entry[srtp_capacity] (writer: control) */
  uint64_t off_srtp_bitmap;    /* layout 1.2: uint64_t words, bit set = entry allocated (writer: control) */
  uint32_t rec_capacity;       /* layout 1.4: recording entries (entry 0 never used) */
  uint32_t pad3;
  uint64_t off_rec;            /* layout 1.4: rtpgate_shm_rec_entry[rec_capacity] */
  uint64_t off_rec_bitmap;     /* layout 1.4: uint64_t words, bit set = entry allocated (writer: control) */
  uint64_t off_guard;          /* layout 1.5: rtpgate_shm_guard_block (writer: data plane) */
  uint64_t off_config;         /* layout 1.7: rtpgate_shm_config_block (writer: data plane) */
  uint8_t reserved[184];
};

#endif
