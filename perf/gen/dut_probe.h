// rtpgate-perf: the data plane's own counters around a trial (read from its shared region:
// every lcore's published block, epoch-checked), so that a lost packet can be told apart:
// dropped by the data plane (and why), refused by its TX ring, or never received. Main
// thread, between trials.
#pragma once
#include <string>

#include "../loop_stats.h"
#include "rtpgate/shm/region_map.h"
#include "trial.h"

namespace rtpgate::perf {

class DutProbe final : public TrialProbe {
 public:
  // Attaches to the region `shm_name` (read only use). False with *why.
  bool attach(const std::string& shm_name, std::string* why);
  void before() override {
    t0_ = sum();
    w0_ = snapshot(region_.lcore_stats(0));
  }
  void after(TrialResult* r) override;
  // Recording runs: after each trial, wait at least `s` seconds (rec_flush_ms and a margin)
  // and until the recorder has taken every copy and its write-outs stopped, so that a trial
  // is charged with the write-outs of its own packets and the next starts with an idle
  // recorder (at most 120 s).
  void set_rec_settle(double s) noexcept { rec_settle_s_ = s; }

 private:
  Snapshot sum() const noexcept;
  double wait_recorder() const noexcept;  // seconds waited
  shm::Region region_;
  Snapshot t0_, w0_;  // every block; the (first) worker's
  double rec_settle_s_ = 0;
};

}  // namespace rtpgate::perf
