// DataPlaneLink's bridge thread: drains the data plane -> control packet rings in bursts,
// hands each packet to the Sink of the stream owning its flow, sleeps adaptively when idle
// (yield, then naps growing to 1 ms; 5 ms after a second without any packet; a condition
// variable while no stream is open)
// and runs the link's maintenance (attach, restart detection, heartbeat) every period.
#include <sched.h>
#include <time.h>

#include <chrono>
#include <cstring>

#include "media/dataplane_link.h"
#include "rtpgate/shm/region_map.h"

namespace rtpgate::ctl::media {
namespace {

constexpr uint32_t kBurstPerRing = 64;
constexpr uint32_t kSpinRounds = 8;       // idle rounds that only yield
constexpr long kMinNapUs = 25;
constexpr long kMaxNapUs = 1000;
// After this long without a single packet on any stream, nap longer: the first packet
// after such a silence waits at most kDeepNapUs (a jitter buffer absorbs it).
constexpr uint64_t kDeepIdleNs = 1000000000ull;
constexpr long kDeepNapUs = 5000;

void nap_us(long us) noexcept {
  timespec ts{0, us * 1000};
  nanosleep(&ts, nullptr);
}

}  // namespace

void DataPlaneLink::bridge_main() {
  const uint64_t period_ns = uint64_t{opt_.attach_retry_ms} * 1000000ull;
  // Streams waiting for a restarted data plane: look every kReadoptPollNs, so that media
  // resumes well within a second of the new data plane running.
  constexpr uint64_t kReadoptPollNs = 100'000'000ull;
  uint64_t next_maint = shm::monotonic_ns() + period_ns;
  uint32_t idle = 0;
  uint64_t last_pkt_ns = 0;
  while (!stop_.load(std::memory_order_relaxed)) {
    uint32_t n = 0;
    if (dispatch_waiters_.load(std::memory_order_relaxed) == 0) {
      std::lock_guard<std::mutex> g(dispatch_mu_);
      n = drain_locked(kBurstPerRing);
    } else {
      sched_yield();  // let close_stream / attach in
    }
    const uint64_t now = shm::monotonic_ns();
    if (now >= next_maint) {
      if (ctl_mu_.try_lock()) {  // the control thread is busy otherwise: next period
        maintain_locked();
        ctl_mu_.unlock();
      }
      next_maint = now + (readopt_pending_.load(std::memory_order_relaxed) ? std::min(period_ns, kReadoptPollNs) : period_ns);
    }
    if (n != 0) {
      idle = 0;
      last_pkt_ns = now;
    } else {
      idle_wait(idle, now - last_pkt_ns > kDeepIdleNs);
      if (idle < 64) idle++;
    }
  }
}

void DataPlaneLink::idle_wait(uint32_t idle_rounds, bool deep) {
  if (n_streams_.load(std::memory_order_relaxed) == 0) {
    // Nothing can arrive: sleep until a stream opens, stop() or the next maintenance.
    std::unique_lock<std::mutex> lk(wake_mu_);
    wake_cv_.wait_for(lk, std::chrono::milliseconds(opt_.attach_retry_ms), [this] {
      return stop_.load(std::memory_order_relaxed) || n_streams_.load(std::memory_order_relaxed) != 0;
    });
    return;
  }
  if (deep) {
    nap_us(kDeepNapUs);
    return;
  }
  if (idle_rounds < kSpinRounds) {
    sched_yield();
    return;
  }
  const uint32_t shift = idle_rounds - kSpinRounds;
  const long us = shift >= 6 ? kMaxNapUs : kMinNapUs << shift;
  nap_us(us < kMaxNapUs ? us : kMaxNapUs);
}

uint32_t DataPlaneLink::drain_locked(uint32_t budget) {
  uint32_t total = 0, delivered = 0, no_stream = 0, stale = 0, bad_len = 0;
  for (uint32_t r = 0; r < n_from_dp_; r++) {
    rtpgate_shm_ring_hdr* h = from_dp_[r];
    shm::SpscRing<rtpgate_shm_pkt_slot> ring(h);
    for (uint32_t k = 0; k < budget; k++) {
      const rtpgate_shm_pkt_slot* s = ring.peek();
      if (s == nullptr) break;
      const uint64_t pos = h->tail;  // we are the consumer: only we write it
      const uint32_t fid = s->flow_id;
      const uint16_t len = s->len;
      const bool rtcp = s->is_rtcp != 0;
      Stream* st = fid < owner_cap_ ? owners_[fid].stream.load(std::memory_order_relaxed) : nullptr;
      if (st == nullptr) {
        no_stream++;
      } else if (pos < st->start_pos[r]) {
        stale++;  // queued for the slot's previous user
        st = nullptr;
      } else if (len > RTPGATE_PKT_SLOT_DATA) {
        bad_len++;
        st = nullptr;
      } else {
        std::memcpy(bounce_, s->data, len);
      }
      ring.release();
      total++;
      if (st != nullptr) {
        st->sink->on_peer_packet(rtcp, bounce_, len);
        delivered++;
      }
    }
  }
  if (total != 0) {
    ctr_.from_dp_pkts.fetch_add(total, std::memory_order_relaxed);
    ctr_.delivered_pkts.fetch_add(delivered, std::memory_order_relaxed);
    if (no_stream) ctr_.drop_rx_no_stream.fetch_add(no_stream, std::memory_order_relaxed);
    if (stale) ctr_.drop_rx_stale.fetch_add(stale, std::memory_order_relaxed);
    if (bad_len) ctr_.drop_rx_bad_len.fetch_add(bad_len, std::memory_order_relaxed);
  }
  return total;
}

}  // namespace rtpgate::ctl::media
