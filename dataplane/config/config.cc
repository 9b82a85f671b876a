// key = value configuration parser for rtpgate-dataplane (start-up only).
#include "config/config.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace rtpgate::dp {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> split_ws(const std::string& s) {
  std::vector<std::string> v;
  std::istringstream is(s);
  std::string w;
  while (is >> w) v.push_back(w);
  return v;
}

template <typename T>
bool parse_uint(const std::string& s, T* out, uint64_t lo, uint64_t hi) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi) return false;
  *out = static_cast<T>(v);
  return true;
}

bool parse_cidr(const std::string& s, MediaAddr* out) {
  const auto slash = s.find('/');
  if (!parse_ip(s.substr(0, slash), &out->addr)) return false;
  const uint64_t max = out->addr.family == 4 ? 32 : 128;
  out->prefix_len = static_cast<uint8_t>(max);
  if (slash == std::string::npos) return true;
  return parse_uint(s.substr(slash + 1), &out->prefix_len, 1, max);
}

// "port = ID addr=IP/LEN [addr=...] [gw=IP]"
bool parse_port(const std::string& v, Config* c, std::string* why) {
  auto words = split_ws(v);
  PortConfig pc;
  if (words.empty() || !parse_uint(words[0], &pc.port_id, 0, 1023)) return *why = "expected a port id", false;
  for (size_t i = 1; i < words.size(); i++) {
    const auto& w = words[i];
    if (w.rfind("addr=", 0) == 0) {
      MediaAddr ma;
      if (!parse_cidr(w.substr(5), &ma)) return *why = "bad address " + w.substr(5), false;
      pc.addrs.push_back(ma);
    } else if (w.rfind("tap=", 0) == 0) {
      pc.tap = w.substr(4);
      if (pc.tap.empty() || pc.tap.size() > 15) return *why = "tap= needs an interface name of 1..15 characters", false;
    } else if (w.rfind("gw=", 0) == 0) {
      if (!parse_ip(w.substr(3), &pc.gateway)) return *why = "bad gateway " + w.substr(3), false;
    } else {
      return *why = "unknown port attribute " + w, false;
    }
  }
  if (pc.addrs.empty()) return *why = "a port needs at least one addr=", false;
  c->ports.push_back(pc);
  return true;
}

bool parse_neighbour(const std::string& v, Config* c, std::string* why) {
  auto words = split_ws(v);
  StaticNeighbour n;
  if (words.size() != 2 || !parse_ip(words[0], &n.addr) || !parse_mac(words[1], n.mac))
    return *why = "expected 'IP MAC'", false;
  c->neighbours.push_back(n);
  return true;
}

