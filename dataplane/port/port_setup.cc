// Ethernet device configuration (start-up/shutdown, main thread).
#include "port/port_setup.h"

#include <algorithm>
#include <cstring>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

namespace rtpgate::dp {

rte_mempool* create_pool(const Config& cfg, std::string* why) {
  rte_mempool* p = rte_pktmbuf_pool_create("rtpgate_mbufs", cfg.mbufs, cfg.mbuf_cache, 0,
                                           RTE_MBUF_DEFAULT_BUF_SIZE, static_cast<int>(rte_socket_id()));
  if (p == nullptr)
    *why = "cannot create mempool of " + std::to_string(cfg.mbufs) + " mbufs: " + rte_strerror(rte_errno) +
           " (lower 'mbufs' or give EAL more memory: -m / hugepages)";
  return p;
}

static bool setup_one(DpContext& dp, uint16_t port, uint16_t n_workers, rte_mempool* pool, uint16_t* nq,
                      std::string* why) {
  if (!rte_eth_dev_is_valid_port(port)) {
    *why = "port " + std::to_string(port) + " does not exist (" + std::to_string(rte_eth_dev_count_avail()) +
           " ports found: check the -a/--vdev EAL arguments)";
    return false;
  }
  rte_eth_dev_info info{};
  if (rte_eth_dev_info_get(port, &info) != 0) return *why = "rte_eth_dev_info_get failed", false;
  rte_eth_conf conf{};
  uint16_t q = std::min<uint16_t>({n_workers, info.max_rx_queues, info.max_tx_queues});
  // net_memif has no RSS, but its peer picks the ring of every packet (a generator keeps a
  // flow on one queue pair): one queue pair per worker there too.
  const bool peer_steers = info.driver_name != nullptr && std::strcmp(info.driver_name, "net_memif") == 0;
  if (q > 1 && (info.flow_type_rss_offloads & RTE_ETH_RSS_UDP)) {
    conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
    conf.rx_adv_conf.rss_conf.rss_hf = (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP) & info.flow_type_rss_offloads;
  } else if (!peer_steers) {
    q = 1;
  }
  if (int rc = rte_eth_dev_configure(port, q, q, &conf); rc != 0)
    return *why = "port " + std::to_string(port) + ": configure failed: " + rte_strerror(-rc), false;
  uint16_t rxd = dp.cfg.rx_desc, txd = dp.cfg.tx_desc;
  rte_eth_dev_adjust_nb_rx_tx_desc(port, &rxd, &txd);
  const int sock = rte_eth_dev_socket_id(port) < 0 ? 0 : rte_eth_dev_socket_id(port);
  for (uint16_t i = 0; i < q; i++) {
    if (rte_eth_rx_queue_setup(port, i, rxd, static_cast<unsigned>(sock), nullptr, pool) != 0 ||
        rte_eth_tx_queue_setup(port, i, txd, static_cast<unsigned>(sock), nullptr) != 0)
      return *why = "port " + std::to_string(port) + ": queue set-up failed", false;
  }
  if (int rc = rte_eth_dev_start(port); rc != 0)
    return *why = "port " + std::to_string(port) + ": start failed: " + rte_strerror(-rc), false;
  rte_ether_addr mac{};
  rte_eth_macaddr_get(port, &mac);
  std::memcpy(dp.port_mac[port], mac.addr_bytes, 6);
  *nq = q;
  return true;
}

bool setup_ports(DpContext& dp, uint16_t n_workers, rte_mempool* pool, PortPlan* plan, std::string* why) {
  plan->n_queues = n_workers;
  for (const auto& pc : dp.cfg.ports) {
    uint16_t q = 0;
    if (!setup_one(dp, pc.port_id, n_workers, pool, &q, why)) return false;
    if (q < plan->n_queues) plan->n_queues = q;
    dp.port_ids[dp.n_ports++] = pc.port_id;
  }
  return true;
}

void stop_ports(DpContext& dp) {
  for (uint16_t i = 0; i < dp.n_ports; i++) {
    rte_eth_dev_stop(dp.port_ids[i]);
    rte_eth_dev_close(dp.port_ids[i]);
  }
  dp.n_ports = 0;
}

}  // namespace rtpgate::dp
