// Locking around the control -> data plane packet rings (see to_dp_rings.h).
#include "media/to_dp_rings.h"

namespace rtpgate::ctl::media {

void ToDpRings::lock_all() noexcept {
  for (auto& l : lanes_) l.mu.lock();
}

void ToDpRings::unlock_all() noexcept {
  for (uint32_t i = kMaxRings; i-- > 0;) lanes_[i].mu.unlock();
}

void ToDpRings::bind_locked(const shm::SpscRing<rtpgate_shm_pkt_slot>* rings, uint32_t n) noexcept {
  if (n > kMaxRings) n = kMaxRings;
  for (uint32_t i = 0; i < kMaxRings; i++)
    lanes_[i].ring = i < n ? rings[i] : shm::SpscRing<rtpgate_shm_pkt_slot>();
  n_.store(n, std::memory_order_relaxed);
}

void ToDpRings::barrier() noexcept {
  for (auto& l : lanes_) {
    l.mu.lock();
    l.mu.unlock();
  }
}

}  // namespace rtpgate::ctl::media
