// rtpgate-perf: the generator's loop for one trial, shared by every engine. Each
// iteration polls the receive side first (so that the device under test never finds our
// RX ring full because we were busy sending), then sends what a token bucket on the
// engine's clock allows (paced offered rate), then, after the TX interval, drains until
// every packet is accounted for or the drain time is over. Runs on one thread/lcore.
//
// An engine `Io` provides: uint64_t hz(); uint64_t now(); void rx(FlowSink&, uint64_t now);
// TxDone tx(uint32_t n, uint64_t now, uint32_t epoch, bool keep_unsent);
// uint32_t discard_unsent(). Paced trials count what the port refuses as lost (the device
// under test did not take it: a NIC would count an RX miss); an unpaced trial keeps refused
// packets and offers them again, so that the generator does not spend its time building
// packets a full ring refuses.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "trial.h"

namespace rtpgate::perf {

struct TxDone {
  uint32_t built;      // packets built
  uint32_t refused;    // built but not taken by the port/socket (freed, counted lost)
  uint32_t no_buffer;  // send slots without a free buffer
  bool full;           // the port did not take everything offered (its ring was full)
};

struct LoopConfig {
  uint32_t burst = 32;          // most packets sent per iteration
  uint32_t max_backlog = 1024;  // send slots the pacer may owe before it forgets them
  double drain_s = 0.05;        // after the TX interval, wait this long at most for stragglers
  double quiet_s = 0.05;        // before a trial: nothing received for this long (queues empty)
  double settle_max_s = 15;     // ... but wait no longer than this (a kernel relay's socket
                                // buffers can hold seconds of traffic after an overload)
};

// Receives (and counts as the previous trial's) until nothing arrived for lc.quiet_s.
template <class Io>
void settle(Io& io, FlowSink& sink, const LoopConfig& lc) noexcept {
  const uint64_t hz = io.hz();
  const uint64_t start = io.now();
  uint64_t last = start;
  auto seen = [&] { return sink.counts().received + sink.counts().stale + sink.counts().foreign; };
  for (uint64_t before = seen();;) {
    const uint64_t now = io.now();
    io.rx(sink, now);
    if (seen() != before) {
      before = seen();
      last = now;
    }
    if (double(now - last) >= lc.quiet_s * double(hz) || double(now - start) >= lc.settle_max_s * double(hz)) break;
  }
}

template <class Io>
void run_trial_loop(Io& io, FlowSink& sink, const LoopConfig& lc, double rate_pps, double seconds,
                    TrialResult* r) noexcept {
  const uint64_t hz = io.hz();
  const uint64_t t0 = io.now();
  const uint64_t t_end = t0 + static_cast<uint64_t>(seconds * double(hz));
  const uint64_t t_stop = t_end + static_cast<uint64_t>(lc.drain_s * double(hz));
  const double per_tick = rate_pps / double(hz);
  const uint32_t epoch = sink.epoch();
  uint64_t issued = 0;  // send slots handed out by the pacer
  bool tx_over = false;
  for (;;) {
    const uint64_t now = io.now();
    io.rx(sink, now);
    if (now < t_end) {
      uint64_t n = lc.burst;
      if (rate_pps > 0) {
        const auto target = static_cast<uint64_t>(double(now - t0) * per_tick);
        uint64_t owed = target > issued ? target - issued : 0;
        if (owed > lc.max_backlog) [[unlikely]] {
          r->skipped += owed - lc.max_backlog;
          issued += owed - lc.max_backlog;
          owed = lc.max_backlog;
        }
        n = std::min<uint64_t>(owed, lc.burst);
      }
      if (n == 0) continue;
      const TxDone d = io.tx(static_cast<uint32_t>(n), now, epoch, rate_pps <= 0);
      issued += n;
      r->generated += d.built;
      r->refused += d.refused;
      r->no_buffer += d.no_buffer;
      r->port_full += d.full;
    } else {
      if (!tx_over) r->generated -= io.discard_unsent();  // they never left
      tx_over = true;
      if (now >= t_stop || sink.counts().received + r->refused >= r->generated) break;
    }
  }
  r->seconds = double(t_end - t0) / double(hz);
}

// A TrialRunner over an engine: numbers the trials, runs the probes around each one and
// summarises the receive side.
template <class Io>
class LoopRunner final : public TrialRunner {
 public:
  LoopRunner(Io& io, FlowSink& sink, const LoopConfig& lc, std::vector<TrialProbe*> probes)
      : io_(io), sink_(sink), lc_(lc), probes_(std::move(probes)) {}

  TrialResult run(double rate_pps, double seconds) override {
    TrialResult r;
    r.epoch = ++epoch_;
    r.offered_pps = rate_pps;
    settle(io_, sink_, lc_);
    sink_.begin(r.epoch);
    for (TrialProbe* p : probes_) p->before();
    run_trial_loop(io_, sink_, lc_, rate_pps, seconds, &r);
    r.rx = sink_.counts();
    for (TrialProbe* p : probes_) p->after(&r);
    r.lat = summarize(sink_.hist());
    r.jitter = sink_.jitter();
    return r;
  }
  const LatencyHist& hist() const override { return sink_.hist(); }

 private:
  Io& io_;
  FlowSink& sink_;
  LoopConfig lc_;
  std::vector<TrialProbe*> probes_;
  uint32_t epoch_ = 0;
};

}  // namespace rtpgate::perf