bool set_key(const std::string& key, const std::string& val, Config* c, std::string* why) {
  auto num = [&](auto* field, uint64_t lo, uint64_t hi) {
    if (parse_uint(val, field, lo, hi)) return true;
    *why = "expected an integer in " + std::to_string(lo) + ".." + std::to_string(hi);
    return false;
  };
  if (key == "shm_name") {
    if (val.empty() || val[0] != '/' || val.find('/', 1) != std::string::npos)
      return *why = "must look like /name", false;
    c->shm_name = val;
    return true;
  }
  if (key == "shm_group") return c->shm_group = val, true;
  if (key == "port") return parse_port(val, c, why);
  if (key == "neighbour") return parse_neighbour(val, c, why);
  if (key == "port_min") return num(&c->port_min, 1024, 65534);
  if (key == "port_max") return num(&c->port_max, 1025, 65535);
  if (key == "flow_capacity") return num(&c->flow_capacity, 2, 1u << 24);
  if (key == "srtp_capacity") return num(&c->srtp_capacity, 0, 1u << 24);
  if (key == "burst_pkts") return num(&c->burst_pkts, 1, 64);
  if (key == "mbufs") return num(&c->mbufs, 1023, 1u << 24);
  if (key == "mbuf_cache") return num(&c->mbuf_cache, 0, 512);
  if (key == "rx_desc") return num(&c->rx_desc, 64, 16384);
  if (key == "tx_desc") return num(&c->tx_desc, 64, 16384);
  if (key == "idle_sleep_max_us") return num(&c->idle_sleep_max_us, 1, 100000);
  if (key == "drain_us") return num(&c->drain_us, 1, 1000);
  if (key == "heartbeat_interval_ms") return num(&c->heartbeat_interval_ms, 10, 10000);
  if (key == "publish_interval_ms") return num(&c->publish_interval_ms, 10, 60000);
  if (key == "cmd_ring_capacity") return num(&c->cmd_ring_capacity, 16, 1u << 20);
  if (key == "cpl_ring_capacity") return num(&c->cpl_ring_capacity, 16, 1u << 20);
  if (key == "pkt_ring_capacity") return num(&c->pkt_ring_capacity, 16, 1u << 16);
  if (key == "pkt_rings_to_dp") return num(&c->n_pkt_rings_to_dp, 0, 32);
  if (key == "max_cmds_per_poll") return num(&c->max_cmds_per_poll, 1, 4096);
  if (key == "exception_rate_pps") return num(&c->exception_rate_pps, 1, 100000000);
  if (key == "exception_burst") return num(&c->exception_burst, 1, 1000000);
  if (key == "exception_ring") return num(&c->exception_ring, 64, 1u << 20);
  if (key == "neighbour_max_age_s") return num(&c->neighbour_max_age_s, 1, 86400);
  if (key == "neighbour_retry_ms") return num(&c->neighbour_retry_ms, 10, 60000);
  if (key == "neighbour_probes") return num(&c->neighbour_probes, 1, 100);
  if (key == "resolve_queue") return num(&c->resolve_queue, 16, 1u << 20);
  if (key == "resolve_hold_ms") return num(&c->resolve_hold_ms, 1, 60000);
  if (key == "rec_capacity") return num(&c->rec_capacity, 0, 1u << 22);
  if (key == "rec_threads") return num(&c->rec_threads, 1, 8);
  if (key == "rec_ring") return num(&c->rec_ring, 64, 1u << 20);
  if (key == "rec_mbufs") return num(&c->rec_mbufs, 255, 1u << 24);
  if (key == "rec_buffer_kb") return num(&c->rec_buffer_kb, 4, 4096);
  if (key == "rec_flush_ms") return num(&c->rec_flush_ms, 10, 60000);
  if (key == "pli_min_interval_ms") return num(&c->pli_min_interval_ms, 0, 60000);
  if (key == "control_grace_ms") return num(&c->control_grace_ms, 0, 3600000);
  if (key == "sip_ports") {
    c->sip_ports.clear();
    for (const auto& w : split_ws(val)) {
      uint16_t p = 0;
      if (!parse_uint(w, &p, 1, 65535)) return *why = "expected UDP port numbers", false;
      c->sip_ports.push_back(p);
    }
    return true;
  }
  if (key == "sip_guard") {
    if (val == "on") return c->sip_guard = true, true;
    if (val == "off") return c->sip_guard = false, true;
    return *why = "expected on or off", false;
  }
  if (key == "sip_guard_rules") {
    if (val.empty()) return *why = "expected a rule file path", false;
    return c->sip_guard_rules = val, true;
  }
  if (key == "sip_guard_sources") return num(&c->sip_guard_sources, 64, 1u << 22);
  if (key == "log_level") {
    static const char* const kLevels[] = {"error", "warning", "notice", "info", "debug"};
    for (uint32_t i = 0; i < 5; i++)
      if (val == kLevels[i]) return c->log_level = 4 + i, true;  // RTE_LOG_ERR = 4 .. RTE_LOG_DEBUG = 8
    return *why = "expected error, warning, notice, info or debug", false;
  }
  if (key == "idle_mode") {
    if (val == "adaptive") return c->idle_mode = IdleMode::Adaptive, true;
    if (val == "poll") return c->idle_mode = IdleMode::Poll, true;
    return *why = "expected adaptive or poll", false;
  }
  *why = "unknown key";
  return false;
}

}  // namespace

bool parse_ip(const std::string& s, rtpgate_shm_addr* out) {
  *out = rtpgate_shm_addr{};
  if (inet_pton(AF_INET, s.c_str(), out->addr) == 1) return out->family = 4, true;
  if (inet_pton(AF_INET6, s.c_str(), out->addr) == 1) return out->family = 6, true;
  return false;
}

