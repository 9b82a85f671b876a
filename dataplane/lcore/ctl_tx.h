// Packets from control's packet rings (the WebRTC-side media bridge) sent on a flow's
// output: the worker builds Ethernet/IP/UDP around the payload. Worker lcores only.
#pragma once
#include <rte_mbuf.h>

#include "exception/exc_worker.h"
#include "flow/forwarders.h"
#include "lcore/packet_handler.h"
#include "lcore/srtp_stage.h"
#include "lcore/udp_frame.h"
#include "record/rec_copy.h"

namespace rtpgate::dp {

// Builds and queues one frame carrying `data` on flow `a`'s output (what control sends,
// and the PLIs the data plane generates). A flow with an outbound SRTP context queues it on
// `ob` instead (protected by flush_srtp_out). False = dropped (counted); `a` nullptr = no
// such flow.
inline bool send_on_flow(DpContext& dp, LcoreCtx& lc, const FlowAction* a, const uint8_t* data, uint32_t len,
                         bool is_rtcp, SrtpOutBurst* ob) noexcept {
  if (a == nullptr || a->nbr_idx == NeighbourTable::kNone || len > RTPGATE_PKT_SLOT_DATA) [[unlikely]] {
    lc.ctr[RTPGATE_CTR_drop_ctl_bad_flow]++;
    return false;
  }
  const Neighbour& nb = dp.nbrs.at(a->nbr_idx);
  FlowDyn& d = dp.table.dyn(a->flow_id);
  const uint8_t tc = (a->flags & RTPGATE_FLOW_F_DSCP) ? uint8_t(a->dscp << 2) : 0;
  UdpFrame f;
  switch (build_udp_frame(dp, *a, nb, read_dst(d), tc, data, len, &f)) {
    case UdpFrameResult::NoMbuf:
      lc.ctr[RTPGATE_CTR_drop_no_mbuf]++;
      return false;
    case UdpFrameResult::TooBig:
      lc.ctr[RTPGATE_CTR_drop_too_big]++;
      return false;
    case UdpFrameResult::Ok:
      break;
  }
  if (a->srtp_out != 0) {  // SRTP leg: protected with the flow's outbound context, then checksummed
    if (ob == nullptr) [[unlikely]] {
      lc.ctr[RTPGATE_CTR_drop_srtp_no_ctx]++;
      rte_pktmbuf_free(f.m);
      return false;
    }
    queue_srtp_out(dp, lc, *ob, f.m, d, f.layout, len, dp.srtp.get(a->srtp_out), is_rtcp, a->out_port_id,
                   a->nbr_idx, true);
    return true;
  }
  finish_udp_checksum(f);
  lc.ctr[RTPGATE_CTR_ctl_tx_pkts]++;
  tx_or_hold(dp, lc, f.m, a->out_port_id, a->nbr_idx);  // a next hop still resolving: held
  return true;
}

// One packet of control's rings, its flow looked up once: recorded (plain, before
// protection) when the flow's output is, sent, then copied to the flow's forwarders.
inline void send_from_ctl(DpContext& dp, LcoreCtx& lc, const rtpgate_shm_pkt_slot& s, uint64_t now_tsc,
                          SrtpOutBurst* ob = nullptr) noexcept {
  const FlowAction* a = dp.table.action(s.flow_id);
  if (a != nullptr && !s.is_rtcp && s.len >= 12) {
    dp.table.dyn(a->flow_id).last_tx_ssrc = rd32be(s.data + 8);  // PLI sender (rtcp/pli_inject.h)
    if (a->rec_tx != 0) [[unlikely]] rec_copy(dp, lc, a->flow_id, true, a->rec_tx, a->rec_tx_gen, s.data, s.len, now_tsc);
  }
  send_on_flow(dp, lc, a, s.data, s.len, s.is_rtcp != 0, ob);
  if (a != nullptr) fwd_tx_copies(dp, lc, *a, s, ob);  // rtp_forward of the browser's media (copies)
}

// Drains up to `budget` slots from this worker's control rings; returns how many.
inline uint32_t drain_ctl_rings(DpContext& dp, LcoreCtx& lc, uint32_t budget, uint64_t now_tsc) noexcept {
  uint32_t n = 0;
  SrtpOutBurst ob;
  for (uint32_t r = 0; r < lc.n_from_ctl; r++) {
    auto& ring = lc.from_ctl[r];
    while (n < budget) {
      const rtpgate_shm_pkt_slot* s = ring.peek();
      if (s == nullptr) break;
      send_from_ctl(dp, lc, *s, now_tsc, &ob);
      ring.release();
      n++;
    }
  }
  flush_srtp_out(dp, lc, ob);
  return n;
}

}  // namespace rtpgate::dp
