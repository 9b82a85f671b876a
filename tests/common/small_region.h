// A small region configuration for tests that create a shared region without a data plane:
// one IPv4 media address 10.0.0.1, relay ports 40000-40009, 16-entry command rings, one
// packet ring each way. Callers change what their test needs.
#pragma once
#include <string>

#include "rtpgate/shm/region_map.h"

namespace rtpgate::test {

inline shm::RegionConfig small_region(const std::string& name, uint32_t flows = 16) {
  shm::RegionConfig c;
  c.name = name;
  c.flow_capacity = flows;
  rtpgate_shm_addr a{};
  a.family = 4;
  a.addr[0] = 10;
  a.addr[3] = 1;
  c.addrs.push_back(a);
  c.port_min = 40000;
  c.port_max = 40009;
  c.n_lcore_stats = 1;
  c.cmd_ring_capacity = 16;
  c.cpl_ring_capacity = 16;
  c.n_pkt_rings_to_ctl = 1;
  c.n_pkt_rings_to_dp = 1;
  c.pkt_ring_capacity = 2;
  return c;
}

}  // namespace rtpgate::test
