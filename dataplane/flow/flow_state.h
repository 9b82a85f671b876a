// Private per-flow state of the data plane (never in the shared region).
// FlowAction: immutable once published (a change publishes a new one); written by the
//   command lcore, read by every worker.
// FlowDyn: per flow id; counters, rewrite and latch state; written by the worker that
//   serves the flow (one at a time), read by housekeeping for publishing.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "rtp/rtp_rewrite.h"
#include "rtpgate/shm/flow_entry.h"

namespace rtpgate::dp {

constexpr uint32_t kNoFlow = UINT32_MAX;

struct alignas(64) FlowAction {
  // Cache line 0: everything a forwarded packet reads.
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
  uint8_t out_src[16];
  // Cache line 1: source checks and latching (only with the EXPECT_*/LATCH flags), timers.
  uint8_t expect_src[16];
  uint64_t latch_until_tsc;
  uint64_t idle_timeout_tsc;
  uint32_t srtp_in;        // SRTP context unprotecting what arrives (0 = plain)
  uint32_t srtp_out;       // SRTP context protecting what the flow sends (0 = plain)
  // RTP forwarders (flow/forwarders.h): chain heads of a media flow, or the next link and
  // rewrites of a forwarder flow; kNoFlow = none.
  uint32_t fwd_rx, fwd_tx, fwd_next;
  uint32_t fwd_ssrc;
  uint8_t fwd_flags;       // RTPGATE_FWD_F_SSRC / _PT
  uint8_t fwd_pt;
  // Recording (record/): entries the plain RTP this flow receives / control sends on it is
  // copied to (0 = none), with the entries' versions; rec_pli: PLI on video start / SSRC change.
  uint8_t rec_pli;
  uint32_t rec_rx, rec_tx;
  uint32_t rec_rx_gen, rec_tx_gen;
};
static_assert(offsetof(FlowAction, out_src) + 16 <= 64, "hot FlowAction fields must share one cache line");

struct FlowCounters {
#define RTPGATE_FLOW_COUNTER(name, help) uint64_t name;
#include "rtpgate/shm/flow_counters.def"
#undef RTPGATE_FLOW_COUNTER
};

struct alignas(64) FlowDyn {
  // Cache line 0: state every forwarded packet reads or writes.
  uint32_t action_idx;     // index into the action pool, kNoFlow when not installed
  uint32_t last_in_ssrc;
  uint64_t last_seen_tsc;  // 0 = never
  RtpRewriteState rw;
  uint16_t cur_dst_port_be; // where this flow sends (latching of the reverse flow moves it)
  uint16_t cur_src_port_be; // accepted source (latching)
  uint8_t idle_reported;
  uint8_t pad;
  uint16_t dst_seq;         // seqlock over cur_dst/cur_dst_port_be (odd while written)
  uint8_t cur_dst[16];
  // Cache line 1: counters (the four per-packet ones first), then latching/timer state.
  FlowCounters c;
  uint8_t cur_src[16];
  uint64_t installed_tsc;
  // PLI generation (rtcp/pli_inject.h): SSRC and recording the last PLI decision was made
  // for, when the last PLI left, and the SSRC control last sent on the flow (PLI sender).
  uint32_t rec_ssrc;
  uint32_t rec_gen;
  uint64_t last_pli_tsc;
  uint32_t last_tx_ssrc;
};
static_assert(offsetof(FlowDyn, cur_dst) + 16 <= 64, "hot FlowDyn fields must share one cache line");

// A flow's destination moves while workers forward on it (control's modify, a relatch
// from the reverse flow's lcore): a seqlock keeps readers from seeing half an address.
struct FlowDst {
  uint8_t addr[16];
  uint16_t port_be;
};

inline void write_dst(FlowDyn& d, const uint8_t* addr16, uint16_t port_be) noexcept {
  const uint16_t s = __atomic_load_n(&d.dst_seq, __ATOMIC_RELAXED);
  __atomic_store_n(&d.dst_seq, static_cast<uint16_t>(s + 1), __ATOMIC_RELAXED);
  __atomic_thread_fence(__ATOMIC_RELEASE);
  std::memcpy(d.cur_dst, addr16, 16);
  d.cur_dst_port_be = port_be;
  __atomic_store_n(&d.dst_seq, static_cast<uint16_t>(s + 2), __ATOMIC_RELEASE);
}

[[gnu::always_inline]] inline FlowDst read_dst(const FlowDyn& d) noexcept {
  FlowDst out;
  while (true) {
    const uint16_t s = __atomic_load_n(&d.dst_seq, __ATOMIC_ACQUIRE);
    std::memcpy(out.addr, d.cur_dst, 16);
    out.port_be = d.cur_dst_port_be;
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if ((s & 1u) == 0 && __atomic_load_n(&d.dst_seq, __ATOMIC_RELAXED) == s) return out;
  }
}
static_assert(offsetof(FlowDyn, c) == 64, "counters start the second cache line");

}  // namespace rtpgate::dp
