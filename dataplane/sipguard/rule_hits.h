// The rules one datagram matched: a fixed bitmap of RTPGATE_GUARD_MAX_RULES bits, filled
// by the scanner (Hyperscan match callback and structural checks). Worker lcores.
#pragma once
#include <cstdint>

#include "rtpgate/shm/guard_block.h"

namespace rtpgate::dp::sipguard {

struct RuleHits {
  static constexpr uint32_t kWords = RTPGATE_GUARD_MAX_RULES / 64;
  uint64_t w[kWords];

  void clear() noexcept {
    for (auto& x : w) x = 0;
  }
  void set(uint32_t rule) noexcept { w[rule / 64] |= uint64_t{1} << (rule % 64); }
  bool test(uint32_t rule) const noexcept { return (w[rule / 64] >> (rule % 64)) & 1u; }
  bool any() const noexcept {
    uint64_t x = 0;
    for (const auto v : w) x |= v;
    return x != 0;
  }
  // Calls f(rule) for every set bit, lowest first.
  template <typename F>
  void for_each(F&& f) const noexcept {
    for (uint32_t i = 0; i < kWords; i++)
      for (uint64_t b = w[i]; b != 0; b &= b - 1) f(i * 64 + static_cast<uint32_t>(__builtin_ctzll(b)));
  }
};

}  // namespace rtpgate::dp::sipguard
