// Lock-free single-producer/single-consumer ring over a rtpgate_shm_ring_hdr in shared
// memory. Producer owns head, consumer owns tail; both are free-running 64-bit counts.
#pragma once
#include <cstdint>
#include <cstring>

#include "rtpgate/shm/cmd_ring.h"

namespace rtpgate::shm {

template <typename T>
class SpscRing {
 public:
  SpscRing() = default;
  explicit SpscRing(rtpgate_shm_ring_hdr* hdr) noexcept
      : hdr_(hdr), slots_(reinterpret_cast<T*>(hdr + 1)) {}

  // Creator only (data plane, before publishing the region).
  static void init(rtpgate_shm_ring_hdr* hdr, uint32_t capacity) noexcept {
    std::memset(hdr, 0, sizeof(*hdr));
    hdr->capacity = capacity;
    hdr->elem_size = sizeof(T);
  }
  static constexpr uint64_t bytes_for(uint32_t capacity) noexcept {
    return sizeof(rtpgate_shm_ring_hdr) + uint64_t{capacity} * sizeof(T);
  }

  bool valid() const noexcept { return hdr_ != nullptr; }
  uint32_t capacity() const noexcept { return hdr_->capacity; }

  // Producer side. Returns a slot to fill, or nullptr when full; then publish().
  T* reserve() noexcept {
    const uint64_t head = hdr_->head;  // only we write it
    const uint64_t tail = __atomic_load_n(&hdr_->tail, __ATOMIC_ACQUIRE);
    if (head - tail >= hdr_->capacity) return nullptr;
    return &slots_[head & (hdr_->capacity - 1)];
  }
  void publish() noexcept { __atomic_store_n(&hdr_->head, hdr_->head + 1, __ATOMIC_RELEASE); }
  bool push(const T& v) noexcept {
    T* s = reserve();
    if (s == nullptr) return false;
    *s = v;
    publish();
    return true;
  }

  // Consumer side. Returns the oldest record, or nullptr when empty; then release().
  const T* peek() noexcept {
    const uint64_t tail = hdr_->tail;  // only we write it
    const uint64_t head = __atomic_load_n(&hdr_->head, __ATOMIC_ACQUIRE);
    if (tail == head) return nullptr;
    return &slots_[tail & (hdr_->capacity - 1)];
  }
  void release() noexcept { __atomic_store_n(&hdr_->tail, hdr_->tail + 1, __ATOMIC_RELEASE); }
  bool pop(T& out) noexcept {
    const T* s = peek();
    if (s == nullptr) return false;
    out = *s;
    release();
    return true;
  }

  // Either side: records currently queued (a snapshot).
  uint64_t depth() const noexcept {
    return __atomic_load_n(&hdr_->head, __ATOMIC_ACQUIRE) -
           __atomic_load_n(&hdr_->tail, __ATOMIC_ACQUIRE);
  }

 private:
  rtpgate_shm_ring_hdr* hdr_ = nullptr;
  T* slots_ = nullptr;
};

}  // namespace rtpgate::shm
