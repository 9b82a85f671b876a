// Per-lcore worker state: queues, TX buffers, local counters. Written only by its lcore.
#pragma once
#include <rte_mbuf.h>

#include <cstdint>

#include "lcore/dp_context.h"
#include "rtpgate/shm/spsc_ring.h"
#include "sipguard/sip_datagram.h"
#include "srtp/srtp_batch.h"

namespace rtpgate::dp {

namespace sipguard {
class GuardLcore;
}

constexpr uint32_t kMaxBurst = 64;

struct TxBuffer {
  uint16_t n;
  uint16_t queue;
  rte_mbuf* pkts[kMaxBurst];
};

struct alignas(64) LcoreCtx {
  uint32_t lcore_id = 0;
  uint32_t worker_idx = 0;       // 0 = the command lcore
  uint32_t n_rxq = 0;
  struct {
    uint16_t port;
    uint16_t queue;
  } rxq[kMaxRxQueuesPerLcore]{};
  TxBuffer* tx = nullptr;        // indexed by port id (RTE_MAX_ETHPORTS entries)
  uint64_t last_flush_tsc = 0;
  rtpgate_shm_lcore_stats* stats = nullptr;  // this lcore's block in the region
  shm::SpscRing<rtpgate_shm_pkt_slot> to_ctl;  // this worker's packet ring to control
  uint32_t n_from_ctl = 0;                     // control's rings this worker drains
  shm::SpscRing<rtpgate_shm_pkt_slot> from_ctl[RTPGATE_SHM_MAX_PKT_RINGS];
  uint64_t ctr[RTPGATE_SHM_MAX_COUNTERS]{};  // accumulated locally, published per burst
  uint64_t exc_tokens = 0;       // exception-path token bucket (tokens scaled by tsc_hz)
  uint64_t exc_last_tsc = 0;
  srtp::SrtpBatch* srtp = nullptr;  // this worker's intel-ipsec-mb manager (DpContext::srtp)
  // Hairpin: a flow whose next hop is one of our own media addresses (two calls of the
  // plugin on one data plane, each leg the other's peer). Once such a flow exists the
  // worker sets port_mac, and frames queued for TX whose destination MAC is the port's own
  // are kept here and processed as received on the next loop iteration.
  const uint8_t (*port_mac)[6] = nullptr;
  uint16_t n_hairpin = 0;
  rte_mbuf* hairpin[kMaxBurst];
  // Recording copies staged per recorder thread, enqueued as one burst (record/rec_copy.h).
  uint16_t n_rec[kMaxRecThreads]{};
  uint64_t rec_tsc = 0, rec_ns = 0;  // last TSC converted for a copy's timestamp
  uint64_t rec_shed_until = 0;       // copies dropped at once until then (recorder behind)
  rte_mbuf* rec[kMaxRecThreads][kMaxBurst];
  // SIP guard: this worker's state, and the SIP datagrams of the current burst held for
  // screening at its end (exception/sip_hook.h).
  sipguard::GuardLcore* guard = nullptr;
  uint16_t n_sip = 0;
  rte_mbuf* sip_mbuf[kMaxBurst];
  sipguard::SipDatagram sip[kMaxBurst];
};

}  // namespace rtpgate::dp
