// The housekeeping thread (a DPDK control thread, not a worker): heartbeat in the region
// header, publishing per-flow counters into the flow slots, idle-flow detection.
#pragma once
#include <cstdint>

#include "lcore/dp_context.h"

namespace rtpgate::dp {

class Housekeeping {
 public:
  Housekeeping(DpContext& dp, rtpgate_shm_lcore_stats* stats);
  ~Housekeeping();
  bool start();   // spawns the thread
  void stop();    // joins it
  // One publishing sweep over every installed flow (also used by tests).
  void publish_flows(uint64_t now_tsc) noexcept;
  // The ports' own drop counters (rte_eth_stats: rx_nombuf, imissed, ierrors, oerrors),
  // summed over the data ports, into our block's drop_nic_* counters.
  void publish_port_drops() noexcept;

 private:
  static void* thread_main(void* self);
  void run();
  DpContext& dp_;
  uint64_t* published_ = nullptr;  // flows whose slot we marked active
  rtpgate_shm_lcore_stats* stats_ = nullptr;  // our block in the region
  pthread_t tid_{};
  bool running_ = false;
};

}  // namespace rtpgate::dp
