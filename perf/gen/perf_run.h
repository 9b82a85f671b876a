// rtpgate-perf: one run per mix over an engine: a warm-up trial, the lossless-rate search,
// latency trials at fractions of the found rate and at fixed rates, and the JSON line.
// Main thread (the generator's lcore for the DPDK engine).
#pragma once
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "options.h"
#include "profile.h"
#include "report.h"
#include "trial_loop.h"

namespace rtpgate::perf {

// Prints the line on stdout and appends it to o.json_out.
void emit_report(const Options& o, const PerfReport& r);

inline LatencyRun latency_run(TrialRunner& runner, const Options& o, const std::string& basis, double rate_pps) {
  LatencyRun l;
  l.basis = basis;
  l.trial = runner.run(rate_pps, o.latency_s);
  print_progress("latency", l.trial);
  l.cdf = runner.hist().cdf(o.cdf_points);
  return l;
}

// Returns false when a run failed (nothing forwarded, bad mix).
template <class Io>
bool run_mixes(Io& io, const Options& o, const std::vector<TrialProbe*>& probes, double ns_per_tick,
               const PerfReport& base) {
  bool all_ok = true;
  for (size_t k = 0; k < o.mixes.size(); k++) {
    const std::string& text = o.mixes[k];
    PerfReport r = base;
    if (k != 0) r.label += "-mix" + std::to_string(k);  // one label per line: LABEL, LABEL-mix1, ...
    r.params = o.search;
    std::vector<MixPart> mix;
    if (!parse_mix(text, &mix, &r.error)) {
      r.mix = text;
      emit_report(o, r);
      all_ok = false;
      continue;
    }
    FlowSchedule sched(o.flows, mix);
    io.use(&sched);
    FlowSink sink(o.flows, ns_per_tick);
    LoopRunner<Io> runner(io, sink, o.loop, probes);
    r.mix = mix_name(mix);
    r.mean_rtp_bytes = sched.mean_rtp_bytes();
    r.nominal_pps = sched.nominal_pps();
    std::fprintf(stderr, "[perf] %s: %u flows, mix %s\n", r.label.c_str(), o.flows, r.mix.c_str());
    if (o.warmup_s > 0) {
      // A memif link reports up before the peer polls it: short trials until packets come
      // back (at most link_timeout_s), then the warm-up proper.
      const double warm_pps = std::min(10000.0, o.search.max_pps);
      for (double waited = 0; waited < o.link_timeout_s; waited += 0.1)
        if (runner.run(warm_pps, 0.1).rx.received != 0) break;
      const TrialResult w = runner.run(warm_pps, o.warmup_s);
      print_progress("warm-up", w);
      if (w.rx.received == 0) {
        r.error = "nothing came back in the warm-up trial (is the device under test forwarding?)";
        r.search.saturation = w;
        emit_report(o, r);
        all_ok = false;
        continue;
      }
    }
    r.search = search_lossless(runner, o.search, print_progress);
    const double lossless = r.search.lossless_pps();
    for (double f : o.latency_fracs)
      if (lossless > 0 && o.latency_s > 0)
        r.latency.push_back(latency_run(runner, o, std::to_string(int(f * 100 + 0.5)) + "% of lossless", f * lossless));
    for (double pps : o.latency_pps)
      if (o.latency_s > 0) r.latency.push_back(latency_run(runner, o, "fixed", pps));
    if (r.search.generator_limited())
      r.notes.push_back("lossless rate limited by the generator: the device under test may forward more");
    emit_report(o, r);
  }
  return all_ok;
}

}  // namespace rtpgate::perf
