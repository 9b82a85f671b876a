// Packets from control's packet rings (the WebRTC-side media bridge) sent on a flow's
// output: the worker builds Ethernet/IP/UDP around the payload. Worker lcores only.
#pragma once
#include <rte_mbuf.h>

#include "flow/forwarders.h"
#include "lcore/packet_handler.h"
#include "lcore/srtp_stage.h"

namespace rtpgate::dp {

// Builds and queues one frame for `s` (consumes nothing from the ring itself). A flow with
// an outbound SRTP context queues it on `ob` instead (protected by flush_srtp_out).
inline void send_from_ctl(DpContext& dp, LcoreCtx& lc, const rtpgate_shm_pkt_slot& s,
                          SrtpOutBurst* ob = nullptr) noexcept {
  const uint32_t idx = s.flow_id < dp.table.capacity() ? dp.table.action_of(s.flow_id) : kNoFlow;
  const FlowAction* a = idx != kNoFlow ? &dp.table.actions()[idx] : nullptr;
  if (a == nullptr || a->nbr_idx == NeighbourTable::kNone || s.len > RTPGATE_PKT_SLOT_DATA) [[unlikely]] {
    lc.ctr[RTPGATE_CTR_drop_ctl_bad_flow]++;
    return;
  }
  const Neighbour& nb = dp.nbrs.at(a->nbr_idx);
  if (!__atomic_load_n(&nb.resolved, __ATOMIC_ACQUIRE)) [[unlikely]] {
    lc.ctr[RTPGATE_CTR_drop_no_neighbour]++;
    return;
  }
  rte_mbuf* m = rte_pktmbuf_alloc(dp.pool);
  if (m == nullptr) [[unlikely]] {
    lc.ctr[RTPGATE_CTR_drop_no_mbuf]++;
    return;
  }
  const FlowDst to = read_dst(dp.table.dyn(s.flow_id));
  const uint32_t alen = a->alen, ip_len = alen == 4 ? 20 : 40, udp_len = 8u + s.len;
  auto* p = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(m, static_cast<uint16_t>(14 + ip_len + udp_len)));
  if (p == nullptr) [[unlikely]] {
    rte_pktmbuf_free(m);
    lc.ctr[RTPGATE_CTR_drop_too_big]++;
    return;
  }
  nb.mac(p);
  std::memcpy(p + 6, dp.port_mac[a->out_port_id], 6);
  uint8_t* ip = p + 14;
  uint8_t* udp = ip + ip_len;
  const uint8_t tc = (a->flags & RTPGATE_FLOW_F_DSCP) ? uint8_t(a->dscp << 2) : 0;
  if (alen == 4) {
    p[12] = 0x08, p[13] = 0x00;
    const uint16_t tot = static_cast<uint16_t>(ip_len + udp_len);
    const uint8_t h[12] = {0x45, tc, uint8_t(tot >> 8), uint8_t(tot), 0, 0, 0x40, 0, 64, 17, 0, 0};
    std::memcpy(ip, h, 12);
  } else {
    p[12] = 0x86, p[13] = 0xdd;
    const uint8_t h[8] = {uint8_t(0x60 | tc >> 4), uint8_t(tc << 4), 0, 0, uint8_t(udp_len >> 8), uint8_t(udp_len), 17, 64};
    std::memcpy(ip, h, 8);
  }
  uint8_t* src = ip + (alen == 4 ? 12 : 8);
  std::memcpy(src, a->out_src, alen);
  std::memcpy(src + alen, to.addr, alen);
  if (alen == 4) {
    const uint16_t c = ipv4_header_csum(ip, 20);
    ip[10] = uint8_t(c >> 8), ip[11] = uint8_t(c);
  }
  std::memcpy(udp, &a->out_src_port_be, 2);
  std::memcpy(udp + 2, &to.port_be, 2);
  udp[4] = uint8_t(udp_len >> 8), udp[5] = uint8_t(udp_len), udp[6] = 0, udp[7] = 0;
  std::memcpy(udp + 8, s.data, s.len);
  if (a->srtp_out != 0) {  // SRTP leg: protected with the flow's outbound context, then checksummed
    FlowDyn& d = dp.table.dyn(s.flow_id);
    const FrameLayout f{14, static_cast<uint16_t>(14 + ip_len), static_cast<uint16_t>(14 + ip_len + 8),
                        static_cast<uint8_t>(alen == 4 ? 4 : 6)};
    if (ob == nullptr) [[unlikely]] {
      lc.ctr[RTPGATE_CTR_drop_srtp_no_ctx]++;
      rte_pktmbuf_free(m);
      return;
    }
    queue_srtp_out(dp, lc, *ob, m, d, f, s.len, dp.srtp.get(a->srtp_out), s.is_rtcp != 0, a->out_port_id, a->nbr_idx,
                   true);
    return;
  }
  const uint16_t c = udp_full_csum(static_cast<int>(alen == 4 ? 4 : 6), src, src + alen, udp, udp_len);
  udp[6] = uint8_t(c >> 8), udp[7] = uint8_t(c);
  lc.ctr[RTPGATE_CTR_ctl_tx_pkts]++;
  tx_enqueue(lc, a->out_port_id, m, dp.cfg.burst_pkts);
}

// Drains up to `budget` slots from this worker's control rings; returns how many.
inline uint32_t drain_ctl_rings(DpContext& dp, LcoreCtx& lc, uint32_t budget) noexcept {
  uint32_t n = 0;
  SrtpOutBurst ob;
  for (uint32_t r = 0; r < lc.n_from_ctl; r++) {
    auto& ring = lc.from_ctl[r];
    while (n < budget) {
      const rtpgate_shm_pkt_slot* s = ring.peek();
      if (s == nullptr) break;
      send_from_ctl(dp, lc, *s, &ob);
      fwd_tx_copies(dp, lc, *s, &ob);  // rtp_forward of the browser's media (copies)
      ring.release();
      n++;
    }
  }
  flush_srtp_out(dp, lc, ob);
  return n;
}

}  // namespace rtpgate::dp
