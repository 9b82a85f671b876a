// Worker-side exception path (see exc_worker.h).
#include "exception/exc_worker.h"

#include <rte_ring.h>

#include <algorithm>

#include "exception/frame_mbuf.h"
#include "exception/sip_hook.h"
#include "lcore/packet_handler.h"
#include "net/neigh_proto.h"
#include "sipguard/guard_screen.h"

namespace rtpgate::dp {
namespace {

constexpr uint8_t kIpProtoIcmp = 1;
constexpr uint8_t kIpProtoIcmpv6 = 58;

// Token bucket per worker: true when one more packet may go to the kernel.
bool exc_allow(DpContext& dp, LcoreCtx& lc, uint64_t now_tsc) noexcept {
  const uint64_t cap = dp.live.exc_burst.load(std::memory_order_relaxed) * dp.tsc_hz;
  const uint64_t rate = dp.live.exc_tokens_per_s.load(std::memory_order_relaxed);
  if (lc.exc_last_tsc == 0) lc.exc_tokens = cap;
  else lc.exc_tokens = std::min(cap, lc.exc_tokens + (now_tsc - lc.exc_last_tsc) * rate);
  lc.exc_last_tsc = now_tsc;
  if (lc.exc_tokens < dp.tsc_hz) return false;
  lc.exc_tokens -= dp.tsc_hz;
  return true;
}

// Hands m to the exception thread (kernel TAP of its input port). Consumes m.
void to_kernel(DpContext& dp, LcoreCtx& lc, rte_mbuf* m, uint32_t reason_ctr, uint64_t now_tsc) noexcept {
  if (dp.tap_port[m->port] == kNoTap) {
    lc.ctr[RTPGATE_CTR_drop_exc_no_tap]++;
  } else if (!exc_allow(dp, lc, now_tsc)) {
    lc.ctr[RTPGATE_CTR_drop_exc_ratelimit]++;
  } else if (rte_ring_mp_enqueue(dp.exc_ring, m) != 0) {
    lc.ctr[RTPGATE_CTR_drop_exc_ring_full]++;
  } else {
    lc.ctr[reason_ctr]++;
    return;
  }
  rte_pktmbuf_free(m);
}

// Sends a frame built in a fresh mbuf out of `port` from this worker. Consumes nothing.
void send_built(DpContext& dp, LcoreCtx& lc, uint16_t port, const uint8_t* frame, uint32_t len) noexcept {
  rte_mbuf* r = frame_to_mbuf(dp.pool, frame, len);
  if (r == nullptr) {
    lc.ctr[RTPGATE_CTR_drop_no_mbuf]++;
    return;
  }
  tx_enqueue(lc, port, r, dp.cfg.burst_pkts);
}

// ARP / neighbour discovery. Consumes m.
void handle_neigh(DpContext& dp, LcoreCtx& lc, rte_mbuf* m, const NeighParse& np, uint64_t now_tsc) noexcept {
  const uint64_t now_ns = dp.tsc_to_ns(now_tsc);
  const uint8_t* port_mac = dp.port_mac[m->port];
  uint8_t out[128];
  auto learn = [&](const uint8_t* ip, const uint8_t* mac) {
    if (dp.nbrs.learn(np.family, ip, mac, now_ns)) lc.ctr[RTPGATE_CTR_nbr_learnt]++;
  };
  switch (np.msg) {
    case NeighMsg::ArpRequest:
      learn(np.sender_ip, np.sender_mac);
      if (dp.media_addr_index(4, np.target_ip) >= 0) {
        send_built(dp, lc, m->port, out, build_arp_reply(out, port_mac, np.target_ip, np.sender_mac, np.sender_ip));
        lc.ctr[RTPGATE_CTR_arp_replies]++;
      } else {
        lc.ctr[RTPGATE_CTR_drop_not_ours]++;
      }
      break;
    case NeighMsg::NdSolicit:
      if (np.has_sender_mac) learn(np.sender_ip, np.sender_mac);
      if (dp.media_addr_index(6, np.target_ip) >= 0) {
        static const uint8_t kUnspec[16] = {};
        const bool from_unspec = std::memcmp(np.sender_ip, kUnspec, 16) == 0;
        const uint8_t* peer_mac = np.has_sender_mac ? np.sender_mac : np.eth_src;
        send_built(dp, lc, m->port, out, build_nd_advert(out, port_mac, np.target_ip, peer_mac, np.sender_ip, !from_unspec));
        lc.ctr[RTPGATE_CTR_nd_adverts]++;
      } else {
        lc.ctr[RTPGATE_CTR_drop_not_ours]++;
      }
      break;
    case NeighMsg::ArpReply:
    case NeighMsg::NdAdvert: {
      const uint8_t* ip = np.msg == NeighMsg::ArpReply ? np.sender_ip : np.target_ip;
      learn(ip, np.has_sender_mac || np.msg == NeighMsg::ArpReply ? np.sender_mac : np.eth_src);
      to_kernel(dp, lc, m, RTPGATE_CTR_exc_neigh, now_tsc);  // the kernel may be resolving too
      return;
    }
    case NeighMsg::None:
      lc.ctr[RTPGATE_CTR_drop_bad_neigh]++;
      break;
  }
  rte_pktmbuf_free(m);
}

bool is_ipv6_multicast(const ParsedPkt& pp) noexcept { return pp.key.family == 6 && pp.key.addr[0] == 0xff; }

}  // namespace

void handle_unmatched(DpContext& dp, LcoreCtx& lc, rte_mbuf* m, ParseStatus st, const ParsedPkt& pp,
                      uint64_t now_tsc) noexcept {
  const uint8_t* p = rte_pktmbuf_mtod(m, const uint8_t*);
  const uint32_t len = m->data_len;
  if (st == ParseStatus::NotIp) {
    const bool arp = len >= 14 && detail::rd16(p + 12) == kEtherTypeArp;
    if (!arp) {
      lc.ctr[RTPGATE_CTR_drop_not_ip]++;
      rte_pktmbuf_free(m);
      return;
    }
    handle_neigh(dp, lc, m, parse_neigh(p, len), now_tsc);
    return;
  }
  if (st == ParseStatus::BadL3 || st == ParseStatus::BadUdp) {
    lc.ctr[st == ParseStatus::BadL3 ? RTPGATE_CTR_drop_bad_l3 : RTPGATE_CTR_drop_bad_udp]++;
    rte_pktmbuf_free(m);
    return;
  }
  if (st == ParseStatus::NotUdp && pp.key.family == 6 && pp.ip_proto == kIpProtoIcmpv6) {
    const NeighParse np = parse_neigh(p, len);
    if (np.msg != NeighMsg::None || np.malformed) {
      handle_neigh(dp, lc, m, np, now_tsc);
      return;
    }
  }
  const bool ours = dp.media_addr_index(pp.key.family, pp.key.addr) >= 0;
  if (!ours && !(is_ipv6_multicast(pp) && pp.ip_proto == kIpProtoIcmpv6)) {
    lc.ctr[RTPGATE_CTR_drop_not_ours]++;
    rte_pktmbuf_free(m);
    return;
  }
  if (st == ParseStatus::NotUdp) {
    const bool icmp = pp.ip_proto == kIpProtoIcmp || pp.ip_proto == kIpProtoIcmpv6;
    to_kernel(dp, lc, m, icmp ? RTPGATE_CTR_exc_icmp : RTPGATE_CTR_exc_other_l4, now_tsc);
    return;
  }
  const uint16_t dport = __builtin_bswap16(pp.key.port_be);
  if ((dp.sip_port_bm[dport / 64] >> (dport % 64)) & 1u) {
    if (dp.sip_guard.load(std::memory_order_relaxed) != nullptr && sip_hold(lc, m, pp)) return;
    to_kernel(dp, lc, m, RTPGATE_CTR_exc_sip, now_tsc);
    return;
  }
  to_kernel(dp, lc, m, RTPGATE_CTR_exc_udp, now_tsc);
}

void screen_held_sip(DpContext& dp, LcoreCtx& lc, uint64_t now_tsc) noexcept {
  const uint16_t n = lc.n_sip;
  lc.n_sip = 0;
  using sipguard::Verdict;
  Verdict v[kMaxBurst];
  const sipguard::GuardDb* db = dp.sip_guard.load(std::memory_order_acquire);
  if (db != nullptr && lc.guard != nullptr) [[likely]] {
    const uint64_t counted0 = lc.guard->stats().counted;
    lc.guard->screen_burst(*db, lc.sip, n, v, now_tsc, dp.tsc_hz);
    lc.ctr[RTPGATE_CTR_sip_guard_counted] += lc.guard->stats().counted - counted0;
  } else {
    std::fill(v, v + n, Verdict::Pass);
  }
  for (uint16_t i = 0; i < n; i++) {
    rte_mbuf* m = lc.sip_mbuf[i];
    if (v[i] == Verdict::Pass) {
      to_kernel(dp, lc, m, RTPGATE_CTR_exc_sip, now_tsc);
      continue;
    }
    lc.ctr[v[i] == Verdict::Drop ? RTPGATE_CTR_drop_sip_guard : RTPGATE_CTR_drop_sip_ratelimit]++;
    rte_pktmbuf_free(m);
  }
}

void hold_for_neighbour(DpContext& dp, LcoreCtx& lc, rte_mbuf* m, uint16_t out_port, uint16_t nbr_idx) noexcept {
  m->port = out_port;
  m->hash.usr = nbr_idx;
  if (dp.hold_ring != nullptr && rte_ring_mp_enqueue(dp.hold_ring, m) == 0) {
    lc.ctr[RTPGATE_CTR_nbr_held]++;
    return;
  }
  lc.ctr[RTPGATE_CTR_drop_hold_full]++;
  rte_pktmbuf_free(m);
}

uint32_t drain_kernel_tx(DpContext& dp, LcoreCtx& lc, uint32_t budget) noexcept {
  rte_mbuf* pkts[kMaxBurst];
  const unsigned n = rte_ring_sc_dequeue_burst(dp.kernel_tx_ring, reinterpret_cast<void**>(pkts),
                                               std::min<uint32_t>(budget, kMaxBurst), nullptr);
  for (unsigned i = 0; i < n; i++) tx_enqueue(lc, pkts[i]->port, pkts[i], dp.cfg.burst_pkts);
  return n;
}

}  // namespace rtpgate::dp
