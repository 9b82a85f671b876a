// The exception thread (a DPDK control thread): moves packets between the workers and
// the kernel's TAP interfaces, releases packets held for next-hop resolution, probes and
// ages neighbours (ARP / IPv6 ND) and announces the media addresses at start-up.
// It never touches a data port: frames to send go to worker 0 through kernel_tx_ring.
#pragma once
#include <pthread.h>
#include <rte_mbuf.h>

#include <vector>

#include "lcore/dp_context.h"

namespace rtpgate::dp {

class ExceptionThread {
 public:
  ExceptionThread(DpContext& dp, rtpgate_shm_lcore_stats* stats);
  ~ExceptionThread();
  bool start();
  void stop();

 private:
  struct Held {
    rte_mbuf* m;
    uint64_t deadline_ns;
  };
  static void* thread_main(void* self);
  void run();
  uint32_t to_kernel() noexcept;
  uint32_t from_kernel() noexcept;
  uint32_t service_held(uint64_t now_ns) noexcept;
  void maintain_neighbours(uint64_t now_ns) noexcept;
  void probe(uint16_t idx, uint64_t now_ns) noexcept;
  void announce() noexcept;
  bool send_frame(uint16_t port, const uint8_t* frame, uint32_t len) noexcept;
  bool queue_tx(rte_mbuf* m, uint16_t port) noexcept;
  // A media address on `port` of `family` (the probe/announce source), or null.
  const rtpgate_shm_addr* source_addr(uint16_t port, uint8_t family) const noexcept;

  DpContext& dp_;
  rtpgate_shm_lcore_stats* stats_;
  std::vector<Held> held_;
  std::vector<uint16_t> taps_;       // tap port ids
  uint16_t data_port_of_tap_[RTE_MAX_ETHPORTS]{};
  pthread_t tid_{};
  bool running_ = false;
};

}  // namespace rtpgate::dp
