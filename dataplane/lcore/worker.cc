// Worker lcore loop and burst processing (hot path: no allocation, locks, syscalls or
// logging; every mbuf is transmitted, handed to a ring or freed exactly once).
#include "lcore/worker.h"

#include <rte_cycles.h>
#include <rte_prefetch.h>

#include "exception/exc_worker.h"
#include "flow/command_apply.h"
#include "flow/forwarders.h"
#include "lcore/packet_handler.h"
#include "lcore/srtp_stage.h"
#include "rtcp/pli_inject.h"
#include "stats/publish_counters.h"

namespace rtpgate::dp {
namespace {

// Source rules; may relatch (moves the reverse flow's destination). False = drop.
// `authenticated`: the packet passed SRTP authentication (latching on SRTP_AUTH legs).
[[gnu::always_inline]] inline bool accept_source(DpContext& dp, LcoreCtx& lc, const FlowAction& a, FlowDyn& d,
                                                 const ParsedPkt& pp, bool is_rtp, uint32_t ssrc,
                                                 uint64_t now_tsc, bool authenticated) noexcept {
  if (!(a.flags & (RTPGATE_FLOW_F_EXPECT_ADDR | RTPGATE_FLOW_F_EXPECT_PORT | RTPGATE_FLOW_F_EXPECT_SSRC |
                   RTPGATE_FLOW_F_LATCH)))
    return true;
  const SourceCheck c{a.flags, a.alen, a.expect_src, a.expect_src_port_be, a.expect_ssrc,
                      d.cur_src, d.cur_src_port_be, now_tsc < a.latch_until_tsc};
  const PacketSource s{pp.src_addr, pp.src_port_be, is_rtp, ssrc, authenticated};
  switch (check_source(c, s)) {
    case SourceVerdict::Accept:
      return true;
    case SourceVerdict::AcceptRelatch: {
      std::memcpy(d.cur_src, pp.src_addr, 16);
      d.cur_src_port_be = pp.src_port_be;
      if (a.reverse_flow_id != kNoFlow) {
        FlowDyn& r = dp.table.dyn(a.reverse_flow_id);
        write_dst(r, pp.src_addr, pp.src_port_be);
      }
      d.c.relatch++;
      lc.ctr[RTPGATE_CTR_relatch]++;
      return true;
    }
    default:
      d.c.drop_source++;
      lc.ctr[RTPGATE_CTR_drop_source]++;
      return false;
  }
}

// The action a packet is handled with: its flow's, or (RFC 5761) the RTCP flow's for RTCP
// on an rtcp-mux port. nullptr = dropped (counted, m freed).
[[gnu::always_inline]] inline const FlowAction* resolve_action(DpContext& dp, LcoreCtx& lc, rte_mbuf* m,
                                                               const ParsedPkt& pp, uint32_t action_idx,
                                                               bool* is_rtcp) noexcept {
  const FlowAction* a = &dp.table.actions()[action_idx];
  *is_rtcp = a->kind == RTPGATE_KIND_RTCP;
  if (!*is_rtcp && (a->flags & RTPGATE_FLOW_F_RTCP_MUX) &&
      looks_like_rtcp(rte_pktmbuf_mtod(m, const uint8_t*) + pp.payload_off, pp.payload_len)) {
    const uint32_t idx = dp.table.action_of(a->rtcp_flow_id);
    if (idx == kNoFlow) [[unlikely]] {
      lc.ctr[RTPGATE_CTR_drop_no_flow]++;
      rte_pktmbuf_free(m);
      return nullptr;
    }
    a = &dp.table.actions()[idx];
    *is_rtcp = true;
  }
  return a;
}

[[gnu::always_inline]] inline FlowDyn& count_rx(DpContext& dp, const FlowAction& a, const ParsedPkt& pp,
                                                uint64_t now_tsc) noexcept {
  FlowDyn& d = dp.table.dyn(a.flow_id);
  d.c.rx_pkts++;
  d.c.rx_bytes += pp.payload_len + 8u + (pp.l4_off - pp.l3_off);
  d.last_seen_tsc = now_tsc;
  return d;
}

// Everything after the action is known and the payload is plain RTP/RTCP; takes ownership
// of m. kSrtp: the packet may come out of the SRTP stage (`authenticated`: it was
// unprotected, its payload changed) and may go into it (`ob`: flows with srtp_out).
template <bool kSrtp>
[[gnu::always_inline]] inline void handle_plain(DpContext& dp, LcoreCtx& lc, rte_mbuf* m, const ParsedPkt& pp,
                                                const FlowAction* a, FlowDyn& d, bool is_rtcp, uint64_t now_tsc,
                                                bool authenticated, SrtpOutBurst* ob) noexcept {
  uint8_t* p = rte_pktmbuf_mtod(m, uint8_t*);
  uint8_t* pl = p + pp.payload_off;
  const uint32_t plen = pp.payload_len;
  const bool bad = is_rtcp ? check_rtcp(pl, plen) != RtcpCheck::Ok : check_rtp(pl, plen) != RtpCheck::Ok;
  if (bad) [[unlikely]] {
    d.c.drop_bad_rtp++;
    lc.ctr[is_rtcp ? RTPGATE_CTR_drop_bad_rtcp : RTPGATE_CTR_drop_bad_rtp]++;
    rte_pktmbuf_free(m);
    return;
  }
  const uint32_t ssrc = is_rtcp ? 0 : rd32be(pl + 8);
  if (!accept_source(dp, lc, *a, d, pp, !is_rtcp, ssrc, now_tsc, authenticated)) {
    rte_pktmbuf_free(m);
    return;
  }
  if (a->direction >= RTPGATE_DIR_RECVONLY || a->action == RTPGATE_ACT_DROP) {
    d.c.drop_direction++;
    lc.ctr[RTPGATE_CTR_drop_direction]++;
    rte_pktmbuf_free(m);
    return;
  }
  if (!is_rtcp) {
    d.last_in_ssrc = ssrc;
    if (a->rec_rx != 0) [[unlikely]] {  // recording: a plain copy, before any rewrite or protection
      rec_copy(dp, lc, a->flow_id, false, a->rec_rx, a->rec_rx_gen, pl, plen, now_tsc);
      if (a->rec_pli) rec_pli_check(dp, lc, *a, d, ssrc, now_tsc, ob);
    }
  }
  if (a->action == RTPGATE_ACT_TO_CTL) {
    d.c.tx_pkts++;
    d.c.tx_bytes += plen;
    fwd_rx_copies(dp, lc, *a, is_rtcp, pl, plen, ob);  // rtp_forward of the peer's media (copies)
    to_ctl_or_drop(lc, dp, m, pp, a->flow_id, is_rtcp, now_tsc);
    return;
  }
  uint64_t old_sum = 0, new_sum = 0;  // native-order sums of the RTP bytes rewritten
  if (!is_rtcp) {
    if (a->flags & RTPGATE_FLOW_F_REWRITE) {
      old_sum = csum_native(pl + 2, 10);
      if (rtp_rewrite(d.rw, pl, a->ts_step, &new_sum)) d.c.ssrc_changes++;
    }
    lc.ctr[RTPGATE_CTR_fwd_rtp]++;
  } else {
    lc.ctr[RTPGATE_CTR_fwd_rtcp]++;
  }
  if (kSrtp && (authenticated || a->srtp_out != 0)) {
    rewrite_headers<false>(dp, p, pp, *a, d, old_sum, new_sum);  // checksums recomputed below
  } else {
    rewrite_headers(dp, p, pp, *a, d, old_sum, new_sum);
  }
  if (pp.l2_len_trailer != 0) rte_pktmbuf_trim(m, pp.l2_len_trailer);
  if constexpr (kSrtp) {
    const FrameLayout f{pp.l3_off, pp.l4_off, pp.payload_off, pp.key.family};
    if (a->srtp_out != 0) {  // transcryption / protect toward this flow's output
      queue_srtp_out(dp, lc, *ob, m, d, f, plen, dp.srtp.get(a->srtp_out), is_rtcp, a->out_port_id, a->nbr_idx,
                     false);
      return;
    }
    if (authenticated) srtp_checksums(m, f);  // decrypted payload leaves in clear
  }
  d.c.tx_pkts++;
  d.c.tx_bytes += rte_pktmbuf_pkt_len(m);
  tx_or_hold(dp, lc, m, a->out_port_id, a->nbr_idx);
}

// Everything after the lookup for one packet of a flow without SRTP; takes ownership of m.
[[gnu::always_inline]] inline void handle_packet(DpContext& dp, LcoreCtx& lc, rte_mbuf* m, const ParsedPkt& pp,
                                                 uint32_t action_idx, uint64_t now_tsc) noexcept {
  bool is_rtcp;
  const FlowAction* a = resolve_action(dp, lc, m, pp, action_idx, &is_rtcp);
  if (a == nullptr) return;
  FlowDyn& d = count_rx(dp, *a, pp, now_tsc);
  handle_plain<false>(dp, lc, m, pp, a, d, is_rtcp, now_tsc, false, nullptr);
}

// Packets of flows with an inbound SRTP context, gathered over one burst.
struct SrtpInBurst {
  uint16_t n[2] = {0, 0};  // [0] RTP, [1] RTCP
  uint16_t pos[2][kMaxBurst];               // index into the burst's ok[]/pp[]
  const FlowAction* act[2][kMaxBurst];
  srtp::SrtpPacket pkt[2][kMaxBurst];
  srtp::SrtpResult res[2][kMaxBurst];
};

// Pass 2 when SRTP is in use: plain flows as usual, SRTP flows unprotected as one burst
// (per kind), then handled; what is to be protected goes out as one burst at the end.
[[gnu::noinline]] void process_srtp(DpContext& dp, LcoreCtx& lc, rte_mbuf** ok, ParsedPkt* pp, const uint64_t* entry,
                                    uint16_t n_ok, uint64_t now_tsc) noexcept {
  SrtpInBurst ib;
  SrtpOutBurst ob;
  for (uint16_t i = 0; i < n_ok; i++) {
    if (entry[i] == 0) [[unlikely]] {
      handle_unmatched(dp, lc, ok[i], ParseStatus::Ok, pp[i], now_tsc);
      continue;
    }
    bool is_rtcp;
    const FlowAction* a = resolve_action(dp, lc, ok[i], pp[i], FlowTable::action_of_entry(entry[i]), &is_rtcp);
    if (a == nullptr) continue;
    FlowDyn& d = count_rx(dp, *a, pp[i], now_tsc);
    if (a->srtp_in == 0) {
      handle_plain<true>(dp, lc, ok[i], pp[i], a, d, is_rtcp, now_tsc, false, &ob);
      continue;
    }
    srtp::SrtpContext* ctx = dp.srtp.get(a->srtp_in);
    if (ctx == nullptr || lc.srtp == nullptr) [[unlikely]] {
      lc.ctr[RTPGATE_CTR_drop_srtp_no_ctx]++;
      d.c.srtp_no_ctx++;
      rte_pktmbuf_free(ok[i]);
      continue;
    }
    ctx->prefetch(is_rtcp);
    const int k = is_rtcp ? 1 : 0;
    const uint16_t j = ib.n[k]++;
    ib.pos[k][j] = i;
    ib.act[k][j] = a;
    ib.pkt[k][j] = srtp::SrtpPacket{rte_pktmbuf_mtod(ok[i], uint8_t*) + pp[i].payload_off, pp[i].payload_len,
                                    pp[i].payload_len, ctx};
  }
  for (int k = 0; k < 2; k++) {
    if (ib.n[k] == 0) continue;
    if (k == 0) lc.srtp->unprotect_rtp(ib.pkt[0], ib.res[0], ib.n[0]);
    else lc.srtp->unprotect_rtcp(ib.pkt[1], ib.res[1], ib.n[1]);
    for (uint16_t j = 0; j < ib.n[k]; j++) {
      const uint16_t i = ib.pos[k][j];
      const FlowAction* a = ib.act[k][j];
      FlowDyn& d = dp.table.dyn(a->flow_id);
      if (!count_unprotect(lc, d, ib.res[k][j])) {
        rte_pktmbuf_free(ok[i]);
        continue;
      }
      const FrameLayout f{pp[i].l3_off, pp[i].l4_off, pp[i].payload_off, pp[i].key.family};
      set_payload_len(ok[i], f, ib.pkt[k][j].len);  // also drops any Ethernet trailer
      pp[i].payload_len = static_cast<uint16_t>(ib.pkt[k][j].len);
      pp[i].l2_len_trailer = 0;
      handle_plain<true>(dp, lc, ok[i], pp[i], a, d, k == 1, now_tsc, true, &ob);
    }
  }
  flush_srtp_out(dp, lc, ob);
}

}  // namespace

void process_burst(DpContext& dp, LcoreCtx& lc, rte_mbuf** pkts, uint16_t n, uint64_t now_tsc) noexcept {
  ParsedPkt pp[kMaxBurst];
  rte_mbuf* ok[kMaxBurst];
  uint64_t entry[kMaxBurst];
  uint16_t n_ok = 0;
  lc.ctr[RTPGATE_CTR_rx_pkts] += n;
  const bool srtp = dp.srtp.used();
  // Pass 1: parse and look up the whole burst, prefetching each hit's action and state.
  for (uint16_t i = 0; i < n; i++) {
    if (i + 3 < n) rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 3], void*));
    rte_mbuf* m = pkts[i];
    lc.ctr[RTPGATE_CTR_rx_bytes] += rte_pktmbuf_pkt_len(m);
    const ParseStatus s = m->nb_segs == 1 ? parse_frame(rte_pktmbuf_mtod(m, const uint8_t*), m->data_len, &pp[n_ok])
                                          : ParseStatus::BadL3;
    if (s != ParseStatus::Ok) [[unlikely]] {
      handle_unmatched(dp, lc, m, s, pp[n_ok], now_tsc);
      continue;
    }
    const uint64_t e = dp.table.lookup(pp[n_ok].key);
    if (e != 0) {
      const FlowAction* a = &dp.table.actions()[FlowTable::action_of_entry(e)];
      rte_prefetch0(a);
      if (srtp) rte_prefetch0(reinterpret_cast<const uint8_t*>(a) + 64);  // srtp_in/srtp_out
      rte_prefetch0(&dp.table.dyn(FlowTable::flow_of(e)));
    }
    entry[n_ok] = e;
    ok[n_ok++] = m;
  }
  if (srtp) {
    process_srtp(dp, lc, ok, pp, entry, n_ok, now_tsc);
  } else {
    // Pass 2: per-packet work.
    for (uint16_t i = 0; i < n_ok; i++) {
      if (entry[i] == 0) [[unlikely]] {
        handle_unmatched(dp, lc, ok[i], ParseStatus::Ok, pp[i], now_tsc);
        continue;
      }
      handle_packet(dp, lc, ok[i], pp[i], FlowTable::action_of_entry(entry[i]), now_tsc);
    }
  }
  if (lc.n_sip != 0) [[unlikely]] screen_held_sip(dp, lc, now_tsc);  // SIP guard: the burst's SIP datagrams
}

void publish_lcore_stats(LcoreCtx& lc) noexcept { publish_counters(lc.stats, lc.ctr); }

}  // namespace rtpgate::dp
