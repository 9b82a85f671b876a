// rtpgate-perf: the receive side of a trial. Per packet: epoch check, per-flow sequence
// (gaps, reordering), one-way latency into the histogram, RFC 3550 interarrival jitter per
// flow. on_packet() runs on the generator's lcore; begin/summary between trials.
#pragma once
#include <cstdint>
#include <vector>

#include "latency_hist.h"
#include "stamp.h"

namespace rtpgate::perf {

struct RxCounts {
  uint64_t received = 0;   // stamped packets of the current trial
  uint64_t bytes = 0;      // their frame (DPDK) or datagram (kernel) bytes
  uint64_t reordered = 0;  // arrived after a later packet of the same flow (or duplicated)
  uint64_t seq_gaps = 0;   // sequence numbers skipped (lost, or reordered later)
  uint64_t stale = 0;      // stamped packets of an earlier trial
  uint64_t foreign = 0;    // frames without our stamp (ARP, announcements, ...)
};

struct JitterSummary {
  uint64_t flows = 0;  // flows with at least two packets in the trial
  double mean_ns = 0, max_ns = 0;
};

class FlowSink {
 public:
  // ns_per_tick converts the stamp's clock (TSC or ns) to nanoseconds.
  FlowSink(uint32_t n_flows, double ns_per_tick);

  void begin(uint32_t epoch) noexcept;

  [[gnu::always_inline]] void on_packet(const Stamp& s, uint64_t now, uint32_t bytes) noexcept {
    if (s.flow >= flows_.size()) [[unlikely]] {
      c_.foreign++;
      return;
    }
    if (s.epoch != epoch_) [[unlikely]] {
      c_.stale++;
      return;
    }
    c_.received++;
    c_.bytes += bytes;
    FlowRx& f = flows_[s.flow];
    const int64_t transit = static_cast<int64_t>(now - s.tx_time);
    if (f.epoch != epoch_) {
      f.epoch = epoch_;
      f.jitter_ticks = 0;
      f.jitter_valid = 0;
    } else {
      const int64_t d = transit - f.last_transit;
      // J += (|D| - J) / 16 (RFC 3550 A.8), in ticks.
      f.jitter_ticks += (static_cast<double>(d < 0 ? -d : d) - f.jitter_ticks) / 16.0;
      f.jitter_valid = 1;
    }
    f.last_transit = transit;
    if (s.seq >= f.next_seq) {
      c_.seq_gaps += s.seq - f.next_seq;
      f.next_seq = s.seq + 1;
    } else {
      c_.reordered++;
    }
    hist_.add(transit > 0 ? static_cast<uint64_t>(double(transit) * ns_per_tick_) : 0);
  }
  void count_foreign(uint64_t n = 1) noexcept { c_.foreign += n; }

  uint32_t epoch() const noexcept { return epoch_; }
  const RxCounts& counts() const noexcept { return c_; }
  const LatencyHist& hist() const noexcept { return hist_; }
  JitterSummary jitter() const noexcept;

 private:
  struct FlowRx {
    uint32_t next_seq = 0;
    uint32_t epoch = 0;
    int64_t last_transit = 0;
    double jitter_ticks = 0;
    uint32_t jitter_valid = 0;  // a jitter sample was taken in this epoch
    uint32_t pad = 0;
  };
  std::vector<FlowRx> flows_;
  double ns_per_tick_;
  uint32_t epoch_ = 0;
  RxCounts c_;
  LatencyHist hist_;
};

}  // namespace rtpgate::perf
