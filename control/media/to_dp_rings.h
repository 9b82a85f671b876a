// The control -> data plane packet rings (browser -> peer media) shared by many producer
// threads: each shared-memory ring is SPSC, so each gets a mutex here and a producer
// picks its ring by a key hash (one stream always uses the same ring, keeping its order).
// push(): any thread, non-blocking apart from that ring's short critical section, no
// allocation. bind()/unbind(): the control side, with every lock held (lock_all).
#pragma once
#include <atomic>
#include <cstdint>
#include <cstring>
#include <mutex>

#include "rtpgate/shm/pkt_ring.h"
#include "rtpgate/shm/region.h"
#include "rtpgate/shm/spsc_ring.h"

namespace rtpgate::ctl::media {

enum class PushResult : uint8_t { Ok, Full, TooBig, NoRing, Refused };

class ToDpRings {
 public:
  static constexpr uint32_t kMaxRings = RTPGATE_SHM_MAX_PKT_RINGS;

  // Takes every ring lock in index order: no push is in flight until unlock_all().
  void lock_all() noexcept;
  void unlock_all() noexcept;
  // While locked: use these rings (n <= kMaxRings), or none (unbind).
  void bind_locked(const shm::SpscRing<rtpgate_shm_pkt_slot>* rings, uint32_t n) noexcept;
  void unbind_locked() noexcept { bind_locked(nullptr, 0); }
  // Every push that had passed its check before this call has published its packet.
  void barrier() noexcept;
  uint32_t count() const noexcept { return n_.load(std::memory_order_relaxed); }

  // Queues one packet on ring hash(key) % count(). `check()` runs under that ring's lock and
  // returns the flow id to send on, or UINT32_MAX to refuse (stale stream, no peer, ...);
  // when it accepted, `done(PushResult::Ok or Full)` runs under the same lock.
  template <typename Check, typename Done>
  PushResult push(uint64_t key, Check&& check, Done&& done, bool rtcp, const uint8_t* data,
                  uint16_t len) noexcept {
    if (len > RTPGATE_PKT_SLOT_DATA) return PushResult::TooBig;
    const uint32_t n0 = n_.load(std::memory_order_relaxed);
    if (n0 == 0) return PushResult::NoRing;
    const uint32_t i = pick(key, n0);
    Lane& lane = lanes_[i];
    std::lock_guard<std::mutex> g(lane.mu);
    if (i >= n_.load(std::memory_order_relaxed)) return PushResult::NoRing;  // rebound meanwhile
    const uint32_t flow_id = check();
    if (flow_id == UINT32_MAX) return PushResult::Refused;
    rtpgate_shm_pkt_slot* s = lane.ring.reserve();
    if (s == nullptr) {
      done(PushResult::Full);
      return PushResult::Full;
    }
    s->flow_id = flow_id;
    s->len = len;
    s->is_rtcp = rtcp ? 1 : 0;
    s->rx_ns = 0;
    std::memcpy(s->data, data, len);
    lane.ring.publish();
    done(PushResult::Ok);
    return PushResult::Ok;
  }

  static uint32_t pick(uint64_t key, uint32_t n) noexcept {
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdull;
    key ^= key >> 33;
    return static_cast<uint32_t>(key % n);
  }

 private:
  struct alignas(64) Lane {
    std::mutex mu;
    shm::SpscRing<rtpgate_shm_pkt_slot> ring;
  };
  Lane lanes_[kMaxRings];
  std::atomic<uint32_t> n_{0};  // written with every lock held
};

}  // namespace rtpgate::ctl::media
