#include "region_metrics.h"

#include <arpa/inet.h>

#include <string_view>

#include "prom_text.h"
#include "rtpgate/shm/bitmap.h"
#include "rtpgate/shm/counter_names.h"
#include "rtpgate/shm/flow_snapshot.h"
#include "rtpgate/shm/live_setting_values.h"
#include "rtpgate/shm/seqlock.h"

namespace rtpgate::exporter {
namespace {

std::string addr_text(const rtpgate_shm_addr& a) {
  char buf[INET6_ADDRSTRLEN] = "?";
  inet_ntop(a.family == 6 ? AF_INET6 : AF_INET, a.addr, buf, sizeof buf);
  return buf;
}

const char* role_name(uint32_t role) {
  return role == 1 ? "worker" : role == 2 ? "housekeeping" : role == 3 ? "exception" : nullptr;
}

double age_s(uint64_t now_ns, uint64_t then_ns) {
  return then_ns == 0 || now_ns < then_ns ? 0.0 : static_cast<double>(now_ns - then_ns) / 1e9;
}

void liveness(PromText& t, const rtpgate_shm_header& h) {
  const uint64_t now = shm::monotonic_ns();
  const uint32_t state = __atomic_load_n(&h.dp_state, __ATOMIC_ACQUIRE);
  t.family("rtpgate_dataplane_state", "gauge", "data-plane state (1 on the current one)");
  for (uint32_t s = 0; s < 3; s++)
    t.sample({{"state", s == RTPGATE_DP_STARTING ? "starting" : s == RTPGATE_DP_RUNNING ? "running" : "stopped"}},
             state == s ? 1 : 0);
  t.family("rtpgate_dataplane_generation", "gauge", "generation of the data plane (changes on every start)");
  t.sample(static_cast<double>(__atomic_load_n(&h.generation, __ATOMIC_ACQUIRE)));
  t.family("rtpgate_dataplane_heartbeat_age_seconds", "gauge", "time since the data plane's last heartbeat");
  t.sample(age_s(now, __atomic_load_n(&h.heartbeat_ns, __ATOMIC_ACQUIRE)));
  t.family("rtpgate_control_attached", "gauge", "a control plane (the Janus plugin) holds the region (its pid is set)");
  t.sample(__atomic_load_n(&h.control_pid, __ATOMIC_ACQUIRE) != 0 ? 1 : 0);
  t.family("rtpgate_control_heartbeat_age_seconds", "gauge", "time since the control plane's last heartbeat");
  t.sample(age_s(now, __atomic_load_n(&h.control_heartbeat_ns, __ATOMIC_ACQUIRE)));
  t.family("rtpgate_layout_info", "gauge", "shared-memory layout version of the region");
  t.sample({{"version", std::to_string(h.layout_major) + "." + std::to_string(h.layout_minor)}}, 1);
}

// Flow slots by state: allocated by control, installed (active/idle) by the data plane.
void flows(PromText& t, const shm::Region& r) {
  const rtpgate_shm_header& h = *r.hdr();
  const uint64_t* bm = r.flow_bitmap();
  uint64_t allocated = 0, active = 0, idle = 0;
  for (uint32_t w = 0; w < (h.flow_capacity + 63) / 64; w++) {
    for (uint64_t bits = bm[w]; bits != 0; bits &= bits - 1) {
      const uint32_t id = w * 64 + static_cast<uint32_t>(__builtin_ctzll(bits));
      if (id >= h.flow_capacity) break;
      allocated++;
      rtpgate_shm_flow_counters c;
      if (!shm::read_flow_counters(r.flow(id).counters, &c)) continue;
      active += c.state == 1;
      idle += c.state == 2;
    }
  }
  t.family("rtpgate_flows_capacity", "gauge", "flow slots in the region");
  t.sample(h.flow_capacity);
  t.family("rtpgate_flows", "gauge", "flow slots by state (allocated = taken by control; active/idle = installed "
                                     "in the data plane, idle past its timeout; free = not allocated)");
  t.sample({{"state", "allocated"}}, static_cast<double>(allocated));
  t.sample({{"state", "active"}}, static_cast<double>(active));
  t.sample({{"state", "idle"}}, static_cast<double>(idle));
  t.sample({{"state", "free"}}, static_cast<double>(h.flow_capacity - allocated));
}

void ports_and_tables(PromText& t, const shm::Region& r) {
  const rtpgate_shm_header& h = *r.hdr();
  const uint32_t n_ports = h.port_max >= h.port_min ? uint32_t{h.port_max} - h.port_min + 1 : 0;
  t.family("rtpgate_ports_capacity", "gauge", "relay ports per media address");
  t.sample(n_ports);
  t.family("rtpgate_ports_free", "gauge", "relay ports not allocated, per media address");
  for (uint32_t i = 0; i < h.n_addrs && i < RTPGATE_SHM_MAX_ADDRS; i++)
    t.sample({{"address", addr_text(h.addrs[i])}}, static_cast<double>(n_ports - shm::count_bits(r.port_bitmap(i), n_ports)));
  const struct {
    const char* what;
    uint32_t cap;
    const uint64_t* bm;
  } tables[] = {{"srtp", h.srtp_capacity, h.srtp_capacity ? r.srtp_bitmap() : nullptr},
                {"recording", h.rec_capacity, h.rec_capacity ? r.rec_bitmap() : nullptr}};
  t.family("rtpgate_entries_capacity", "gauge", "usable entries of the region's tables (SRTP contexts, recordings)");
  for (const auto& tb : tables) t.sample({{"table", tb.what}}, tb.cap > 0 ? tb.cap - 1 : 0);  // entry 0 unused
  t.family("rtpgate_entries_used", "gauge", "entries in use in the region's tables");
  for (const auto& tb : tables) t.sample({{"table", tb.what}}, tb.bm ? static_cast<double>(shm::count_bits(tb.bm, tb.cap)) : 0);
}

void rings(PromText& t, const shm::Region& r) {
  const rtpgate_shm_header& h = *r.hdr();
  t.family("rtpgate_ring_depth", "gauge", "entries waiting in the command, completion and event rings");
  t.sample({{"ring", "command"}}, static_cast<double>(r.cmd_ring().depth()));
  t.sample({{"ring", "completion"}}, static_cast<double>(r.cpl_ring().depth()));
  t.sample({{"ring", "event"}}, static_cast<double>(r.evt_ring().depth()));
  t.family("rtpgate_ring_capacity", "gauge", "size of the command, completion and event rings");
  t.sample({{"ring", "command"}}, h.cmd_ring_capacity);
  t.sample({{"ring", "completion"}}, h.cpl_ring_capacity);
  t.sample({{"ring", "event"}}, h.evt_ring_capacity);
  uint64_t to_ctl = 0, to_dp = 0;
  for (uint32_t i = 0; i < h.n_pkt_rings_to_ctl && i < RTPGATE_SHM_MAX_PKT_RINGS; i++) to_ctl += r.pkt_ring_to_ctl(i).depth();
  for (uint32_t i = 0; i < h.n_pkt_rings_to_dp && i < RTPGATE_SHM_MAX_PKT_RINGS; i++) to_dp += r.pkt_ring_to_dp(i).depth();
  t.family("rtpgate_packet_ring_depth", "gauge", "packets waiting in the packet rings between data plane and control");
  t.sample({{"direction", "to_control"}}, static_cast<double>(to_ctl));
  t.sample({{"direction", "to_dataplane"}}, static_cast<double>(to_dp));
}

// Every per-lcore counter as its own family (help from counters.def), one sample per
// lcore; the drop reasons once more as one family of totals, for alerting.
void lcore_counters(PromText& t, const shm::Region& r) {
  const rtpgate_shm_header& h = *r.hdr();
  const uint32_t n = h.n_lcore_stats < RTPGATE_SHM_MAX_LCORES ? h.n_lcore_stats : RTPGATE_SHM_MAX_LCORES;
  uint64_t total[RTPGATE_CTR_COUNT] = {};
  t.family("rtpgate_lcore_loops_total", "counter", "loop iterations of each data-plane thread");
  for (uint32_t i = 0; i < n; i++) {
    const rtpgate_shm_lcore_stats& s = r.lcore_stats(i);
    if (role_name(s.role) == nullptr) continue;
    t.sample({{"lcore", std::to_string(static_cast<int32_t>(s.lcore_id))}, {"role", role_name(s.role)}},
             static_cast<double>(__atomic_load_n(&s.loops, __ATOMIC_RELAXED)));
  }
  for (int c = 0; c < RTPGATE_CTR_COUNT; c++) {
    t.family(std::string("rtpgate_") + shm::kCounterInfo[c].name + "_total", "counter", shm::kCounterInfo[c].help);
    for (uint32_t i = 0; i < n; i++) {
      const rtpgate_shm_lcore_stats& s = r.lcore_stats(i);
      if (role_name(s.role) == nullptr) continue;
      const uint64_t v = __atomic_load_n(&s.ctr[c], __ATOMIC_RELAXED);
      total[c] += v;
      t.sample({{"lcore", std::to_string(static_cast<int32_t>(s.lcore_id))}, {"role", role_name(s.role)}},
               static_cast<double>(v));
    }
  }
  t.family("rtpgate_dropped_packets_total", "counter",
           "packets dropped by the data plane, all threads together, by reason (the drop_* counters)");
  for (int c = 0; c < RTPGATE_CTR_COUNT; c++) {
    const std::string_view name = shm::counter_name(c);
    if (name.substr(0, 5) == "drop_") t.sample({{"reason", std::string(name.substr(5))}}, static_cast<double>(total[c]));
  }
}

// Configuration reloads and the run-time settings in force (configuration block), and the
// SIP guard's rule set (guard block status).
void reload_status(PromText& t, const shm::Region& r) {
  rtpgate_shm_config_block c;
  shm::seq_read(&r.config().seq, &c, &r.config(), sizeof c);
  t.family("rtpgate_config_generation", "gauge", "configuration generation (1 at start, +1 per reload that changed a setting)");
  t.sample(static_cast<double>(c.config_gen));
  t.family("rtpgate_config_reloads_total", "counter", "configuration reloads by outcome (refused: the settings in force stayed)");
  t.sample({{"result", "applied"}}, static_cast<double>(c.reloads - c.reload_failures));
  t.sample({{"result", "refused"}}, static_cast<double>(c.reload_failures));
  t.family("rtpgate_config_last_reload_ok", "gauge", "1 unless the last configuration reload was refused");
  t.sample(c.last_errc == 0 ? 1 : 0);
  t.family("rtpgate_config_setting", "gauge", "run-time settings in force (the data plane's configuration keys)");
  for (const auto& [key, v] : shm::live_setting_values(c.live)) t.sample({{"key", key}}, v);
  t.sample({{"key", "log_level"}}, c.live.log_level);
  rtpgate_shm_guard_block g;
  shm::seq_read(&r.guard().seq, &g, &r.guard(), offsetof(rtpgate_shm_guard_block, rules));
  t.family("rtpgate_sip_guard_rules", "gauge", "rules of the SIP guard's rule set in force (0 with the guard off)");
  t.sample(g.state == RTPGATE_GUARD_ON ? g.n_rules : 0);
  t.family("rtpgate_sip_guard_reloads_total", "counter", "SIP guard rule-file reloads by outcome");
  t.sample({{"result", "applied"}}, static_cast<double>(g.reloads - g.reload_failures));
  t.sample({{"result", "refused"}}, static_cast<double>(g.reload_failures));
}

}  // namespace

std::string render_metrics(const shm::Region* r, const ExporterState& st) {
  PromText t;
  t.family("rtpgate_exporter_scrapes_total", "counter", "scrapes served by this exporter");
  t.sample(static_cast<double>(st.scrapes));
  t.family("rtpgate_exporter_attaches_total", "counter", "data-plane regions attached (1 + data-plane restarts seen)");
  t.sample(static_cast<double>(st.attaches));
  bool up = false;
  if (r != nullptr) {
    const rtpgate_shm_header& h = *r->hdr();
    const uint64_t hb = __atomic_load_n(&h.heartbeat_ns, __ATOMIC_ACQUIRE);
    up = __atomic_load_n(&h.dp_state, __ATOMIC_ACQUIRE) == RTPGATE_DP_RUNNING &&
         shm::monotonic_ns() - hb <= st.max_heartbeat_age_ms * 1000000ull;
  }
  t.family("rtpgate_up", "gauge", "1 when the exporter is attached to a running data plane with a fresh heartbeat");
  t.sample(up ? 1 : 0);
  if (r == nullptr) return t.text();
  liveness(t, *r->hdr());
  flows(t, *r);
  ports_and_tables(t, *r);
  rings(t, *r);
  reload_status(t, *r);
  lcore_counters(t, *r);
  return t.text();
}

}  // namespace rtpgate::exporter
