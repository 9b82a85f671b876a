// State shared by every thread of the data plane: read-only after launch except where
// a member says otherwise. Built by main.cc.
#pragma once
#include <rte_ethdev.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include <atomic>
#include <cstdint>
#include <cstring>

#include "config/config.h"
#include "config/live_settings.h"
#include "flow/flow_table.h"
#include "net/neighbour_table.h"
#include "record/rec_rings.h"
#include "rtpgate/shm/region_map.h"
#include "srtp/srtp_table.h"

namespace rtpgate::dp {

namespace sipguard {
class GuardDb;
class GuardRuntime;
}  // namespace sipguard
class ConfigReloader;

constexpr uint32_t kMaxWorkers = 16;
constexpr uint32_t kMaxRxQueuesPerLcore = 8;
constexpr uint16_t kNoTap = UINT16_MAX;
static_assert(kMaxWorkers <= kRecMaxWorkers);
static_assert(kMaxWorkers <= RTPGATE_GUARD_MAX_WORKERS);

// One media address of the region and where it lives.
struct MediaAddrInfo {
  uint16_t port_id;
  uint8_t prefix_len;
  rtpgate_shm_addr gateway;  // family 0 = none
};

struct DpContext {
  Config cfg;                                  // as started; run-time keys: read `live`
  LiveSettings live;                           // writer: start-up, then the reload thread
  shm::Region region;
  FlowTable table;
  srtp::SrtpTable srtp;                        // SRTP contexts (writer: command lcore) + per-worker batches
  NeighbourTable nbrs;                         // writer: command lcore (and start-up)
  MediaAddrInfo addr_info[RTPGATE_SHM_MAX_ADDRS]{};
  uint8_t port_mac[RTE_MAX_ETHPORTS][6]{};
  uint16_t port_ids[RTE_MAX_ETHPORTS]{};
  uint16_t n_ports = 0;
  uint64_t tsc_hz = 0;
  uint64_t tsc_base = 0;                       // rte_rdtsc() at start-up ...
  uint64_t ns_base = 0;                        // ... and CLOCK_MONOTONIC then
  rte_rcu_qsbr* qsbr = nullptr;
  rte_ring* notify_ring = nullptr;
  rte_mempool* pool = nullptr;                 // packets built from control's rings
  // Exception path (dataplane/exception/): rings between workers and the exception thread.
  uint16_t tap_port[RTE_MAX_ETHPORTS];         // kernel TAP port of each data port (kNoTap = none)
  rte_ring* exc_ring = nullptr;                // workers -> exception thread (mbufs for the kernel)
  rte_ring* hold_ring = nullptr;               // workers -> exception thread (waiting for a next hop)
  rte_ring* kernel_tx_ring = nullptr;          // exception thread -> worker 0 (frames to send)
  uint64_t sip_port_bm[65536 / 64]{};          // UDP ports whose datagrams pass the SIP guard
  // SIP guard rule set in force (nullptr = sip_guard off). writer: the guard loader thread;
  // workers load it once per burst and hold it until their next QSBR quiescent state.
  std::atomic<const sipguard::GuardDb*> sip_guard{nullptr};
  sipguard::GuardRuntime* guard = nullptr;     // reload requests (command lcore, SIGHUP)
  ConfigReloader* reloader = nullptr;          // configuration reloads (command lcore, SIGHUP)
  RecRings rec;                                // recording copies and requests (record/)
  uint64_t rec_shed_tsc = 0;                   // recording back-off after a lost copy (50 us)
  std::atomic<bool> stop{false};
  std::atomic<bool> hairpin{false};            // some flow's next hop is our own address

  DpContext() {
    for (auto& t : tap_port) t = kNoTap;
  }
  // Index of a media address of the region, or -1 (slow path only).
  int media_addr_index(uint8_t family, const uint8_t* addr) const noexcept {
    const auto& h = *region.hdr();
    const size_t alen = family == 4 ? 4 : 16;
    for (uint32_t i = 0; i < h.n_addrs; i++)
      if (h.addrs[i].family == family && std::memcmp(h.addrs[i].addr, addr, alen) == 0) return static_cast<int>(i);
    return -1;
  }

  uint64_t tsc_to_ns(uint64_t tsc) const noexcept {
    if (tsc <= tsc_base) return ns_base;
    const uint64_t d = tsc - tsc_base;
    return ns_base + d / tsc_hz * 1000000000u + d % tsc_hz * 1000000000u / tsc_hz;
  }
};

}  // namespace rtpgate::dp
