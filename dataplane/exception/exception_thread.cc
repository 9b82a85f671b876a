// Exception thread: TAP I/O, held packets, neighbour probing/aging, announcements.
#include "exception/exception_thread.h"

#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_ring.h>
#include <time.h>

#include <cstring>

#include "exception/frame_mbuf.h"
#include "net/neigh_proto.h"

namespace rtpgate::dp {
namespace {

constexpr uint32_t kBurst = 32;
constexpr uint64_t kMaintainEveryNs = 50'000'000;

void nap_us(uint32_t us) {
  timespec ts{0, static_cast<long>(us) * 1000};
  nanosleep(&ts, nullptr);
}

}  // namespace

ExceptionThread::ExceptionThread(DpContext& dp, rtpgate_shm_lcore_stats* stats) : dp_(dp), stats_(stats) {
  held_.reserve(dp.cfg.resolve_queue);
  for (uint16_t i = 0; i < dp.n_ports; i++) {
    const uint16_t port = dp.port_ids[i];
    if (dp.tap_port[port] == kNoTap) continue;
    taps_.push_back(dp.tap_port[port]);
    data_port_of_tap_[dp.tap_port[port]] = port;
  }
}

ExceptionThread::~ExceptionThread() { stop(); }

bool ExceptionThread::start() {
  stats_->lcore_id = UINT32_MAX - 2;
  stats_->role = 3;
  running_ = rte_ctrl_thread_create(&tid_, "rtpgate-exc", nullptr, &ExceptionThread::thread_main, this) == 0;
  return running_;
}

void ExceptionThread::stop() {
  if (!running_) return;
  pthread_join(tid_, nullptr);
  running_ = false;
  for (auto& h : held_) rte_pktmbuf_free(h.m);
  held_.clear();
}

void* ExceptionThread::thread_main(void* self) {
  static_cast<ExceptionThread*>(self)->run();
  return nullptr;
}

const rtpgate_shm_addr* ExceptionThread::source_addr(uint16_t port, uint8_t family) const noexcept {
  const auto& h = *dp_.region.hdr();
  for (uint32_t i = 0; i < h.n_addrs; i++)
    if (dp_.addr_info[i].port_id == port && h.addrs[i].family == family) return &h.addrs[i];
  return nullptr;
}

bool ExceptionThread::queue_tx(rte_mbuf* m, uint16_t port) noexcept {
  m->port = port;
  if (rte_ring_sp_enqueue(dp_.kernel_tx_ring, m) == 0) return true;
  stats_->ctr[RTPGATE_CTR_drop_exc_ring_full]++;
  rte_pktmbuf_free(m);
  return false;
}

bool ExceptionThread::send_frame(uint16_t port, const uint8_t* frame, uint32_t len) noexcept {
  rte_mbuf* m = frame_to_mbuf(dp_.pool, frame, len);
  if (m == nullptr) {
    stats_->ctr[RTPGATE_CTR_drop_no_mbuf]++;
    return false;
  }
  return queue_tx(m, port);
}

uint32_t ExceptionThread::to_kernel() noexcept {
  rte_mbuf* pkts[kBurst];
  const unsigned n = rte_ring_sc_dequeue_burst(dp_.exc_ring, reinterpret_cast<void**>(pkts), kBurst, nullptr);
  for (unsigned i = 0; i < n; i++) {
    const uint16_t tap = dp_.tap_port[pkts[i]->port];
    if (tap == kNoTap || rte_eth_tx_burst(tap, 0, &pkts[i], 1) != 1) {
      stats_->ctr[RTPGATE_CTR_drop_tap_full]++;
      rte_pktmbuf_free(pkts[i]);
      continue;
    }
    stats_->ctr[RTPGATE_CTR_exc_to_kernel]++;
  }
  return n;
}

uint32_t ExceptionThread::from_kernel() noexcept {
  uint32_t total = 0;
  rte_mbuf* pkts[kBurst];
  for (const uint16_t tap : taps_) {
    const uint16_t n = rte_eth_rx_burst(tap, 0, pkts, kBurst);
    for (uint16_t i = 0; i < n; i++)
      if (queue_tx(pkts[i], data_port_of_tap_[tap])) stats_->ctr[RTPGATE_CTR_exc_from_kernel]++;
    total += n;
  }
  return total;
}

uint32_t ExceptionThread::service_held(uint64_t now_ns) noexcept {
  rte_mbuf* pkts[kBurst];
  const unsigned room = static_cast<unsigned>(dp_.cfg.resolve_queue - held_.size());
  const unsigned n = rte_ring_sc_dequeue_burst(dp_.hold_ring, reinterpret_cast<void**>(pkts),
                                               room < kBurst ? room : kBurst, nullptr);
  const uint64_t hold_ns = uint64_t{dp_.live.resolve_hold_ms.load(std::memory_order_relaxed)} * 1000000u;
  const uint64_t retry_ns = uint64_t{dp_.live.neighbour_retry_ms.load(std::memory_order_relaxed)} * 1000000u;
  for (unsigned i = 0; i < n; i++) {
    held_.push_back({pkts[i], now_ns + hold_ns});  // capacity reserved: no reallocation
    const uint16_t idx = static_cast<uint16_t>(pkts[i]->hash.usr);
    const Neighbour& e = dp_.nbrs.at(idx);
    if (!e.resolved && now_ns - e.probe_ns >= retry_ns) probe(idx, now_ns);
  }
  // Released in the order they were held (a stream's packets stay in sequence); the
  // others keep their order too.
  uint32_t released = 0;
  size_t keep = 0;
  for (size_t i = 0; i < held_.size(); i++) {
    rte_mbuf* m = held_[i].m;
    const Neighbour& e = dp_.nbrs.at(static_cast<uint16_t>(m->hash.usr));
    const bool ready = __atomic_load_n(&e.resolved, __ATOMIC_ACQUIRE) != 0;
    if (!ready && now_ns < held_[i].deadline_ns) {
      held_[keep++] = held_[i];
      continue;
    }
    if (ready) {
      e.mac(rte_pktmbuf_mtod(m, uint8_t*));
      if (queue_tx(m, m->port)) stats_->ctr[RTPGATE_CTR_nbr_released]++;
      released++;
    } else {
      stats_->ctr[RTPGATE_CTR_drop_hold_timeout]++;
      rte_pktmbuf_free(m);
    }
  }
  held_.resize(keep);
  return n + released;
}

void ExceptionThread::probe(uint16_t idx, uint64_t now_ns) noexcept {
  Neighbour& e = dp_.nbrs.at(idx);
  const rtpgate_shm_addr* src = source_addr(e.port_id, e.family);
  e.probe_ns = now_ns;
  if (e.probes < 255) e.probes++;
  if (src == nullptr) return;
  uint8_t frame[128];
  const uint8_t* mac = dp_.port_mac[e.port_id];
  const uint32_t len = e.family == 4 ? build_arp_request(frame, mac, src->addr, e.addr)
                                     : build_nd_solicit(frame, mac, src->addr, e.addr);
  if (send_frame(e.port_id, frame, len)) stats_->ctr[RTPGATE_CTR_nbr_probes]++;
}

void ExceptionThread::maintain_neighbours(uint64_t now_ns) noexcept {
  const uint64_t retry_ns = uint64_t{dp_.live.neighbour_retry_ms.load(std::memory_order_relaxed)} * 1000000u;
  const uint64_t age_ns = uint64_t{dp_.live.neighbour_max_age_s.load(std::memory_order_relaxed)} * 1000000000u;
  const uint32_t max_probes = dp_.live.neighbour_probes.load(std::memory_order_relaxed);
  const uint16_t n = dp_.nbrs.size();
  for (uint16_t i = 0; i < n; i++) {
    Neighbour& e = dp_.nbrs.at(i);
    if (e.is_static) continue;
    const bool resolved = __atomic_load_n(&e.resolved, __ATOMIC_ACQUIRE) != 0;
    if (resolved) {
      if (now_ns - e.confirmed_ns < age_ns || now_ns - e.probe_ns < retry_ns) continue;
      if (e.probes >= max_probes) {  // stale and silent: forget the MAC
        dp_.nbrs.expire(i);
        e.probes = 0;
        stats_->ctr[RTPGATE_CTR_nbr_expired]++;
        continue;
      }
      probe(i, now_ns);
    } else {
      // Unresolved next hop: probe every retry interval, backing off tenfold once the
      // usual number of probes went unanswered (the peer may be gone for good).
      const uint64_t every = e.probes >= max_probes ? 10 * retry_ns : retry_ns;
      if (now_ns - e.probe_ns >= every) probe(i, now_ns);
    }
  }
}

void ExceptionThread::announce() noexcept {
  const auto& h = *dp_.region.hdr();
  uint8_t frame[128];
  for (uint32_t i = 0; i < h.n_addrs; i++) {
    const uint16_t port = dp_.addr_info[i].port_id;
    const uint8_t* mac = dp_.port_mac[port];
    const uint32_t len = h.addrs[i].family == 4 ? build_gratuitous_arp(frame, mac, h.addrs[i].addr)
                                                : build_unsolicited_na(frame, mac, h.addrs[i].addr);
    if (send_frame(port, frame, len)) stats_->ctr[RTPGATE_CTR_nbr_announces]++;
  }
}

void ExceptionThread::run() {
  announce();
  uint64_t next_maintain = 0;
  uint32_t idle_us = 20;
  while (!dp_.stop.load(std::memory_order_relaxed)) {
    const uint64_t now = shm::monotonic_ns();
    uint32_t work = to_kernel() + from_kernel() + service_held(now);
    if (now >= next_maintain) {
      maintain_neighbours(now);
      next_maintain = now + kMaintainEveryNs;
    }
    stats_->loops++;
    if (work != 0) {
      idle_us = 20;
      continue;
    }
    nap_us(idle_us);
    if (idle_us < 1000) idle_us *= 2;
  }
}

}  // namespace rtpgate::dp
