// Configuration differences for reloads (see config_diff.h).
#include "config/config_diff.h"

#include <cstdio>

namespace rtpgate::dp {
namespace {

std::string mac_text(const uint8_t m[6]) {
  char b[18];
  std::snprintf(b, sizeof b, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
  return b;
}

std::string ports_text(const std::vector<PortConfig>& ports) {
  std::string s;
  for (const auto& p : ports) {
    if (!s.empty()) s += "; ";
    s += std::to_string(p.port_id);
    for (const auto& a : p.addrs) s += " addr=" + format_ip(a.addr) + "/" + std::to_string(a.prefix_len);
    if (p.gateway.family != 0) s += " gw=" + format_ip(p.gateway);
    if (!p.tap.empty()) s += " tap=" + p.tap;
  }
  return s;
}

std::string neighbours_text(const std::vector<StaticNeighbour>& ns) {
  std::string s;
  for (const auto& n : ns) s += (s.empty() ? "" : "; ") + format_ip(n.addr) + " " + mac_text(n.mac);
  return s;
}

std::string list_text(const std::vector<uint16_t>& v) {
  std::string s;
  for (const uint16_t p : v) s += (s.empty() ? "" : " ") + std::to_string(p);
  return s;
}

}  // namespace

std::map<std::string, std::string> describe_config(const Config& c) {
  auto n = [](uint64_t v) { return std::to_string(v); };
  return {
      {"shm_name", c.shm_name},
      {"shm_group", c.shm_group},
      {"port", ports_text(c.ports)},
      {"neighbour", neighbours_text(c.neighbours)},
      {"port_min", n(c.port_min)},
      {"port_max", n(c.port_max)},
      {"flow_capacity", n(c.flow_capacity)},
      {"srtp_capacity", n(c.srtp_capacity)},
      {"burst_pkts", n(c.burst_pkts)},
      {"mbufs", n(c.mbufs)},
      {"mbuf_cache", n(c.mbuf_cache)},
      {"rx_desc", n(c.rx_desc)},
      {"tx_desc", n(c.tx_desc)},
      {"idle_mode", c.idle_mode == IdleMode::Adaptive ? "adaptive" : "poll"},
      {"idle_sleep_max_us", n(c.idle_sleep_max_us)},
      {"drain_us", n(c.drain_us)},
      {"heartbeat_interval_ms", n(c.heartbeat_interval_ms)},
      {"publish_interval_ms", n(c.publish_interval_ms)},
      {"cmd_ring_capacity", n(c.cmd_ring_capacity)},
      {"cpl_ring_capacity", n(c.cpl_ring_capacity)},
      {"pkt_ring_capacity", n(c.pkt_ring_capacity)},
      {"pkt_rings_to_dp", n(c.n_pkt_rings_to_dp)},
      {"max_cmds_per_poll", n(c.max_cmds_per_poll)},
      {"exception_rate_pps", n(c.exception_rate_pps)},
      {"exception_burst", n(c.exception_burst)},
      {"exception_ring", n(c.exception_ring)},
      {"sip_ports", list_text(c.sip_ports)},
      {"sip_guard", c.sip_guard ? "on" : "off"},
      {"sip_guard_rules", c.sip_guard_rules},
      {"sip_guard_sources", n(c.sip_guard_sources)},
      {"neighbour_max_age_s", n(c.neighbour_max_age_s)},
      {"neighbour_retry_ms", n(c.neighbour_retry_ms)},
      {"neighbour_probes", n(c.neighbour_probes)},
      {"resolve_queue", n(c.resolve_queue)},
      {"resolve_hold_ms", n(c.resolve_hold_ms)},
      {"rec_capacity", n(c.rec_capacity)},
      {"rec_threads", n(c.rec_threads)},
      {"rec_ring", n(c.rec_ring)},
      {"rec_mbufs", n(c.rec_mbufs)},
      {"rec_buffer_kb", n(c.rec_buffer_kb)},
      {"rec_flush_ms", n(c.rec_flush_ms)},
      {"pli_min_interval_ms", n(c.pli_min_interval_ms)},
      {"control_grace_ms", n(c.control_grace_ms)},
      {"log_level", c.log_level == 0 ? "eal" : n(c.log_level)},
  };
}

std::vector<KeyChange> diff_config(const Config& running, const Config& next) {
  const auto before = describe_config(running);
  const auto after = describe_config(next);
  std::vector<KeyChange> out;
  for (const auto& [key, value] : after) {
    const auto it = before.find(key);
    if (it != before.end() && it->second == value) continue;
    const auto o = next.origin.find(key);
    out.push_back({key, it == before.end() ? "" : it->second, value,
                   o == next.origin.end() ? "default" : o->second, is_runtime_key(key)});
  }
  return out;
}

std::string format_change(const KeyChange& k) {
  return k.origin + ": " + k.key + " " + (k.before.empty() ? "\"\"" : k.before) + " -> " +
         (k.after.empty() ? "\"\"" : k.after);
}

}  // namespace rtpgate::dp
