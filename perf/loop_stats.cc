// Counter snapshots, memory figures and the JSON report of the closed-loop benchmark.
#include "loop_stats.h"

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "flow/flow_table.h"
#include "net/flow_key.h"
#include "rtpgate/shm/counter_names.h"
#include "rtpgate/shm/region.h"

namespace rtpgate::perf {
namespace {

const char* const kVerdictNames[] = {"ok", "malformed", "bad_ip_csum", "bad_udp_csum", "bad_rtp"};

bool is_drop(int i) { return std::string(shm::counter_name(i)).rfind("drop_", 0) == 0; }

std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("model name", 0) == 0) {
      const auto p = line.find(": ");
      return p == std::string::npos ? line : line.substr(p + 2);
    }
  return "unknown";
}

std::string fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof(b), f, v);
  return b;
}

std::string json_str(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) o += c;
  }
  return o + "\"";
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

std::string list(const std::vector<double>& v) {
  std::string s = "[";
  for (double x : v) s += (s.size() > 1 ? "," : "") + fmt("%.2f", x);
  return s + "]";
}

class Json {
 public:
  Json& num(const char* k, double v, const char* f = "%.6g") { return raw(k, fmt(f, v)); }
  Json& u64(const char* k, uint64_t v) { return raw(k, std::to_string(v)); }
  Json& str(const char* k, const std::string& v) { return raw(k, json_str(v)); }
  Json& boolean(const char* k, bool v) { return raw(k, v ? "true" : "false"); }
  Json& raw(const char* k, const std::string& v) {
    s_ += (s_.size() > 1 ? "," : "") + json_str(k) + ":" + v;
    return *this;
  }
  std::string done() const { return s_ + "}"; }

 private:
  std::string s_ = "{";
};

}  // namespace

