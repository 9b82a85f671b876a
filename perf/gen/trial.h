// rtpgate-perf: one trial (a fixed time at one offered rate) and what it measured; the
// interface every engine (DPDK port, kernel sockets) offers to the rate search, and probes
// that read the device under test around a trial (its drop counters, its CPU time).
// Main thread, between trials.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "flow_sink.h"

namespace rtpgate::perf {

struct LatencySummary {
  uint64_t samples = 0;
  uint64_t min_ns = 0, p50_ns = 0, p90_ns = 0, p99_ns = 0, p999_ns = 0, max_ns = 0;
  double mean_ns = 0;
};
LatencySummary summarize(const LatencyHist& h) noexcept;

struct TrialResult {
  uint32_t epoch = 0;
  double offered_pps = 0;  // requested; 0 = unpaced (as fast as the generator can)
  double seconds = 0;      // TX interval
  uint64_t generated = 0;  // packets built and offered to the port/socket
  uint64_t refused = 0;    // not taken by the port (ring full) or socket (EAGAIN): lost
  uint64_t skipped = 0;    // send slots the generator missed while behind the pacer
  uint64_t no_buffer = 0;  // send slots without a free buffer (mempool empty)
  uint64_t port_full = 0;  // sends the port did not take in full (unpaced: 0 = the device
                           // under test kept up with everything the generator could send)
  RxCounts rx;
  LatencySummary lat;
  JitterSummary jitter;
  std::vector<std::pair<std::string, double>> extra;  // probes: DUT drops, relay CPU, ...
  uint64_t side_loss = 0;  // losses that are not forwarded packets (recording copies the data
                           // plane dropped): a trial with any does not pass

  double achieved_pps() const noexcept { return seconds > 0 ? double(generated) / seconds : 0; }
  double rx_pps() const noexcept { return seconds > 0 ? double(rx.received) / seconds : 0; }
  uint64_t lost() const noexcept { return generated > rx.received ? generated - rx.received : 0; }
  double loss_ratio() const noexcept { return generated ? double(lost()) / double(generated) : 1.0; }
  // The generator could not offer what was asked (it fell more than 2% behind), or, unpaced,
  // the device under test took everything it sent.
  bool generator_limited() const noexcept {
    return offered_pps > 0 ? achieved_pps() < 0.98 * offered_pps : port_full == 0 && lost() == 0;
  }
};

// Reads something about the device under test before and after a trial's TX interval.
class TrialProbe {
 public:
  virtual ~TrialProbe() = default;
  virtual void before() = 0;
  virtual void after(TrialResult* r) = 0;
};

class TrialRunner {
 public:
  virtual ~TrialRunner() = default;
  virtual TrialResult run(double rate_pps, double seconds) = 0;
  // The latency histogram of the last trial.
  virtual const LatencyHist& hist() const = 0;
};

}  // namespace rtpgate::perf
