// Closed-loop benchmark: puts the pre-built frames into the loop from the worker lcore
// itself. An ethdev RX callback on (port, queue) runs inside the worker's
// rte_eth_rx_burst(); once armed by the control thread it transmits the frames on the
// same queue pair (for net_ring the ring that RX reads), and it is removed again when
// every frame is in. The TX queue (a single-producer ring for net_ring) is thus only ever
// used by the worker lcore, never concurrently from another thread.
#pragma once
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include <algorithm>
#include <atomic>
#include <cstdint>

namespace rtpgate::perf {

class Injector {
 public:
  // `pkts` (n of them) stay owned by the caller until armed, then belong to the loop.
  Injector(rte_mbuf** pkts, uint32_t n) noexcept : pkts_(pkts), n_(n) {}

  bool attach(uint16_t port, uint16_t queue) noexcept {
    port_ = port;
    queue_ = queue;
    cb_ = rte_eth_add_rx_callback(port, queue, &Injector::on_rx, this);
    return cb_ != nullptr;
  }
  void arm() noexcept { armed_.store(true, std::memory_order_release); }
  bool done() const noexcept { return done_.load(std::memory_order_acquire); }
  // Control thread, after done(): unlinks the callback (its memory is freed in release()).
  void detach() noexcept {
    if (cb_ != nullptr && !detached_) detached_ = rte_eth_remove_rx_callback(port_, queue_, cb_) == 0;
  }
  // After the lcores stopped: frees the callback record.
  void release() noexcept {
    detach();
    if (detached_) rte_free(const_cast<rte_eth_rxtx_callback*>(cb_));
    cb_ = nullptr;
  }

 private:
  // Worker lcore, inside rte_eth_rx_burst().
  static uint16_t on_rx(uint16_t port, uint16_t queue, rte_mbuf**, uint16_t nb, uint16_t, void* arg) {
    auto* self = static_cast<Injector*>(arg);
    if (!self->armed_.load(std::memory_order_acquire) || self->next_ == self->n_) return nb;
    const uint32_t left = std::min<uint32_t>(self->n_ - self->next_, UINT16_MAX);
    self->next_ += rte_eth_tx_burst(port, queue, self->pkts_ + self->next_, static_cast<uint16_t>(left));
    if (self->next_ == self->n_) self->done_.store(true, std::memory_order_release);
    return nb;
  }

  rte_mbuf** pkts_;
  uint32_t n_;
  uint32_t next_ = 0;  // writer: worker lcore
  std::atomic<bool> armed_{false};
  std::atomic<bool> done_{false};
  const rte_eth_rxtx_callback* cb_ = nullptr;
  uint16_t port_ = 0, queue_ = 0;
  bool detached_ = false;
};

}  // namespace rtpgate::perf
