// RTP forwarders in the data plane (shared/include/rtpgate/shm/forwarder.h): a media flow's
// rx/tx chains of forwarder flows, each receiving a fresh copy of the flow's RTP with its
// own addresses and optional SSRC/PT rewrite. The original packet is never touched and
// never waits for the copies. Copies run on worker lcores (inline, no locks, no logging);
// every copy that is not sent is counted (drop_fwd_gone, drop_no_mbuf),
// and per forwarder flow as drop_tx; a copy whose target is still resolving waits for it
// with the relayed packets (nbr_held).
#pragma once
#include <rte_mbuf.h>

#include <cstring>

#include "lcore/lcore_ctx.h"
#include "net/checksum.h"
#include "rtpgate/errc.h"
#include "rtpgate/shm/region.h"

namespace rtpgate::dp {

struct SrtpOutBurst;  // lcore/srtp_stage.h

// Copies the forwarder fields of `p` into `a` (command lcore, from build_action): chain
// heads and links must name other flows of the table.
Errc fwd_build(uint32_t flow_id, uint32_t capacity, const rtpgate_shm_flow_params& p, FlowAction* a) noexcept;

// Builds the frame of one copy of `rtp` (len bytes) for forwarder action `f` into a fresh
// mbuf and queues it for TX, or, for a forwarder with an SRTP context (srtp_out), on `ob`
// to be protected with the burst; false (nothing queued, counted) when it cannot.
bool fwd_send_copy(DpContext& dp, LcoreCtx& lc, const FlowAction& f, const uint8_t* rtp, uint32_t len,
                   SrtpOutBurst* ob) noexcept;

// One copy for every forwarder of the chain starting at `head` (kNoFlow = none).
inline void fwd_copies(DpContext& dp, LcoreCtx& lc, uint32_t head, const uint8_t* rtp, uint32_t len,
                       SrtpOutBurst* ob) noexcept {
  uint32_t id = head;
  for (uint32_t n = 0; id != kNoFlow && id < dp.table.capacity(); n++) {
    const uint32_t idx = dp.table.action_of(id);
    if (idx == kNoFlow || n == RTPGATE_FWD_MAX_CHAIN) [[unlikely]] {
      lc.ctr[RTPGATE_CTR_drop_fwd_gone]++;  // removed meanwhile (or a loop): the rest waits
      return;
    }
    const FlowAction& f = dp.table.actions()[idx];
    fwd_send_copy(dp, lc, f, rtp, len, ob);
    id = f.fwd_next;
  }
}

// The rx chain of `a`, for an RTP packet the flow received (after its own action ran or
// copied the payload).
[[gnu::always_inline]] inline void fwd_rx_copies(DpContext& dp, LcoreCtx& lc, const FlowAction& a, bool is_rtcp,
                                                 const uint8_t* rtp, uint32_t len, SrtpOutBurst* ob) noexcept {
  if (a.fwd_rx != kNoFlow && !is_rtcp) [[unlikely]] fwd_copies(dp, lc, a.fwd_rx, rtp, len, ob);
}

// The tx chain of flow `a`, for a packet from control's ring sent on it (RTP only).
[[gnu::always_inline]] inline void fwd_tx_copies(DpContext& dp, LcoreCtx& lc, const FlowAction& a,
                                                 const rtpgate_shm_pkt_slot& s, SrtpOutBurst* ob) noexcept {
  if (a.fwd_tx != kNoFlow && !s.is_rtcp) [[unlikely]] fwd_copies(dp, lc, a.fwd_tx, s.data, s.len, ob);
}

}  // namespace rtpgate::dp
