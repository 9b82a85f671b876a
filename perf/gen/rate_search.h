// rtpgate-perf: RFC 2544-style throughput search. One unpaced trial finds what the path
// forwards under overload; a binary search on the offered rate with fixed-length trials
// then finds the highest rate whose loss stays within the tolerance (0 = none). For relays
// that an overload leaves damaged (rtpengine stops forwarding a stream whose socket queue
// overflowed repeatedly), a ramp instead: rising rates until the first failure.
// Main thread.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "trial.h"

namespace rtpgate::perf {

struct SearchParams {
  double trial_s = 1.0;
  uint32_t max_steps = 8;      // paced trials after the unpaced one
  double resolution = 0.02;    // stop once (hi - lo) / hi is below this
  double loss_tolerance = 0;   // fraction of the offered packets a passing trial may lose
  double max_pps = 30e6;       // the search never offers more
  double min_pps = 1000;       // nor less (the result is 0 when even this loses)
  double ramp_start_pps = 0;    // > 0: ramp from this rate, x ramp_factor per step, no
  double ramp_factor = 1.2;     //     unpaced trial, stop at the first failure
  double pdr_tolerance = 0.005;  // reported besides: best trial losing at most this (0.5%)
  uint32_t retries = 0;        // a failed rate is tried again this often before it counts as
                               // failed (a shared machine's scheduling hiccups)
};

struct SearchResult {
  TrialResult saturation;          // the unpaced trial (ramp: the first failing step)
  std::vector<TrialResult> trials; // paced, in order
  int best = -1;                   // index of the fastest passing trial, -1 = none

  // Offered rate the fastest passing trial achieved (what the generator really sent).
  double lossless_pps() const noexcept { return best < 0 ? 0 : trials[size_t(best)].achieved_pps(); }
  // The result is a lower bound set by the generator, not by the device under test.
  bool generator_limited() const noexcept { return best >= 0 && trials[size_t(best)].generator_limited(); }
  // Highest achieved rate among the paced trials that lost at most `tolerance`: a
  // partial-drop rate read off the same trials, a lower bound of the rate a search with that
  // tolerance would find. (The unpaced trial does not count: it waits for a full ring
  // instead of losing, see trial_loop.h.)
  double best_within(double tolerance) const noexcept;
};

bool trial_passes(const TrialResult& t, double loss_tolerance) noexcept;

SearchResult search_lossless(TrialRunner& runner, const SearchParams& p,
                             const std::function<void(const char* what, const TrialResult&)>& on_trial);

}  // namespace rtpgate::perf
