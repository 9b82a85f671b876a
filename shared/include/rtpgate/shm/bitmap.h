// Allocation bitmaps of the shared region (flows, ports, SRTP and recording entries) and the
// data plane's installed-flow bitmap, as readers count them: another thread or process may
// be setting bits meanwhile, so the words are read with relaxed atomic loads.
#pragma once
#include <cstdint>

namespace rtpgate::shm {

// Bits set among the first n_bits of bm.
inline uint64_t count_bits(const uint64_t* bm, uint64_t n_bits) noexcept {
  uint64_t n = 0;
  for (uint64_t w = 0; w < n_bits / 64; w++)
    n += static_cast<uint64_t>(__builtin_popcountll(__atomic_load_n(&bm[w], __ATOMIC_RELAXED)));
  if (n_bits % 64 != 0)
    n += static_cast<uint64_t>(__builtin_popcountll(__atomic_load_n(&bm[n_bits / 64], __ATOMIC_RELAXED) &
                                                    ((uint64_t{1} << (n_bits % 64)) - 1)));
  return n;
}

}  // namespace rtpgate::shm
