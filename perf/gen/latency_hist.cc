// Latency histogram queries (after a trial, main thread).
#include "latency_hist.h"

#include <algorithm>

namespace rtpgate::perf {

void LatencyHist::clear() noexcept {
  std::fill(counts_.begin(), counts_.end(), 0);
  n_ = sum_ = max_ = 0;
  min_ = UINT64_MAX;
}

std::pair<uint64_t, uint64_t> LatencyHist::bounds(uint32_t i) noexcept {
  if (i < kSub) return {i, i + 1};
  const uint32_t e = i / kSub + kSubBits - 1;
  const uint64_t sub = i % kSub;
  const uint64_t step = uint64_t{1} << (e - kSubBits);
  const uint64_t lo = (uint64_t{1} << e) + sub * step;
  return {lo, lo + step};
}

uint64_t LatencyHist::quantile(double q) const noexcept {
  if (n_ == 0) return 0;
  const double want = std::clamp(q, 0.0, 1.0) * double(n_);
  uint64_t seen = 0;
  for (uint32_t i = 0; i < kBuckets; i++) {
    seen += counts_[i];
    if (counts_[i] != 0 && double(seen) >= want) {
      const auto [lo, hi] = bounds(i);
      return std::clamp((lo + hi - 1) / 2, min_, max_);
    }
  }
  return max_;
}

std::vector<std::pair<uint64_t, double>> LatencyHist::cdf(size_t points) const {
  std::vector<std::pair<uint64_t, double>> all;
  uint64_t seen = 0;
  for (uint32_t i = 0; i < kBuckets; i++) {
    if (counts_[i] == 0) continue;
    seen += counts_[i];
    all.emplace_back(std::min(bounds(i).second - 1, max_), double(seen) / double(n_));
  }
  if (all.size() <= points || points < 2) return all;
  std::vector<std::pair<uint64_t, double>> thin;
  for (size_t k = 0; k < points; k++) thin.push_back(all[k * (all.size() - 1) / (points - 1)]);
  return thin;
}

}  // namespace rtpgate::perf
