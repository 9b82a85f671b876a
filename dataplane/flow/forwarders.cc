// RTP forwarders (see forwarders.h): parameter checks (command lcore) and the copy itself
// (worker lcores).
#include "flow/forwarders.h"

#include "exception/exc_worker.h"
#include "lcore/packet_handler.h"
#include "lcore/srtp_stage.h"
#include "lcore/udp_frame.h"

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
  UdpFrame fr;
  if (build_udp_frame(dp, f, nb, read_dst(d), 0, rtp, len, &fr) != UdpFrameResult::Ok) [[unlikely]]
    return drop(RTPGATE_CTR_drop_no_mbuf);
  uint8_t* out = fr.udp + 8;
  if (f.fwd_flags & RTPGATE_FWD_F_PT) out[1] = static_cast<uint8_t>((out[1] & 0x80) | f.fwd_pt);
  if (f.fwd_flags & RTPGATE_FWD_F_SSRC) {
    out[8] = uint8_t(f.fwd_ssrc >> 24), out[9] = uint8_t(f.fwd_ssrc >> 16);
    out[10] = uint8_t(f.fwd_ssrc >> 8), out[11] = uint8_t(f.fwd_ssrc);
  }
  if (f.srtp_out != 0) {  // SRTP forwarder: protected with the burst, then checksummed and sent
    if (ob == nullptr) [[unlikely]] {
      rte_pktmbuf_free(fr.m);
      return drop(RTPGATE_CTR_drop_srtp_no_ctx);
    }
    lc.ctr[RTPGATE_CTR_fwd_copies]++;
    queue_srtp_out(dp, lc, *ob, fr.m, d, fr.layout, len, dp.srtp.get(f.srtp_out), false, f.out_port_id, f.nbr_idx,
                   false);
    return true;
  }
  finish_udp_checksum(fr);
  d.c.tx_pkts++;
  d.c.tx_bytes += fr.frame_len;
  lc.ctr[RTPGATE_CTR_fwd_copies]++;
  tx_or_hold(dp, lc, fr.m, f.out_port_id, f.nbr_idx);  // a target still resolving: held
  return true;
}

}  // namespace rtpgate::dp
