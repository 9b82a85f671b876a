// State shared by every thread of the data plane: read-only after launch except where
// a member says otherwise. Built by main.cc.
#pragma once
#include <rte_ethdev.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include <atomic>
#include <cstdint>

#include "config/config.h"
#include "flow/flow_table.h"
#include "net/neighbour_table.h"
#include "rtpgate/shm/region_map.h"

namespace rtpgate::dp {

constexpr uint32_t kMaxWorkers = 16;
constexpr uint32_t kMaxRxQueuesPerLcore = 8;

// One media address of the region and where it lives.
struct MediaAddrInfo {
  uint16_t port_id;
  uint8_t prefix_len;
  rtpgate_shm_addr gateway;  // family 0 = none
};

struct DpContext {
  Config cfg;
  shm::Region region;
  FlowTable table;
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
  rte_mempool* pool = nullptr;                 // packets built from control's rings             // housekeeping -> command lcore (flow ids)
  std::atomic<bool> stop{false};

  uint64_t tsc_to_ns(uint64_t tsc) const noexcept {
    if (tsc <= tsc_base) return ns_base;
    const uint64_t d = tsc - tsc_base;
    return ns_base + d / tsc_hz * 1000000000u + d % tsc_hz * 1000000000u / tsc_hz;
  }
};

}  // namespace rtpgate::dp
