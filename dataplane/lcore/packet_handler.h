// Per-packet work of a worker after the flow lookup: RTP/RTCP checks, source and latching
// rules, direction, switching-context rewrite, L2-L4 header rewrite with incremental
// checksums, and TX buffering. Inline; runs on worker lcores only.
#pragma once
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <cstring>

#include "flow/latch.h"
#include "lcore/lcore_ctx.h"
#include "net/checksum.h"
#include "net/pkt_parse.h"
#include "record/rec_copy.h"
#include "rtp/rtp_check.h"
#include "rtp/rtp_rewrite.h"

namespace rtpgate::dp {

// Sends the buffered packets of one port; frees and counts what the queue refused.
// Keeps the frames of `b` addressed to the port's own MAC for RX processing (hairpin).
inline void divert_hairpin(LcoreCtx& lc, uint16_t port, TxBuffer& b) noexcept {
  uint16_t keep = 0;
  for (uint16_t i = 0; i < b.n; i++) {
    rte_mbuf* m = b.pkts[i];
    if (std::memcmp(rte_pktmbuf_mtod(m, const uint8_t*), lc.port_mac[port], 6) != 0) {
      b.pkts[keep++] = m;
    } else if (lc.n_hairpin < kMaxBurst) {
      m->port = port;
      lc.hairpin[lc.n_hairpin++] = m;
      lc.ctr[RTPGATE_CTR_hairpin_pkts]++;
    } else {
      rte_pktmbuf_free(m);
      lc.ctr[RTPGATE_CTR_drop_tx_full]++;
    }
  }
  b.n = keep;
}

inline void flush_port(LcoreCtx& lc, uint16_t port) noexcept {
  TxBuffer& b = lc.tx[port];
  if (lc.port_mac != nullptr && b.n != 0) [[unlikely]] divert_hairpin(lc, port, b);
  if (b.n == 0) return;
  const uint16_t sent = rte_eth_tx_burst(port, b.queue, b.pkts, b.n);
  lc.ctr[RTPGATE_CTR_tx_pkts] += sent;
  if (sent < b.n) [[unlikely]] {
    lc.ctr[RTPGATE_CTR_drop_tx_full] += b.n - sent;
    rte_pktmbuf_free_bulk(b.pkts + sent, b.n - sent);
  }
  b.n = 0;
}

inline void flush_all(LcoreCtx& lc, const DpContext& dp) noexcept {
  for (uint16_t i = 0; i < dp.n_ports; i++) flush_port(lc, dp.port_ids[i]);
  rec_flush(dp, lc);
}

// Takes ownership of m: queued for TX (flushed when full).
[[gnu::always_inline]] inline void tx_enqueue(LcoreCtx& lc, uint16_t port, rte_mbuf* m,
                                              uint32_t burst) noexcept {
  TxBuffer& b = lc.tx[port];
  b.pkts[b.n++] = m;
  lc.ctr[RTPGATE_CTR_tx_bytes] += rte_pktmbuf_pkt_len(m);
  if (b.n >= burst) flush_port(lc, port);
}

// Copies the UDP payload to control's packet ring; always frees m.
inline void to_ctl_or_drop(LcoreCtx& lc, const DpContext& dp, rte_mbuf* m, const ParsedPkt& pp,
                           uint32_t flow_id, bool is_rtcp, uint64_t now_tsc) noexcept {
  if (!lc.to_ctl.valid()) [[unlikely]] {
    lc.ctr[RTPGATE_CTR_drop_ctl_ring_full]++;
  } else if (pp.payload_len > RTPGATE_PKT_SLOT_DATA) [[unlikely]] {
    lc.ctr[RTPGATE_CTR_drop_too_big]++;
  } else if (rtpgate_shm_pkt_slot* s = lc.to_ctl.reserve(); s == nullptr) [[unlikely]] {
    lc.ctr[RTPGATE_CTR_drop_ctl_ring_full]++;
  } else {
    const uint8_t* p = rte_pktmbuf_mtod(m, const uint8_t*);
    s->flow_id = flow_id;
    s->len = pp.payload_len;
    s->is_rtcp = is_rtcp;
    s->rx_ns = dp.tsc_to_ns(now_tsc);
    s->remote.family = pp.key.family;
    s->remote.port = __builtin_bswap16(pp.src_port_be);
    std::memcpy(s->remote.addr, pp.src_addr, 16);
    std::memcpy(s->data, p + pp.payload_off, pp.payload_len);
    lc.to_ctl.publish();
    lc.ctr[RTPGATE_CTR_to_ctl_ring]++;
  }
  rte_pktmbuf_free(m);
}

// Rewrites addresses, ports, TTL/DSCP and checksums of a frame going out on `a`'s port.
// `old_sum`/`new_sum` carry the native-order sums (csum_native) of RTP bytes the caller
// changed. Sums come from loads done before the stores and from the new values
// themselves, never from re-reading what was just written, and are folded once.
// kCsum = false: the caller recomputes the UDP checksum afterwards (SRTP changed the payload);
// the IPv4 header checksum is always updated here.
template <bool kCsum = true>
[[gnu::always_inline]] inline void rewrite_headers(const DpContext& dp, uint8_t* p, const ParsedPkt& pp,
                                                   const FlowAction& a, const FlowDyn& d, uint64_t old_sum,
                                                   uint64_t new_sum) noexcept {
  const uint64_t mac = __atomic_load_n(&dp.nbrs.at(a.nbr_idx).mac_word, __ATOMIC_RELAXED);
  std::memcpy(p, &mac, 6);
  std::memcpy(p + 6, dp.port_mac[a.out_port_id], 6);
  uint8_t* ip = p + pp.l3_off;
  uint8_t* udp = p + pp.l4_off;
  const uint32_t alen = a.alen;
  const FlowDst to = read_dst(d);
  uint8_t* src = ip + (alen == 4 ? 12 : 8);
  uint64_t old_addr, new_addr;
  if (alen == 4) {
    old_addr = csum_native(src, 8);
    new_addr = csum_native(a.out_src, 4) + csum_native(to.addr, 4);
    std::memcpy(src, a.out_src, 4);
    std::memcpy(src + 4, to.addr, 4);
  } else {
    old_addr = csum_native(src, 32);
    new_addr = csum_native(a.out_src, 16) + csum_native(to.addr, 16);
    std::memcpy(src, a.out_src, 16);
    std::memcpy(src + 16, to.addr, 16);
  }
  old_sum += old_addr + csum_native(udp, 4);
  new_sum += new_addr + a.out_src_port_be + to.port_be;
  std::memcpy(udp, &a.out_src_port_be, 2);
  std::memcpy(udp + 2, &to.port_be, 2);
  const uint16_t ucsum = uint16_t(udp[6] << 8 | udp[7]);
  if (kCsum && (ucsum != 0 || alen == 16)) {
    uint16_t c = csum_adjust(ucsum, csum_native_to_be(old_sum), csum_native_to_be(new_sum));
    if (c == 0) c = 0xffff;
    udp[6] = uint8_t(c >> 8);
    udp[7] = uint8_t(c);
  }
  if (alen == 4) {
    // Incremental (RFC 1624): addresses, TTL and DSCP are the only changed words.
    uint64_t old_ip = old_addr + csum_native2(ip[8], ip[9]), new_ip = new_addr + csum_native2(64, ip[9]);
    if (a.flags & RTPGATE_FLOW_F_DSCP) {
      const uint8_t tos = uint8_t(a.dscp << 2 | (ip[1] & 3));
      old_ip += csum_native2(ip[0], ip[1]);
      new_ip += csum_native2(ip[0], tos);
      ip[1] = tos;
    }
    ip[8] = 64;
    const uint16_t c =
        csum_adjust(uint16_t(ip[10] << 8 | ip[11]), csum_native_to_be(old_ip), csum_native_to_be(new_ip));
    ip[10] = uint8_t(c >> 8);
    ip[11] = uint8_t(c);
  } else {
    if (a.flags & RTPGATE_FLOW_F_DSCP) {
      const uint32_t tc = uint32_t(a.dscp) << 2 | ((ip[1] >> 4) & 3u);
      ip[0] = uint8_t(0x60 | tc >> 4);
      ip[1] = uint8_t((tc & 0x0f) << 4 | (ip[1] & 0x0f));
    }
    ip[7] = 64;
  }
}

}  // namespace rtpgate::dp
