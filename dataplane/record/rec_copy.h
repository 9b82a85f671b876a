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

// Lost copies are counted on the flow (FlowDyn, this lcore's cache line; published by
// housekeeping as rec_lost_rx/rec_lost_tx): no shared cache line is touched when overloaded.
inline void rec_count_drops(const DpContext& dp, LcoreCtx& lc, rte_mbuf* const* m, uint32_t n) noexcept {
  for (uint32_t i = 0; i < n; i++) {
    const auto* h = rte_pktmbuf_mtod(m[i], const RecCopyHdr*);
    FlowDyn& d = dp.table.dyn(h->flow_id);
    (h->tx ? d.c.rec_lost_tx : d.c.rec_lost_rx)++;
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
    lc.rec_shed_until = lc.rec_tsc + dp.rec_shed_tsc;  // the recorder is behind: back off
    rec_count_drops(dp, lc, lc.rec[t] + done, n - done);
    rte_pktmbuf_free_bulk(lc.rec[t] + done, n - done);
  }
}

inline void rec_flush(const DpContext& dp, LcoreCtx& lc) noexcept {
  for (uint32_t t = 0; t < dp.rec.n_threads; t++) rec_flush_thread(dp, lc, t);
}

// Copies `len` bytes of plain RTP of flow `flow_id` (`tx`: what control sent on it) for
// recording entry `slot` (version `gen`).
[[gnu::noinline]] inline void rec_copy(const DpContext& dp, LcoreCtx& lc, uint32_t flow_id, bool tx, uint32_t slot,
                                       uint32_t gen, const uint8_t* rtp, uint32_t len, uint64_t now_tsc) noexcept {
  // Load shedding: while the recorder is behind (its ring refused copies, or no buffer was
  // left) copies are dropped here for rec_shed_us without touching the shared pool or rings.
  rte_mbuf* m = dp.rec.n_threads != 0 && len <= kRecMaxPacket && now_tsc >= lc.rec_shed_until
                    ? rte_pktmbuf_alloc(dp.rec.pool)
                    : nullptr;
  if (m == nullptr) [[unlikely]] {
    if (now_tsc >= lc.rec_shed_until) lc.rec_shed_until = now_tsc + dp.rec_shed_tsc;
    lc.ctr[RTPGATE_CTR_drop_rec_copy]++;
    FlowDyn& d = dp.table.dyn(flow_id);
    (tx ? d.c.rec_lost_tx : d.c.rec_lost_rx)++;
    return;
  }
  if (now_tsc != lc.rec_tsc) {  // one conversion per burst
    lc.rec_tsc = now_tsc;
    lc.rec_ns = dp.tsc_to_ns(now_tsc);
  }
  auto* h = rte_pktmbuf_mtod(m, RecCopyHdr*);
  h->slot = slot;
  h->gen = gen;
  h->flow_id = flow_id;
  h->tx = tx;
  h->rx_ns = lc.rec_ns;
  std::memcpy(h + 1, rtp, len);
  m->data_len = static_cast<uint16_t>(sizeof(RecCopyHdr) + len);
  m->pkt_len = m->data_len;
  const uint32_t t = dp.rec.thread_of(slot);
  lc.rec[t][lc.n_rec[t]++] = m;
  if (lc.n_rec[t] == kMaxBurst) rec_flush_thread(dp, lc, t);
}

}  // namespace rtpgate::dp