Snapshot snapshot(const rtpgate_shm_lcore_stats& s) noexcept {
  Snapshot o;
  for (int tries = 0; tries < 1000; tries++) {
    const uint64_t e0 = __atomic_load_n(&s.epoch, __ATOMIC_ACQUIRE);
    o.tsc = rte_rdtsc();
    o.busy_tsc = __atomic_load_n(&s.busy_tsc, __ATOMIC_RELAXED);
    o.loops = __atomic_load_n(&s.loops, __ATOMIC_RELAXED);
    for (int i = 0; i < RTPGATE_CTR_COUNT; i++) o.ctr[i] = __atomic_load_n(&s.ctr[i], __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if ((e0 & 1) == 0 && __atomic_load_n(&s.epoch, __ATOMIC_RELAXED) == e0) break;
  }
  return o;
}

uint64_t heap_alloc_bytes() noexcept {
  rte_malloc_socket_stats st{};
  rte_malloc_get_socket_stats(static_cast<int>(rte_socket_id()), &st);
  return st.heap_allocsz_bytes;
}

bool print_report(const std::string& label, const FlowCycle& fc, double seconds, double warmup_s,
                  uint32_t pkt_size, uint32_t burst, const RunReport& r) {
  const double hz = double(r.tsc_hz);
  const uint64_t dtsc = r.t1.tsc - r.t0.tsc;
  const uint64_t rx = r.t1.ctr[RTPGATE_CTR_rx_pkts] - r.t0.ctr[RTPGATE_CTR_rx_pkts];
  const uint64_t tx = r.t1.ctr[RTPGATE_CTR_tx_pkts] - r.t0.ctr[RTPGATE_CTR_tx_pkts];
  const uint64_t bursts = r.t1.ctr[RTPGATE_CTR_rx_bursts] - r.t0.ctr[RTPGATE_CTR_rx_bursts];
  const double secs = dtsc != 0 ? double(dtsc) / hz : 0;
  const double mpps = secs > 0 ? double(tx) / secs / 1e6 : 0;
  std::string drops = "{", drops_total = "{";
  uint64_t n_drop_interval = 0, n_drop_total = 0;
  for (int i = 0; i < RTPGATE_CTR_COUNT; i++) {
    if (!is_drop(i)) continue;
    const uint64_t d = r.t1.ctr[i] - r.t0.ctr[i], t = r.total.ctr[i];
    // Lost recording copies are the designed overload behaviour (forwarding goes on):
    // reported in "recording", not a forwarding drop.
    if (i != RTPGATE_CTR_drop_rec_copy) {
      n_drop_interval += d;
      n_drop_total += t;
    }
    drops += std::string(drops.size() > 1 ? "," : "") + json_str(shm::counter_name(i)) + ":" + std::to_string(d);
    drops_total += std::string(drops_total.size() > 1 ? "," : "") + json_str(shm::counter_name(i)) + ":" +
                   std::to_string(t);
  }
  drops += "}";
  drops_total += "}";
  uint64_t bad = 0;
  Json v;
  v.u64("recovered", r.recovered);
  for (int i = 1; i < 5; i++) {
    bad += r.bad_frames[i];
    v.u64(kVerdictNames[i], r.bad_frames[i]);
  }
  v.u64("mbufs_lost", r.mbufs_lost);

  const uint32_t n = fc.n_flows;
  const uint64_t n_actions = uint64_t{n} + dp::FlowTable::kActionSlack;
  const uint64_t private_arrays = n_actions * (sizeof(dp::FlowAction) + sizeof(uint32_t)) +
                                  uint64_t{n} * (sizeof(dp::FlowDyn) + sizeof(dp::FlowKey)) + 2 * ((n + 63) / 64 * 8);
  Json m;
  m.u64("region_bytes", r.region_bytes)
      .num("region_bytes_per_flow", double(r.region_bytes) / n, "%.1f")
      .u64("shm_flow_slot_bytes", sizeof(rtpgate_shm_flow_slot))
      .u64("flow_action_bytes", sizeof(dp::FlowAction))
      .u64("flow_dyn_bytes", sizeof(dp::FlowDyn))
      .u64("flow_key_bytes", sizeof(dp::FlowKey))
      .u64("lookup_bytes", r.lookup_bytes)
      .num("lookup_bytes_per_flow", double(r.lookup_bytes) / n, "%.1f")
      .u64("private_bytes", private_arrays + r.lookup_bytes)
      .num("private_bytes_per_flow", double(private_arrays + r.lookup_bytes) / n, "%.1f")
      .u64("dp_heap_bytes", r.dp_heap_bytes);

  // Every injected frame back intact proves none of them was dropped at any time; drops
  // outside the measured interval may be the data plane's own traffic (e.g. address
  // announcements looping back), so they are reported but do not fail the run.
  const bool ok = r.error.empty() && r.installed == n && tx > 0 && r.rec_failed == 0 && n_drop_interval == 0 && bad == 0 &&
                  r.mbufs_lost == 0 && (r.recovered == 0 || r.recovered == r.inflight);
  const double rec_frames = double(r.rec_t1.ctr[RTPGATE_CTR_rec_frames] - r.rec_t0.ctr[RTPGATE_CTR_rec_frames]);
  const double rec_bytes =
      double(r.rec_t1.ctr[RTPGATE_CTR_rec_write_bytes] - r.rec_t0.ctr[RTPGATE_CTR_rec_write_bytes]);
  const uint64_t copies = r.t1.ctr[RTPGATE_CTR_rec_copies] - r.t0.ctr[RTPGATE_CTR_rec_copies];
  const uint64_t lost = r.t1.ctr[RTPGATE_CTR_drop_rec_copy] - r.t0.ctr[RTPGATE_CTR_drop_rec_copy];
  Json rec;
  rec.u64("record_pct", fc.record_pct)
      .u64("recordings", r.rec_started)
      .u64("rec_failed", r.rec_failed)
      .u64("copies", copies)
      .u64("copies_lost", lost)
      .num("copies_lost_pct", copies + lost ? 100.0 * double(lost) / double(copies + lost) : 0, "%.2f")
      .num("written_pps", secs > 0 ? rec_frames / secs : 0, "%.0f")
      .num("written_mbytes_per_s", secs > 0 ? rec_bytes / secs / 1e6 : 0, "%.1f")
      .u64("write_drops", r.rec_total.ctr[RTPGATE_CTR_drop_rec_write])
      .u64("files_opened", r.rec_total.ctr[RTPGATE_CTR_rec_opened])
      .u64("files_closed", r.rec_total.ctr[RTPGATE_CTR_rec_closed]);
  Json j;
  j.str("bench", "rtpgate-loop")
      .str("label", label)
      .str("cpu", cpu_model())
      .u64("lcore", rte_get_main_lcore())
      .boolean("hugepages", rte_eal_has_hugepages() != 0)
      .u64("tsc_hz", r.tsc_hz)
      .u64("flows", n)
      .u64("addrs", fc.n_addrs())
      .boolean("rewrite", fc.rewrite)
      .u64("pkt_size", pkt_size)
      .u64("burst", burst)
      .u64("inflight", r.inflight)
      .u64("inflight_requested", r.inflight_requested)
      .u64("ring_capacity", r.ring_capacity)
      .boolean("ctl_cpu_shared", r.ctl_cpu_shared)
      .u64("publish_ms", r.publish_ms)
      .u64("installed", r.installed)
      .u64("install_failed", r.install_failed)
      .num("install_s", r.install_s, "%.3f")
      .num("installs_per_s", r.install_s > 0 ? r.installed / r.install_s : 0, "%.0f")
      .num("warmup_s", warmup_s)
      .num("seconds", secs, "%.3f")
      .num("seconds_requested", seconds)
      .u64("rx_pkts", rx)
      .u64("tx_pkts", tx)
      .u64("rx_pkts_whole_run", r.total.ctr[RTPGATE_CTR_rx_pkts])
      .num("mpps", mpps, "%.3f")
      .num("mpps_median", median(r.window_mpps), "%.3f")
      .num("mpps_max", r.window_mpps.empty() ? 0 : *std::max_element(r.window_mpps.begin(), r.window_mpps.end()),
           "%.3f")
      .raw("window_mpps", list(r.window_mpps))
      .num("tsc_cycles_per_pkt", tx ? double(dtsc) / double(tx) : 0, "%.2f")
      .num("busy_cycles_per_pkt", tx ? double(r.t1.busy_tsc - r.t0.busy_tsc) / double(tx) : 0, "%.2f")
      .raw("core_cycles_per_pkt", r.pmu_ok && tx ? fmt("%.2f", double(r.core_cycles) / double(tx)) : "null")
      .raw("instructions_per_pkt", r.pmu_ok && tx ? fmt("%.2f", double(r.instructions) / double(tx)) : "null")
      .raw("ipc", r.pmu_ok && r.core_cycles ? fmt("%.2f", double(r.instructions) / double(r.core_cycles)) : "null")
      .num("pkts_per_burst", bursts ? double(rx) / double(bursts) : 0, "%.2f")
      .u64("idle_polls", r.t1.ctr[RTPGATE_CTR_idle_polls] - r.t0.ctr[RTPGATE_CTR_idle_polls])
      .raw("drops", drops)
      .raw("drops_whole_run", drops_total)
      .raw("recording", rec.done())
      .raw("verify", v.done())
      .raw("memory", m.done())
      .boolean("ok", ok)
      .str("error", r.error);
  std::printf("%s\n", j.done().c_str());
  std::fflush(stdout);
  std::fprintf(stderr,
               "rtpgate-loop-bench: %u flows: %.2f Mpps, %.1f TSC cycles/pkt, %llu drops (%llu in the whole run), "
               "%llu bad frames, "
               "install %.2f s%s%s\n",
               n, mpps, tx ? double(dtsc) / double(tx) : 0, static_cast<unsigned long long>(n_drop_interval),
               static_cast<unsigned long long>(n_drop_total),
               static_cast<unsigned long long>(bad), r.install_s, r.error.empty() ? "" : ": ", r.error.c_str());
  return ok;
}

}  // namespace rtpgate::perf
