// JSON result line and progress output (main thread).
#include "report.h"

#include "json_out.h"

namespace rtpgate::perf {
namespace {

void trial_json(JsonOut& j, const char* key, const TrialResult& t) {
  j.begin_obj(key)
      .u64("epoch", t.epoch)
      .num("offered_pps", t.offered_pps)
      .num("achieved_pps", t.achieved_pps())
      .num("rx_pps", t.rx_pps())
      .num("seconds", t.seconds)
      .u64("generated", t.generated)
      .u64("received", t.rx.received)
      .u64("lost", t.lost())
      .num("loss_ratio", t.loss_ratio())
      .u64("refused", t.refused)
      .u64("skipped", t.skipped)
      .u64("no_buffer", t.no_buffer)
      .u64("port_full", t.port_full)
      .u64("reordered", t.rx.reordered)
      .u64("seq_gaps", t.rx.seq_gaps)
      .u64("stale", t.rx.stale)
      .u64("foreign", t.rx.foreign)
      .u64("side_loss", t.side_loss)
      .boolean("generator_limited", t.generator_limited());
  j.begin_obj("latency_ns")
      .u64("samples", t.lat.samples)
      .u64("min", t.lat.min_ns)
      .u64("p50", t.lat.p50_ns)
      .u64("p90", t.lat.p90_ns)
      .u64("p99", t.lat.p99_ns)
      .u64("p999", t.lat.p999_ns)
      .u64("max", t.lat.max_ns)
      .num("mean", t.lat.mean_ns)
      .end();
  j.begin_obj("jitter_ns").u64("flows", t.jitter.flows).num("mean", t.jitter.mean_ns).num("max", t.jitter.max_ns).end();
  j.begin_obj("extra");
  for (const auto& [k, v] : t.extra) j.num(k.c_str(), v);
  j.end().end();
}

}  // namespace

std::string report_json(const PerfReport& r) {
  JsonOut j;
  j.begin_obj()
      .str("tool", "rtpgate-perf")
      .str("label", r.label)
      .str("target", r.target)
      .str("engine", r.engine)
      .u64("flows", r.flows)
      .str("mix", r.mix)
      .num("mean_rtp_bytes", r.mean_rtp_bytes)
      .u64("wire_overhead_bytes", r.wire_overhead_bytes)
      .num("nominal_call_pps", r.nominal_pps)
      .boolean("ok", r.error.empty())
      .str("error", r.error);
  j.begin_obj("config").str("srtp", r.srtp).boolean("record", r.record).u64("queues", r.queues).end();
  j.begin_obj("install").u64("installed", r.installed).u64("failed", r.install_failed).num("seconds", r.install_s).end();
  const double bytes = r.mean_rtp_bytes + r.wire_overhead_bytes;
  j.begin_obj("search")
      .num("trial_s", r.params.trial_s)
      .u64("max_steps", r.params.max_steps)
      .num("resolution", r.params.resolution)
      .num("loss_tolerance", r.params.loss_tolerance)
      .u64("retries", r.params.retries)
      .num("best_trial", r.search.best)
      .num("lossless_pps", r.search.lossless_pps())
      .num("lossless_mbps", r.search.lossless_pps() * bytes * 8 / 1e6)
      .num("lossless_g711_streams", r.search.lossless_pps() / 50)
      .num("pdr_loss_tolerance", r.params.pdr_tolerance)
      .num("pdr_pps", r.search.best_within(r.params.pdr_tolerance))
      .boolean("generator_limited", r.search.generator_limited())
      .str("method", r.params.ramp_start_pps > 0 ? "ramp" : "binary")
      .num("overload_rx_pps", r.search.saturation.rx_pps());
  trial_json(j, "overload", r.search.saturation);
  j.begin_arr("trials");
  for (const TrialResult& t : r.search.trials) trial_json(j, nullptr, t);
  j.end().end();
  j.begin_arr("latency");
  for (const LatencyRun& l : r.latency) {
    j.begin_obj().str("basis", l.basis);
    trial_json(j, "trial", l.trial);
    j.begin_arr("cdf");
    for (const auto& [ns, frac] : l.cdf) j.begin_arr().num(double(ns)).num(frac).end();
    j.end().end();
  }
  j.end();
  j.begin_arr("notes");
  for (const std::string& n : r.notes) j.str(nullptr, n);
  j.end().end();
  return j.text();
}

void print_progress(const char* what, const TrialResult& t) {
  std::fprintf(stderr,
               "[perf] trial %u %-7s offered %10.0f pps, sent %10.0f, received %10.0f pps, loss %.4f%% "
               "(refused %lu, skipped %lu), p50 %lu ns p99 %lu ns\n",
               t.epoch, what, t.offered_pps, t.achieved_pps(), t.rx_pps(), 100 * t.loss_ratio(),
               static_cast<unsigned long>(t.refused), static_cast<unsigned long>(t.skipped),
               static_cast<unsigned long>(t.lat.p50_ns), static_cast<unsigned long>(t.lat.p99_ns));
}

}  // namespace rtpgate::perf
