// RTP forwarders (see forwarders.h): parameter checks (command lcore) and the copy itself
// (worker lcores).
#include "flow/forwarders.h"

#include "lcore/packet_handler.h"
#include "lcore/srtp_stage.h"

namespace rtpgate::dp {

Errc fwd_build(uint32_t flow_id, uint32_t capacity, const rtpgate_shm_flow_params& p, FlowAction* a) noexcept {
  const rtpgate_shm_fwd& w = p.fwd;
  const auto link = [&](uint8_t flag, uint32_t id, uint32_t* out) {
    *out = kNoFlow;
    if (!(w.flags & flag)) return true;
    if (id >= capacity || id == flow_id) return false;
    *out = id;
    return true;
  };
  if (!link(RTPGATE_FWD_F_RX, w.rx_head, &a->fwd_rx) || !link(RTPGATE_FWD_F_TX, w.tx_head, &a->fwd_tx) ||
      !link(RTPGATE_FWD_F_NEXT, w.next, &a->fwd_next))
    return Errc::BadParam;
  if ((w.flags & RTPGATE_FWD_F_PT) && w.pt > 127) return Errc::BadParam;
  // A forwarder sends what it is given: it must have an output (FORWARD action).
  if ((w.flags & (RTPGATE_FWD_F_NEXT | RTPGATE_FWD_F_SSRC | RTPGATE_FWD_F_PT)) && p.action != RTPGATE_ACT_FORWARD)
    return Errc::BadParam;
  a->fwd_flags = static_cast<uint8_t>(w.flags & (RTPGATE_FWD_F_SSRC | RTPGATE_FWD_F_PT));
  a->fwd_ssrc = w.ssrc;
  a->fwd_pt = w.pt;
  return Errc::Ok;
}

bool fwd_send_copy(DpContext& dp, LcoreCtx& lc, const FlowAction& f, const uint8_t* rtp, uint32_t len,
                   SrtpOutBurst* ob) noexcept {
  FlowDyn& d = dp.table.dyn(f.flow_id);
  const auto drop = [&](uint32_t ctr) {
    lc.ctr[ctr]++;
    d.c.drop_tx++;
    return false;
  };
  if (f.action != RTPGATE_ACT_FORWARD || f.nbr_idx == NeighbourTable::kNone || len < 12 || len > RTPGATE_PKT_SLOT_DATA)
    [[unlikely]]
    return drop(RTPGATE_CTR_drop_fwd_gone);
  const Neighbour& nb = dp.nbrs.at(f.nbr_idx);
  if (!__atomic_load_n(&nb.resolved, __ATOMIC_ACQUIRE)) [[unlikely]]
    return drop(RTPGATE_CTR_drop_no_neighbour);  // the exception thread is resolving it
  rte_mbuf* m = rte_pktmbuf_alloc(dp.pool);
  if (m == nullptr) [[unlikely]]
    return drop(RTPGATE_CTR_drop_no_mbuf);
  const FlowDst to = read_dst(d);
  const uint32_t alen = f.alen, ip_len = alen == 4 ? 20 : 40, udp_len = 8u + len;
  auto* p = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(m, static_cast<uint16_t>(14 + ip_len + udp_len)));
  if (p == nullptr) [[unlikely]] {
    rte_pktmbuf_free(m);
    return drop(RTPGATE_CTR_drop_no_mbuf);
  }
  nb.mac(p);
  std::memcpy(p + 6, dp.port_mac[f.out_port_id], 6);
  uint8_t* ip = p + 14;
  uint8_t* udp = ip + ip_len;
  if (alen == 4) {
    p[12] = 0x08, p[13] = 0x00;
    const auto tot = static_cast<uint16_t>(ip_len + udp_len);
    const uint8_t h[12] = {0x45, 0, uint8_t(tot >> 8), uint8_t(tot), 0, 0, 0x40, 0, 64, 17, 0, 0};
    std::memcpy(ip, h, 12);
  } else {
    p[12] = 0x86, p[13] = 0xdd;
    const uint8_t h[8] = {0x60, 0, 0, 0, uint8_t(udp_len >> 8), uint8_t(udp_len), 17, 64};
    std::memcpy(ip, h, 8);
  }
  uint8_t* src = ip + (alen == 4 ? 12 : 8);
  std::memcpy(src, f.out_src, alen);
  std::memcpy(src + alen, to.addr, alen);
  if (alen == 4) {
    const uint16_t c = ipv4_header_csum(ip, 20);
    ip[10] = uint8_t(c >> 8), ip[11] = uint8_t(c);
  }
  std::memcpy(udp, &f.out_src_port_be, 2);
  std::memcpy(udp + 2, &to.port_be, 2);
  udp[4] = uint8_t(udp_len >> 8), udp[5] = uint8_t(udp_len), udp[6] = 0, udp[7] = 0;
  uint8_t* out = udp + 8;
  std::memcpy(out, rtp, len);
  if (f.fwd_flags & RTPGATE_FWD_F_PT) out[1] = static_cast<uint8_t>((out[1] & 0x80) | f.fwd_pt);
  if (f.fwd_flags & RTPGATE_FWD_F_SSRC) {
    out[8] = uint8_t(f.fwd_ssrc >> 24), out[9] = uint8_t(f.fwd_ssrc >> 16);
    out[10] = uint8_t(f.fwd_ssrc >> 8), out[11] = uint8_t(f.fwd_ssrc);
  }
  if (f.srtp_out != 0) {  // SRTP forwarder: protected with the burst, then checksummed and sent
    if (ob == nullptr) [[unlikely]] {
      rte_pktmbuf_free(m);
      return drop(RTPGATE_CTR_drop_srtp_no_ctx);
    }
    const FrameLayout fl{14, static_cast<uint16_t>(14 + ip_len), static_cast<uint16_t>(14 + ip_len + 8),
                         static_cast<uint8_t>(alen == 4 ? 4 : 6)};
    lc.ctr[RTPGATE_CTR_fwd_copies]++;
    queue_srtp_out(dp, lc, *ob, m, d, fl, len, dp.srtp.get(f.srtp_out), false, f.out_port_id, f.nbr_idx, false);
    return true;
  }
  uint16_t c = udp_full_csum(static_cast<int>(alen == 4 ? 4 : 6), src, src + alen, udp, udp_len);
  if (c == 0) c = 0xffff;
  udp[6] = uint8_t(c >> 8), udp[7] = uint8_t(c);
  d.c.tx_pkts++;
  d.c.tx_bytes += 14 + ip_len + udp_len;
  lc.ctr[RTPGATE_CTR_fwd_copies]++;
  tx_enqueue(lc, f.out_port_id, m, dp.cfg.burst_pkts);
  return true;
}

}  // namespace rtpgate::dp
