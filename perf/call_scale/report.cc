// The benchmark's JSON line (main thread).
#include "report.h"

#include "summary.h"

namespace rtpgate::perf {
namespace {

// The RTP injector and the relay_rtp counter run during the media window, not at idle.
constexpr int kHarnessMediaThreads = 2;

json_t* real(double v, int decimals = 3) { return json_real(round_to(v, decimals)); }

json_t* errors_json(const std::vector<std::string>& errors) {
  json_t* a = json_array();
  for (const auto& e : errors) json_array_append_new(a, json_string(e.c_str()));
  return a;
}

// CPU % of one core per thread name between two snapshots (threads alive at both).
json_t* threads_json(const Snapshot& a, const Snapshot& b) {
  json_t* j = json_object();
  const double wall = b.wall_s - a.wall_s;
  for (const auto& [name, cpu] : b.thread_cpu_s) {
    const auto it = a.thread_cpu_s.find(name);
    const double d = cpu - (it == a.thread_cpu_s.end() ? 0 : it->second);
    json_object_set_new(j, name.c_str(), real(100 * d / wall, 2));
  }
  return j;
}

double dp_delta(const Snapshot& a, const Snapshot& b) {
  return (a.dp_cpu_s < 0 || b.dp_cpu_s < 0) ? -1 : b.dp_cpu_s - a.dp_cpu_s;
}

}  // namespace

json_t* idle_json(const Snapshot& a, const Snapshot& b, int handles) {
  const double wall = b.wall_s - a.wall_s;
  const double dp = dp_delta(a, b);
  return json_pack("{s:i, s:o, s:o, s:o, s:i, s:i, s:I, s:o}", "handles", handles, "seconds",
                   real(wall, 2), "process_cpu_pct", real(100 * (b.process_cpu_s - a.process_cpu_s) / wall, 2),
                   "dp_cpu_pct", dp < 0 ? json_null() : real(100 * dp / wall, 2), "threads", b.threads,
                   "fds", b.fds, "rss_kb", static_cast<json_int_t>(b.rss_kb), "thread_cpu_pct",
                   threads_json(a, b));
}

json_t* cps_json(const CpsResult& r) {
  const double proc = r.after.process_cpu_s - r.before.process_cpu_s;
  const double dp = dp_delta(r.before, r.after);
  const double n = r.calls_ok > 0 ? r.calls_ok : 1;
  json_t* j = json_object();
  json_object_set_new(j, "callers", json_integer(r.callers));
  json_object_set_new(j, "pool", json_integer(r.pool));
  json_object_set_new(j, "reuse_gap_ms", json_integer(r.reuse_gap_ms));
  json_object_set_new(j, "gap_wait_s", real(r.gap_wait_s, 2));
  json_object_set_new(j, "seconds", real(r.seconds, 2));
  json_object_set_new(j, "calls_ok", json_integer(r.calls_ok));
  json_object_set_new(j, "calls_per_s", real(r.calls_ok / r.seconds, 2));
  json_object_set_new(j, "setup_failures", json_integer(r.setup_failures));
  json_object_set_new(j, "hangup_failures", json_integer(r.hangup_failures));
  json_object_set_new(j, "errors", errors_json(r.first_errors));
  json_object_set_new(j, "setup_ms_p50", real(percentile(r.setup_ms, 50), 2));
  json_object_set_new(j, "setup_ms_p99", real(percentile(r.setup_ms, 99), 2));
  json_object_set_new(j, "setup_ms_max", real(percentile(r.setup_ms, 100), 2));
  json_object_set_new(j, "hangup_ms_p50", real(percentile(r.hangup_ms, 50), 2));
  json_object_set_new(j, "hangup_ms_p99", real(percentile(r.hangup_ms, 99), 2));
  json_object_set_new(j, "process_cpu_s", real(proc));
  json_object_set_new(j, "harness_cpu_s", real(r.harness_cpu_s));
  json_object_set_new(j, "dp_cpu_s", dp < 0 ? json_null() : real(dp));
  // CPU per established call, in ms: the whole process (plugin + the harness's request
  // threads) and without the harness's caller threads; the data plane separately.
  json_object_set_new(j, "process_cpu_ms_per_call", real(1000 * proc / n));
  json_object_set_new(j, "plugin_cpu_ms_per_call", real(1000 * (proc - r.harness_cpu_s) / n));
  json_object_set_new(j, "dp_cpu_ms_per_call", dp < 0 ? json_null() : real(1000 * dp / n));
  json_object_set_new(j, "total_cpu_ms_per_call",
                      real(1000 * (proc - r.harness_cpu_s + (dp < 0 ? 0 : dp)) / n));
  return j;
}

json_t* media_json(const MediaResult& r) {
  json_t* j = json_object();
  json_object_set_new(j, "calls_wanted", json_integer(r.calls_wanted));
  json_object_set_new(j, "calls_up", json_integer(r.calls_up));
  json_object_set_new(j, "errors", errors_json(r.first_errors));
  json_object_set_new(j, "setup_seconds", real(r.setup_seconds, 2));
  json_object_set_new(j, "setup_ms_p50", real(percentile(r.setup_ms, 50), 2));
  json_object_set_new(j, "setup_ms_p99", real(percentile(r.setup_ms, 99), 2));
  json_object_set_new(j, "hangup_failures", json_integer(r.hangup_failures));
  json_object_set_new(j, "flows_after_hangup", r.flows_after < 0 ? json_null() : json_integer(r.flows_after));
  if (r.calls_up == 0 || r.window_s <= 0) return j;
  const double call_s = r.calls_up * r.window_s;
  const double proc = r.end.process_cpu_s - r.start.process_cpu_s;
  const double plugin = proc - r.counter_cpu_s - r.main_cpu_s;  // plugin threads + incoming_rtp
  const double dp = dp_delta(r.start, r.end);
  json_object_set_new(j, "window_s", real(r.window_s, 2));
  json_object_set_new(j, "process_cpu_s", real(proc));
  json_object_set_new(j, "injector_cpu_s", real(r.injector_cpu_s));
  json_object_set_new(j, "counter_cpu_s", real(r.counter_cpu_s));
  json_object_set_new(j, "plugin_threads_cpu_s", real(proc - r.injector_cpu_s - r.counter_cpu_s - r.main_cpu_s));
  json_object_set_new(j, "dp_cpu_s", dp < 0 ? json_null() : real(dp));
  json_object_set_new(j, "thread_cpu_pct", threads_json(r.start, r.end));
  // CPU per call per second of call, in ms (= per-mille of one core per call).
  json_object_set_new(j, "plugin_cpu_ms_per_call_s", real(1000 * plugin / call_s, 4));
  json_object_set_new(j, "dp_cpu_ms_per_call_s", dp < 0 ? json_null() : real(1000 * dp / call_s, 4));
  json_object_set_new(j, "total_cpu_ms_per_call_s", real(1000 * (plugin + (dp < 0 ? 0 : dp)) / call_s, 4));
  json_object_set_new(j, "plugin_cpu_pct", real(100 * plugin / r.window_s, 2));
  json_object_set_new(j, "dp_cpu_pct", dp < 0 ? json_null() : real(100 * dp / r.window_s, 2));
  json_object_set_new(j, "sent", json_integer(static_cast<json_int_t>(r.sent)));
  json_object_set_new(j, "received", json_integer(static_cast<json_int_t>(r.received)));
  json_object_set_new(j, "loss_pct", real(r.sent == 0 ? 0 : 100.0 * (1.0 - static_cast<double>(r.received) / static_cast<double>(r.sent)), 3));
  json_object_set_new(j, "window_pps_sent", real(static_cast<double>(r.window_sent) / r.window_s, 1));
  json_object_set_new(j, "window_pps_received", real(static_cast<double>(r.window_received) / r.window_s, 1));
  json_object_set_new(j, "calls_silent", json_integer(r.calls_silent));
  json_object_set_new(j, "calls_lossy_1pct", json_integer(r.calls_lossy));
  json_object_set_new(j, "worst_call_loss_pct", real(100 * r.worst_call_loss, 2));
  json_object_set_new(j, "max_inject_lag_ms", real(r.max_inject_lag_ms, 1));
  json_object_set_new(j, "threads_idle", json_integer(r.idle.threads));
  json_object_set_new(j, "threads", json_integer(r.end.threads - kHarnessMediaThreads));
  json_object_set_new(j, "fds_idle", json_integer(r.idle.fds));
  json_object_set_new(j, "fds", json_integer(r.end.fds));
  json_object_set_new(j, "rss_kb_idle", json_integer(r.idle.rss_kb));
  json_object_set_new(j, "rss_kb", json_integer(r.end.rss_kb));
  json_object_set_new(j, "threads_per_call",
                      real(static_cast<double>(r.end.threads - kHarnessMediaThreads - r.idle.threads) / r.calls_up, 2));
  json_object_set_new(j, "fds_per_call", real(static_cast<double>(r.end.fds - r.idle.fds) / r.calls_up, 2));
  json_object_set_new(j, "rss_kb_per_call", real(static_cast<double>(r.end.rss_kb - r.idle.rss_kb) / r.calls_up, 1));
  return j;
}

}  // namespace rtpgate::perf
