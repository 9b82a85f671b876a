// Latency summary of a trial (main thread, after the trial).
#include "trial.h"

namespace rtpgate::perf {

LatencySummary summarize(const LatencyHist& h) noexcept {
  LatencySummary s;
  s.samples = h.count();
  s.min_ns = h.min();
  s.p50_ns = h.quantile(0.50);
  s.p90_ns = h.quantile(0.90);
  s.p99_ns = h.quantile(0.99);
  s.p999_ns = h.quantile(0.999);
  s.max_ns = h.max();
  s.mean_ns = h.mean();
  return s;
}

}  // namespace rtpgate::perf
