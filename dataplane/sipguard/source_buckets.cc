// Per-source token buckets (see source_buckets.h). take() runs on its worker lcore.
#include "sipguard/source_buckets.h"

#include <algorithm>

namespace rtpgate::dp::sipguard {

SourceBuckets::SourceBuckets(uint32_t capacity) {
  uint32_t n = kProbe;
  while (n < capacity && n < (1u << 30)) n <<= 1;
  t_ = std::make_unique<Entry[]>(n);  // value-initialised: every entry free (gen 0)
  mask_ = n - 1;
}

bool SourceBuckets::take(const SourceKey& src, uint16_t rule, uint32_t gen, uint32_t rate_per_s, uint32_t burst,
                         uint64_t now_tsc, uint64_t tsc_hz) noexcept {
  const uint64_t h = hash(src, rule);
  Entry* e = nullptr;
  Entry* stalest = nullptr;
  // Entries are only ever added at the first free slot of their window and replaced in
  // place, so a key of this generation never sits after a free slot of its window.
  for (uint32_t i = 0; i < kProbe; i++) {
    Entry& c = t_[(h + i) & mask_];
    if (c.gen != gen) {
      e = &c;
      break;
    }
    if (same(c, src, rule)) {
      Entry& hit = c;
      const uint64_t cap = uint64_t{burst} * tsc_hz;
      const uint64_t dt = now_tsc > hit.last_tsc ? now_tsc - hit.last_tsc : 0;
      // dt >= cap / rate refills the bucket; below that dt * rate < cap cannot overflow.
      hit.tokens = dt >= cap / rate_per_s ? cap : std::min(cap, hit.tokens + dt * rate_per_s);
      hit.last_tsc = now_tsc;
      if (hit.tokens < tsc_hz) return false;
      hit.tokens -= tsc_hz;
      return true;
    }
    if (stalest == nullptr || c.last_tsc < stalest->last_tsc) stalest = &c;
  }
  if (e == nullptr) {
    e = stalest;
    evictions_++;
  }
  e->gen = gen;
  e->rule = rule;
  e->family = src.family;
  std::memcpy(e->addr, src.addr, 16);
  e->last_tsc = now_tsc;
  e->tokens = (uint64_t{burst} - 1) * tsc_hz;  // a new source starts with a full bucket, minus this datagram
  return true;
}

}  // namespace rtpgate::dp::sipguard
