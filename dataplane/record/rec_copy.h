// Worker side of recording: a copy of a plain RTP packet (after SRTP unprotect, before
// protect and before any in-place rewrite of the original) goes to the recording entry's
// recorder thread. Copies are staged per recorder thread and enqueued in bursts; a full
// ring or an empty pool drops the copy (counted per lcore and per recording), never the
// packet being forwarded. Worker lcores only; no allocation beyond the copy's mbuf.
#pragma once
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <cstring>

#include "lcore/lcore_ctx.h"

namespace rtpgate::dp {

inline void rec_count_drops(const DpContext& dp, LcoreCtx& lc, rte_mbuf* const* m, uint32_t n) noexcept {
  for (uint32_t i = 0; i < n; i++) {
    const auto* h = rte_pktmbuf_mtod(m[i], const RecCopyHdr*);
    __atomic_fetch_add(&dp.region.rec(h->slot).status.drops_ring, 1, __ATOMIC_RELAXED);
  }
  lc.ctr[RTPGATE_CTR_drop_rec_copy] += n;
}

// Enqueues the staged copies of recorder thread t (what the ring refuses is dropped).
inline void rec_flush_thread(const DpContext& dp, LcoreCtx& lc, uint32_t t) noexcept {
  const uint16_t n = lc.n_rec[t];
  if (n == 0) return;
  lc.n_rec[t] = 0;
  const unsigned done = rte_ring_sp_enqueue_burst(dp.rec.in[lc.worker_idx][t], reinterpret_cast<void* const*>(lc.rec[t]), n,
                                                  nullptr);
  lc.ctr[RTPGATE_CTR_rec_copies] += done;
  if (done < n) [[unlikely]] {
    rec_count_drops(dp, lc, lc.rec[t] + done, n - done);
    rte_pktmbuf_free_bulk(lc.rec[t] + done, n - done);
  }
}

inline void rec_flush(const DpContext& dp, LcoreCtx& lc) noexcept {
  for (uint32_t t = 0; t < dp.rec.n_threads; t++) rec_flush_thread(dp, lc, t);
}

// Copies `len` bytes of plain RTP for recording entry `slot` (version `gen`).
[[gnu::noinline]] inline void rec_copy(const DpContext& dp, LcoreCtx& lc, uint32_t slot, uint32_t gen, const uint8_t* rtp,
                                       uint32_t len, uint64_t now_tsc) noexcept {
  if (dp.rec.n_threads == 0 || len > kRecMaxPacket) [[unlikely]] {
    lc.ctr[RTPGATE_CTR_drop_rec_copy]++;
    __atomic_fetch_add(&dp.region.rec(slot).status.drops_ring, 1, __ATOMIC_RELAXED);
    return;
  }
  rte_mbuf* m = rte_pktmbuf_alloc(dp.rec.pool);
  if (m == nullptr) [[unlikely]] {
    lc.ctr[RTPGATE_CTR_drop_rec_copy]++;
    __atomic_fetch_add(&dp.region.rec(slot).status.drops_ring, 1, __ATOMIC_RELAXED);
    return;
  }
  auto* h = rte_pktmbuf_mtod(m, RecCopyHdr*);
  h->slot = slot;
  h->gen = gen;
  h->rx_ns = dp.tsc_to_ns(now_tsc);
  std::memcpy(h + 1, rtp, len);
  m->data_len = static_cast<uint16_t>(sizeof(RecCopyHdr) + len);
  m->pkt_len = m->data_len;
  const uint32_t t = dp.rec.thread_of(slot);
  lc.rec[t][lc.n_rec[t]++] = m;
  if (lc.n_rec[t] == kMaxBurst) rec_flush_thread(dp, lc, t);
}

}  // namespace rtpgate::dp
