// rtpgate-perf: a log-linear latency histogram (32 sub-buckets per power of two, so a
// percentile is exact to about 3%), fixed size, no allocation after construction. add()
// runs on the generator's lcore; queries after a trial.
#pragma once
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace rtpgate::perf {

class LatencyHist {
 public:
  static constexpr uint32_t kSubBits = 5;
  static constexpr uint32_t kSub = 1u << kSubBits;
  static constexpr uint32_t kMaxExp = 40;  // values up to 2^40 ns (18 min) are kept apart
  static constexpr uint32_t kBuckets = (kMaxExp - kSubBits + 1) * kSub;

  LatencyHist() : counts_(kBuckets, 0) {}
  void clear() noexcept;

  [[gnu::always_inline]] void add(uint64_t ns) noexcept {
    counts_[index(ns)]++;
    n_++;
    sum_ += ns;
    if (ns > max_) max_ = ns;
    if (ns < min_) min_ = ns;
  }

  uint64_t count() const noexcept { return n_; }
  uint64_t max() const noexcept { return n_ ? max_ : 0; }
  uint64_t min() const noexcept { return n_ ? min_ : 0; }
  double mean() const noexcept { return n_ ? double(sum_) / double(n_) : 0; }
  // Smallest value v such that at least q of the samples are <= v (bucket midpoint,
  // clamped to [min, max]); 0 when empty. q in [0, 1].
  uint64_t quantile(double q) const noexcept;
  // (value ns, cumulative fraction) at every non-empty bucket, thinned to at most `points`.
  std::vector<std::pair<uint64_t, double>> cdf(size_t points) const;

  static uint32_t index(uint64_t v) noexcept {
    if (v < kSub) return static_cast<uint32_t>(v);
    uint32_t e = 63u - static_cast<uint32_t>(__builtin_clzll(v));  // >= kSubBits
    if (e > kMaxExp) return kBuckets - 1;
    const uint32_t sub = static_cast<uint32_t>(v >> (e - kSubBits)) & (kSub - 1);
    return (e - kSubBits + 1) * kSub + sub;
  }
  // Lowest and one-past-highest value of bucket i.
  static std::pair<uint64_t, uint64_t> bounds(uint32_t i) noexcept;

 private:
  std::vector<uint64_t> counts_;
  uint64_t n_ = 0, sum_ = 0, max_ = 0, min_ = UINT64_MAX;
};

}  // namespace rtpgate::perf
