// Private per-flow state of the data plane (never in the shared region).
// FlowAction: immutable once published (a change publishes a new one); written by the
//   command lcore, read by every worker.
// FlowDyn: per flow id; counters, rewrite and latch state; written by the worker that
//   serves the flow (one at a time), read by housekeeping for publishing.
#pragma once
#include <cstdint>

#include "rtp/rtp_rewrite.h"
#include "rtpgate/shm/flow_entry.h"

namespace rtpgate::dp {

constexpr uint32_t kNoFlow = UINT32_MAX;

struct alignas(64) FlowAction {
  uint32_t flow_id;
  uint32_t version;
  uint8_t kind, direction, action, dscp;
  uint16_t flags;
  uint8_t family;          // of local/out addresses
  uint8_t alen;            // 4 or 16
  uint16_t out_port_id;    // DPDK port that transmits
  uint16_t nbr_idx;        // neighbour entry of the next hop
  uint16_t out_src_port_be;
  uint16_t expect_src_port_be;
  uint32_t expect_ssrc;
  uint32_t out_ssrc;
  uint32_t ts_step;
  uint32_t rtcp_flow_id;
  uint32_t reverse_flow_id;
  uint32_t ctl_ring;
  uint64_t latch_until_tsc;
  uint64_t idle_timeout_tsc;
  uint8_t out_src[16];
  uint8_t expect_src[16];
};

struct FlowCounters {
#define RTPGATE_FLOW_COUNTER(name, help) uint64_t name;
#include "rtpgate/shm/flow_counters.def"
#undef RTPGATE_FLOW_COUNTER
};

struct alignas(64) FlowDyn {
  uint32_t action_idx;     // index into the action pool, kNoFlow when not installed
  uint32_t last_in_ssrc;
  uint64_t last_seen_tsc;  // 0 = never
  uint64_t installed_tsc;
  RtpRewriteState rw;
  uint16_t cur_dst_port_be; // where this flow sends (latching of the reverse flow moves it)
  uint16_t cur_src_port_be; // accepted source (latching)
  uint8_t idle_reported;
  uint8_t pad[3];
  uint8_t cur_dst[16];
  uint8_t cur_src[16];
  FlowCounters c;
};

}  // namespace rtpgate::dp
