// Sequence-lock helpers for the region's status blocks (guard block, configuration block):
// one writer makes `seq` odd while it changes the block; readers copy and retry.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace rtpgate::shm {

inline void seq_write_begin(uint64_t* seq) noexcept {
  __atomic_store_n(seq, *seq + 1, __ATOMIC_RELAXED);  // odd: writing
  __atomic_thread_fence(__ATOMIC_RELEASE);
}

inline void seq_write_end(uint64_t* seq) noexcept { __atomic_store_n(seq, *seq + 1, __ATOMIC_RELEASE); }

// Copies `len` bytes from `src` (guarded by *seq) to `dst`; false when no consistent copy
// was seen in `tries` attempts (the last copy is left in dst).
inline bool seq_read(const uint64_t* seq, void* dst, const void* src, size_t len, int tries = 1000) noexcept {
  for (int i = 0; i < tries; i++) {
    const uint64_t s = __atomic_load_n(seq, __ATOMIC_ACQUIRE);
    if (s & 1) continue;
    std::memcpy(dst, src, len);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (__atomic_load_n(seq, __ATOMIC_RELAXED) == s) return true;
  }
  return false;
}

}  // namespace rtpgate::shm
