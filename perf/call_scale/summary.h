// Small statistics helpers for the phases' results (any thread).
#pragma once
#include <algorithm>
#include <cmath>
#include <vector>

namespace rtpgate::perf {

// Nearest-rank percentile (p in [0, 100]) of an unsorted sample; 0 for an empty one.
inline double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double rank = std::ceil(p / 100.0 * static_cast<double>(v.size()));
  const size_t i = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  return v[std::min(i, v.size() - 1)];
}

inline double round_to(double v, int decimals) {
  const double f = std::pow(10.0, decimals);
  return std::round(v * f) / f;
}

}  // namespace rtpgate::perf
