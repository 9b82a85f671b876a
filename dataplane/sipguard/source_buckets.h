// Per-source token buckets of the SIP guard's ratelimit rules: a fixed-capacity
// open-addressing table keyed by (source address, rule), IPv4 and IPv6. One table per
// worker, sized at start-up; no allocation afterwards. When a probe window is full, the
// stalest entry of the window is evicted (counted). Entries of an older rule set
// (generation) count as free, so a reload needs no sweep. Written by its worker only.
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>

#include "sipguard/sip_datagram.h"

namespace rtpgate::dp::sipguard {

class SourceBuckets {
 public:
  static constexpr uint32_t kProbe = 8;  // probe window (entries looked at per lookup)

  // capacity: rounded up to a power of two, at least kProbe.
  explicit SourceBuckets(uint32_t capacity);
  uint32_t capacity() const noexcept { return mask_ + 1; }
  uint64_t evictions() const noexcept { return evictions_; }

  // Takes one token from the bucket of (src, rule) under rule set `gen`, creating it full
  // (burst tokens) when new. Refill: rate_per_s tokens per second, up to burst. Returns
  // false when the bucket is empty (the datagram is over the rate).
  bool take(const SourceKey& src, uint16_t rule, uint32_t gen, uint32_t rate_per_s, uint32_t burst,
            uint64_t now_tsc, uint64_t tsc_hz) noexcept;

 private:
  struct Entry {
    uint64_t tokens;    // scaled by tsc_hz: one token = tsc_hz
    uint64_t last_tsc;  // last refill
    uint8_t addr[16];
    uint32_t gen;       // 0 = never used
    uint16_t rule;
    uint8_t family;
    uint8_t pad;
  };
  static_assert(sizeof(Entry) == 40);

  static uint64_t hash(const SourceKey& k, uint16_t rule) noexcept {
    uint64_t a, b;
    std::memcpy(&a, k.addr, 8);
    std::memcpy(&b, k.addr + 8, 8);
    uint64_t h = (a ^ (b * 0x9E3779B97F4A7C15ull)) + (uint64_t{rule} << 8 | k.family);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
  }
  static bool same(const Entry& e, const SourceKey& k, uint16_t rule) noexcept {
    return e.rule == rule && e.family == k.family && std::memcmp(e.addr, k.addr, 16) == 0;
  }

  std::unique_ptr<Entry[]> t_;
  uint32_t mask_ = 0;
  uint64_t evictions_ = 0;
};

}  // namespace rtpgate::dp::sipguard
