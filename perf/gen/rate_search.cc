// Lossless-rate search (main thread).
#include "rate_search.h"

#include <algorithm>

namespace rtpgate::perf {

bool trial_passes(const TrialResult& t, double loss_tolerance) noexcept {
  return t.rx.received > 0 && t.loss_ratio() <= loss_tolerance && t.side_loss == 0;
}

double SearchResult::best_within(double tolerance) const noexcept {
  double best_pps = 0;
  for (const TrialResult& t : trials)
    if (trial_passes(t, tolerance)) best_pps = std::max(best_pps, t.achieved_pps());
  return best_pps;
}

namespace {

// Runs `rate` until it passes, at most 1 + retries times; all attempts are kept.
bool try_rate(TrialRunner& runner, const SearchParams& p, double rate, SearchResult* s,
              const std::function<void(const char* what, const TrialResult&)>& on_trial) {
  for (uint32_t attempt = 0; attempt <= p.retries; attempt++) {
    s->trials.push_back(runner.run(rate, p.trial_s));
    const bool pass = trial_passes(s->trials.back(), p.loss_tolerance);
    on_trial(pass ? "pass" : attempt < p.retries ? "retry" : "fail", s->trials.back());
    if (pass) {
      const TrialResult& t = s->trials.back();
      if (s->best < 0 || t.achieved_pps() > s->trials[size_t(s->best)].achieved_pps())
        s->best = static_cast<int>(s->trials.size() - 1);
      return true;
    }
  }
  return false;
}

SearchResult ramp(TrialRunner& runner, const SearchParams& p,
                  const std::function<void(const char* what, const TrialResult&)>& on_trial) {
  SearchResult s;
  double rate = p.ramp_start_pps;
  for (uint32_t step = 0; step < p.max_steps && rate <= p.max_pps; step++, rate *= p.ramp_factor) {
    if (!try_rate(runner, p, rate, &s, on_trial)) {
      s.saturation = s.trials.back();
      break;
    }
  }
  return s;
}

}  // namespace

SearchResult search_lossless(TrialRunner& runner, const SearchParams& p,
                             const std::function<void(const char* what, const TrialResult&)>& on_trial) {
  if (p.ramp_start_pps > 0) return ramp(runner, p, on_trial);
  SearchResult s;
  s.saturation = runner.run(0, p.trial_s);
  on_trial("unpaced", s.saturation);
  // Nothing passes much above what the path forwards under overload: start just above it.
  double hi = std::clamp(s.saturation.rx_pps() * 1.05, p.min_pps, p.max_pps);
  double lo = 0;
  double rate = hi;
  for (uint32_t step = 0; step < p.max_steps; step++) {
    if (try_rate(runner, p, rate, &s, on_trial)) {
      lo = rate;
      if (rate >= hi) break;  // the upper bound itself passed
    } else {
      hi = rate;
    }
    if (hi - lo <= p.resolution * hi) break;
    rate = (lo + hi) / 2;
    if (rate < p.min_pps) {
      if (lo > 0) break;
      rate = p.min_pps;  // one last try at the floor
      if (hi <= p.min_pps) break;
    }
  }
  return s;
}

}  // namespace rtpgate::perf