bool in_prefix(const rtpgate_shm_addr& net, uint8_t len, const rtpgate_shm_addr& a) {
  if (net.family != a.family) return false;
  const uint8_t full = len / 8, rest = len % 8;
  if (std::memcmp(net.addr, a.addr, full) != 0) return false;
  if (rest == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (net.addr[full] & mask) == (a.addr[full] & mask);
}

bool parse_mac(const std::string& s, uint8_t mac[6]) {
  unsigned v[6];
  char tail;
  if (std::sscanf(s.c_str(), "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6)
    return false;
  for (int i = 0; i < 6; i++) {
    if (v[i] > 255) return false;
    mac[i] = static_cast<uint8_t>(v[i]);
  }
  return true;
}

std::string format_ip(const rtpgate_shm_addr& a) {
  char buf[INET6_ADDRSTRLEN] = "?";
  if (a.family == 4) inet_ntop(AF_INET, a.addr, buf, sizeof(buf));
  if (a.family == 6) inet_ntop(AF_INET6, a.addr, buf, sizeof(buf));
  return buf;
}

namespace {

bool apply_line(const std::string& raw, const std::string& origin, Config* out, std::string* why) {
  std::string line = trim(raw.substr(0, raw.find('#')));
  if (line.empty()) return true;
  const auto eq = line.find('=');
  if (eq == std::string::npos) return *why = "expected key = value", false;
  const std::string key = trim(line.substr(0, eq));
  const std::string val = trim(line.substr(eq + 1));
  std::string detail;
  if (!set_key(key, val, out, &detail)) return *why = key + ": " + detail, false;
  out->origin[key] = origin;
  return true;
}

// "line N: key" (or "--set key") for messages about a key's value.
std::string at(const Config& c, const std::string& key) {
  const auto it = c.origin.find(key);
  return it == c.origin.end() ? key : it->second + ": " + key;
}

}  // namespace

bool apply_config_line(const std::string& raw, Config* out, std::string* why) {
  return apply_line(raw, "--set", out, why);
}

bool parse_config(const std::string& text, Config* out, std::string* why) {
  std::istringstream is(text);
  std::string line;
  int n = 0;
  while (std::getline(is, line)) {
    n++;
    const std::string where = "line " + std::to_string(n);
    std::string detail;
    if (!apply_line(line, where, out, &detail)) return *why = where + ": " + detail, false;
  }
  return true;
}

bool read_config(const std::string& path, const std::vector<std::string>& overrides, Config* out,
                 std::string* why) {
  if (!load_config(path, out, why)) return false;
  for (const auto& o : overrides)
    if (!apply_config_line(o, out, why)) return *why = "--set " + *why, false;
  if (!validate_config(*out, why)) return *why = path + ": " + *why, false;
  return true;
}

bool is_runtime_key(const std::string& key) {
  static const char* const kKeys[] = {
      "control_grace_ms",   "pli_min_interval_ms", "heartbeat_interval_ms", "publish_interval_ms",
      "idle_mode",          "idle_sleep_max_us",   "drain_us",              "exception_rate_pps",
      "exception_burst",    "neighbour_max_age_s", "neighbour_retry_ms",    "neighbour_probes",
      "resolve_hold_ms",    "rec_flush_ms",        "log_level"};
  for (const char* k : kKeys)
    if (key == k) return true;
  return false;
}

bool load_config(const std::string& path, Config* out, std::string* why) {
  std::ifstream f(path);
  if (!f) return *why = "cannot read config file " + path, false;
  std::stringstream ss;
  ss << f.rdbuf();
  std::string detail;
  if (!parse_config(ss.str(), out, &detail)) return *why = path + ": " + detail, false;
  return true;
}

bool validate_config(const Config& c, std::string* why) {
  if (c.ports.empty()) return *why = "no 'port = ID addr=IP/LEN' line: the data plane serves no address", false;
  if (c.port_min >= c.port_max || (c.port_min & 1) != 0)
    return *why = at(c, "port_min") + ": must be even and below port_max", false;
  size_t n_addrs = 0;
  for (const auto& p : c.ports) n_addrs += p.addrs.size();
  for (size_t i = 0; i < c.ports.size(); i++)
    for (size_t j = i + 1; j < c.ports.size(); j++)
      if (!c.ports[i].tap.empty() && c.ports[i].tap == c.ports[j].tap)
        return *why = at(c, "port") + ": tap " + c.ports[i].tap + " used by two ports", false;
  const std::pair<const char*, uint32_t> pow2[] = {
      {"exception_ring", c.exception_ring}, {"resolve_queue", c.resolve_queue}, {"rec_ring", c.rec_ring}};
  for (const auto& [key, v] : pow2)
    if ((v & (v - 1)) != 0) return *why = at(c, key) + ": must be a power of two", false;
  if (c.sip_guard && c.sip_guard_rules.empty())
    return *why = at(c, "sip_guard") + " = on needs sip_guard_rules = PATH (see conf/sipguard.rules)", false;
  if (n_addrs > RTPGATE_SHM_MAX_ADDRS)
    return *why = at(c, "port") + ": at most " + std::to_string(RTPGATE_SHM_MAX_ADDRS) + " media addresses", false;
  for (size_t i = 0; i < c.ports.size(); i++)
    for (size_t j = i + 1; j < c.ports.size(); j++)
      if (c.ports[i].port_id == c.ports[j].port_id)
        return *why = at(c, "port") + ": port " + std::to_string(c.ports[i].port_id) + " listed twice", false;
  return true;
}

}  // namespace rtpgate::dp
