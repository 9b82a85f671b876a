// The receive side of a trial: set-up and the per-trial jitter summary (main thread).
#include "flow_sink.h"

namespace rtpgate::perf {

FlowSink::FlowSink(uint32_t n_flows, double ns_per_tick) : flows_(n_flows), ns_per_tick_(ns_per_tick) {}

void FlowSink::begin(uint32_t epoch) noexcept {
  epoch_ = epoch;
  c_ = RxCounts{};
  hist_.clear();
}

JitterSummary FlowSink::jitter() const noexcept {
  JitterSummary j;
  double sum = 0;
  for (const FlowRx& f : flows_) {
    if (f.epoch != epoch_ || !f.jitter_valid) continue;
    const double ns = f.jitter_ticks * ns_per_tick_;
    j.flows++;
    sum += ns;
    if (ns > j.max_ns) j.max_ns = ns;
  }
  if (j.flows != 0) j.mean_ns = sum / double(j.flows);
  return j;
}

}  // namespace rtpgate::perf
