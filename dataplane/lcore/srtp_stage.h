// The SRTP stage of a worker burst (hot path, worker lcores only): packets of flows with an
// SRTP context are gathered and handed to the lcore's SrtpBatch in one submit per kind
// (RTP, RTCP) and direction, then resized (tag and SRTCP trailer), re-checksummed and
// passed on. Unprotect failures are dropped and counted by reason. No allocation.
#pragma once
#include <rte_mbuf.h>

#include "exception/exc_worker.h"
#include "lcore/packet_handler.h"
#include "srtp/srtp_batch.h"

namespace rtpgate::dp {

// Where a packet's layers sit in its frame (a ParsedPkt subset that frames built from
// control's rings also have).
struct FrameLayout {
  uint16_t l3_off, l4_off, payload_off;
  uint8_t family;  // 4 or 6
};

// Sets the frame length and the IP/UDP length fields for a UDP payload of new_len bytes
// (single segment; growing needs tailroom, which the SRTP capacity check guaranteed). The
// IPv4 header checksum is adjusted for the new total length (RFC 1624), from values, not by
// re-reading bytes just stored (a wide load over narrow stores stalls store forwarding).
[[gnu::always_inline]] inline void set_payload_len(rte_mbuf* m, const FrameLayout& f, uint32_t new_len) noexcept {
  const auto frame = static_cast<uint16_t>(f.payload_off + new_len);
  m->data_len = frame;
  m->pkt_len = frame;
  uint8_t* p = rte_pktmbuf_mtod(m, uint8_t*);
  uint8_t* ip = p + f.l3_off;
  const uint32_t udp_len = 8 + new_len;
  p[f.l4_off + 4] = uint8_t(udp_len >> 8);
  p[f.l4_off + 5] = uint8_t(udp_len);
  if (f.family == 4) {
    const uint32_t tot = uint32_t(f.l4_off - f.l3_off) + udp_len;
    const uint32_t old_tot = uint32_t(ip[2] << 8 | ip[3]);
    const uint16_t c = csum_adjust(uint16_t(ip[10] << 8 | ip[11]), old_tot, tot);
    ip[2] = uint8_t(tot >> 8);
    ip[3] = uint8_t(tot);
    ip[10] = uint8_t(c >> 8);
    ip[11] = uint8_t(c);
  } else {
    ip[4] = uint8_t(udp_len >> 8);
    ip[5] = uint8_t(udp_len);
  }
}

// Whether IPv4 datagrams that went through the SRTP stage carry a UDP checksum. Off: they
// leave with checksum 0 ("none", RFC 768; IPv6 always gets its mandatory one). The payload
// was re-encrypted or decrypted, so a checksum means summing all of it again (30-40 TSC per
// 172-byte packet on the benchmark machine, ~10% of the SRTP path); SRTP's tag already
// authenticates every byte of the protected leg end to end, and Ethernet's CRC covers the wire.
inline constexpr bool kSrtpIpv4UdpChecksum = false;

// UDP checksum from scratch (the payload changed: encrypted or decrypted); on IPv4 it is 0
// unless kSrtpIpv4UdpChecksum. The IPv4 header checksum is already up to date
// (rewrite_headers and set_payload_len adjust it incrementally).
[[gnu::always_inline]] inline void srtp_checksums(rte_mbuf* m, const FrameLayout& f) noexcept {
  uint8_t* p = rte_pktmbuf_mtod(m, uint8_t*);
  uint8_t* ip = p + f.l3_off;
  uint8_t* udp = p + f.l4_off;
  const uint32_t alen = f.family == 4 ? 4 : 16;
  const uint8_t* src = ip + (f.family == 4 ? 12 : 8);
  udp[6] = udp[7] = 0;
  if (!kSrtpIpv4UdpChecksum && f.family == 4) return;
  const uint32_t udp_len = uint32_t(udp[4] << 8 | udp[5]);
  // Pseudo-header + datagram, native order, four independent accumulators (ILP).
  uint64_t a0 = csum_native(src, 2 * alen), a1 = 0, a2 = 0, a3 = 0;
  a0 += __builtin_bswap16(static_cast<uint16_t>(17)) + __builtin_bswap16(static_cast<uint16_t>(udp_len));
  const uint8_t* q = udp;
  uint32_t n = udp_len;
  for (; n >= 16; n -= 16, q += 16) {
    uint32_t w[4];
    __builtin_memcpy(w, q, 16);
    a0 += w[0];
    a1 += w[1];
    a2 += w[2];
    a3 += w[3];
  }
  uint64_t sum = a0 + a1 + a2 + a3 + csum_native(q, n & ~1u);
  if (n & 1u) sum += csum_native2(q[n - 1], 0);
  uint16_t c = static_cast<uint16_t>(~csum_fold(csum_native_to_be(sum)));
  if (c == 0) c = 0xffff;
  udp[6] = uint8_t(c >> 8);
  udp[7] = uint8_t(c);
}

// Counts one unprotect result; true when the packet goes on.
[[gnu::always_inline]] inline bool count_unprotect(LcoreCtx& lc, FlowDyn& d, srtp::SrtpResult r) noexcept {
  switch (r) {
    case srtp::SrtpResult::kOk:
      lc.ctr[RTPGATE_CTR_srtp_unprotected]++;
      return true;
    case srtp::SrtpResult::kResynced:
      lc.ctr[RTPGATE_CTR_srtp_unprotected]++;
      lc.ctr[RTPGATE_CTR_srtp_resync]++;
      d.c.srtp_resync++;
      return true;
    case srtp::SrtpResult::kAuthFail:
      lc.ctr[RTPGATE_CTR_drop_srtp_auth]++;
      d.c.srtp_auth_fail++;
      return false;
    case srtp::SrtpResult::kReplayFail:
      lc.ctr[RTPGATE_CTR_drop_srtp_replay]++;
      d.c.srtp_replay_fail++;
      return false;
    case srtp::SrtpResult::kBadLength:
      break;
  }
  lc.ctr[RTPGATE_CTR_drop_srtp_bad_len]++;
  d.c.srtp_no_ctx++;
  return false;
}

// Packets waiting to be protected (forwarded packets after their header rewrite, frames
// built from control's rings). Lives on the caller's stack for one burst.
struct SrtpOutBurst {
  struct Meta {
    rte_mbuf* m;
    FlowDyn* d;
    FrameLayout f;
    uint16_t out_port;
    uint16_t nbr_idx;
    bool ctl;  // from control's ring (counted as ctl_tx_pkts)
  };
  uint16_t n[2] = {0, 0};  // [0] RTP, [1] RTCP
  srtp::SrtpPacket pkt[2][kMaxBurst];
  srtp::SrtpResult res[2][kMaxBurst];
  Meta meta[2][kMaxBurst];
};

// Protects, resizes, re-checksums and sends (or holds for the next hop) every queued packet.
inline void flush_srtp_out(DpContext& dp, LcoreCtx& lc, SrtpOutBurst& ob) noexcept {
  for (int k = 0; k < 2; k++) {
    const uint16_t n = ob.n[k];
    if (n == 0) continue;
    if (k == 0) lc.srtp->protect_rtp(ob.pkt[0], ob.res[0], n);
    else lc.srtp->protect_rtcp(ob.pkt[1], ob.res[1], n);
    for (uint16_t i = 0; i < n; i++) {
      const SrtpOutBurst::Meta& mt = ob.meta[k][i];
      if (ob.res[k][i] != srtp::SrtpResult::kOk) [[unlikely]] {
        lc.ctr[RTPGATE_CTR_drop_srtp_bad_len]++;
        mt.d->c.srtp_no_ctx++;
        rte_pktmbuf_free(mt.m);
        continue;
      }
      lc.ctr[RTPGATE_CTR_srtp_protected]++;
      set_payload_len(mt.m, mt.f, ob.pkt[k][i].len);
      srtp_checksums(mt.m, mt.f);
      if (mt.ctl) {
        lc.ctr[RTPGATE_CTR_ctl_tx_pkts]++;
      } else {
        mt.d->c.tx_pkts++;
        mt.d->c.tx_bytes += rte_pktmbuf_pkt_len(mt.m);
      }
      tx_or_hold(dp, lc, mt.m, mt.out_port, mt.nbr_idx);
    }
    ob.n[k] = 0;
  }
}

// Queues a frame whose UDP payload (at f.payload_off, payload_len bytes) is to be protected
// with `ctx`; takes ownership of m. Frees and counts it when it cannot be protected.
[[gnu::always_inline]] inline void queue_srtp_out(DpContext& dp, LcoreCtx& lc, SrtpOutBurst& ob, rte_mbuf* m,
                                                  FlowDyn& d, const FrameLayout& f, uint32_t payload_len,
                                                  srtp::SrtpContext* ctx, bool rtcp, uint16_t out_port,
                                                  uint16_t nbr_idx, bool ctl) noexcept {
  if (ctx == nullptr || lc.srtp == nullptr) [[unlikely]] {
    lc.ctr[RTPGATE_CTR_drop_srtp_no_ctx]++;
    d.c.srtp_no_ctx++;
    rte_pktmbuf_free(m);
    return;
  }
  ctx->prefetch(rtcp);
  const int k = rtcp ? 1 : 0;
  if (ob.n[k] == kMaxBurst) [[unlikely]] flush_srtp_out(dp, lc, ob);
  const uint16_t i = ob.n[k]++;
  // Room for the tag (and the SRTCP index): everything after the payload start up to the
  // end of the buffer; protect checks it and fails with kBadLength when short.
  const uint32_t room = uint32_t(m->buf_len - m->data_off) - f.payload_off;
  ob.pkt[k][i] = srtp::SrtpPacket{rte_pktmbuf_mtod(m, uint8_t*) + f.payload_off, payload_len, room, ctx};
  ob.meta[k][i] = SrtpOutBurst::Meta{m, &d, f, out_port, nbr_idx, ctl};
}

}  // namespace rtpgate::dp
