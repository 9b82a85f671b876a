// Ethernet device set-up: one mempool, one RX and TX queue per worker on every port.
// Start-up and shutdown only (main thread).
#pragma once
#include <rte_mempool.h>

#include <string>

#include "lcore/dp_context.h"

namespace rtpgate::dp {

struct PortPlan {
  uint16_t n_queues;  // RX = TX queues per port (one per worker; 1 when RSS is unavailable)
};

// Configures and starts every configured port; fills dp.port_mac/port_ids/n_ports.
bool setup_ports(DpContext& dp, uint16_t n_workers, rte_mempool* pool, PortPlan* plan, std::string* why);
void stop_ports(DpContext& dp);
rte_mempool* create_pool(const Config& cfg, std::string* why);

}  // namespace rtpgate::dp
