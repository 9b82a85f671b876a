#include "config.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <libconfig.h>
#include <net/if.h>
#include <netinet/in.h>

#include <cstdio>
#include <cstring>
#include <memory>

#include "log.h"

namespace rtpgate::ctl {
namespace {

struct ConfigDeleter {
  void operator()(config_t* c) const noexcept {
    config_destroy(c);
    delete c;
  }
};
using ConfigPtr = std::unique_ptr<config_t, ConfigDeleter>;

std::string where(const config_setting_t* s, const char* key) {
  char b[256];
  std::snprintf(b, sizeof b, "%s:%d: %s", s && config_setting_source_file(s) ? config_setting_source_file(s) : "?",
                s ? static_cast<int>(config_setting_source_line(s)) : 0, key);
  return b;
}

// jcfg values are strings or numbers or booleans; Janus accepts "yes"/"true" strings too.
bool get_string(const config_setting_t* g, const char* key, std::string* out) {
  const config_setting_t* s = config_setting_get_member(g, key);
  if (s == nullptr) return false;
  switch (config_setting_type(s)) {
    case CONFIG_TYPE_STRING: *out = config_setting_get_string(s); return true;
    case CONFIG_TYPE_INT: *out = std::to_string(config_setting_get_int(s)); return true;
    case CONFIG_TYPE_INT64: *out = std::to_string(config_setting_get_int64(s)); return true;
    case CONFIG_TYPE_BOOL: *out = config_setting_get_bool(s) ? "true" : "false"; return true;
    default: return false;
  }
}

bool parse_bool(const std::string& v, bool* out) {
  if (v == "true" || v == "yes" || v == "1") return *out = true, true;
  if (v == "false" || v == "no" || v == "0") return *out = false, true;
  return false;
}

bool parse_int(const std::string& v, long long* out) {
  if (v.empty()) return false;
  char* end = nullptr;
  *out = std::strtoll(v.c_str(), &end, 10);
  return end != nullptr && *end == '\0';
}

class Reader {
 public:
  explicit Reader(const config_setting_t* g) : g_(g) {}
  bool str(const char* key, std::string* out) { return get_string(g_, key, out), true; }
  bool boolean(const char* key, bool* out, std::string* why) {
    std::string v;
    if (!get_string(g_, key, &v)) return true;
    if (parse_bool(v, out)) return true;
    *why = where(config_setting_get_member(g_, key), key) + ": expected true or false, got '" + v + "'";
    return false;
  }
  bool integer(const char* key, long long* out, std::string* why) {
    std::string v;
    if (!get_string(g_, key, &v)) return true;
    if (parse_int(v, out)) return true;
    *why = where(config_setting_get_member(g_, key), key) + ": expected an integer, got '" + v + "'";
    return false;
  }

 private:
  const config_setting_t* g_;
};

bool apply_port_range(const std::string& v, PluginConfig* c, const config_setting_t* g, std::string* why) {
  unsigned lo = 0, hi = 0;
  char tail = 0;
  if (std::sscanf(v.c_str(), "%u-%u%c", &lo, &hi, &tail) != 2 || lo > 65535 || hi > 65535) {
    *why = where(config_setting_get_member(g, "rtp_port_range"), "rtp_port_range") + ": expected min-max, got '" + v + "'";
    return false;
  }
  if (lo > hi) std::swap(lo, hi);   // upstream swaps a reversed range
  if (hi == 0) hi = 65535;
  c->rtp_port_min = static_cast<uint16_t>(lo);
  c->rtp_port_max = static_cast<uint16_t>(hi);
  return true;
}

bool apply(const config_setting_t* g, PluginConfig* c, std::string* why) {
  Reader r(g);
  long long n = 0;
  std::string s;
  r.str("local_ip", &c->local_ip);
  r.str("sdp_ip", &c->sdp_ip);
  r.str("local_media_ip", &c->local_media_ip);
  if (c->sdp_ip.empty() && !c->local_media_ip.empty()) c->sdp_ip = c->local_media_ip;
  n = -1;
  if (!r.integer("keepalive_interval", &n, why)) return false;
  if (get_string(g, "keepalive_interval", &s)) c->keepalive_interval = n < 0 ? 120 : static_cast<uint32_t>(n);
  if (!r.boolean("behind_nat", &c->behind_nat, why)) return false;
  r.str("user_agent", &c->user_agent);
  n = 3600;
  if (!r.integer("register_ttl", &n, why)) return false;
  c->register_ttl = n <= 0 ? 3600 : static_cast<uint32_t>(n);
  if (get_string(g, "rtp_port_range", &s) && !apply_port_range(s, c, g, why)) return false;
  if (!r.boolean("events", &c->events, why)) return false;
  n = 0;
  if (!r.integer("dscp_audio_rtp", &n, why)) return false;
  if (n < 0 || n > 63) return *why = where(config_setting_get_member(g, "dscp_audio_rtp"), "dscp_audio_rtp") + ": 0..63", false;
  c->dscp_audio_rtp = static_cast<uint8_t>(n);
  n = 0;
  if (!r.integer("dscp_video_rtp", &n, why)) return false;
  if (n < 0 || n > 63) return *why = where(config_setting_get_member(g, "dscp_video_rtp"), "dscp_video_rtp") + ": 0..63", false;
  c->dscp_video_rtp = static_cast<uint8_t>(n);
  r.str("sips_certs_dir", &c->sips_certs_dir);
  n = 32000;
  if (!r.integer("sip_timer_t1x64", &n, why)) return false;
  c->sip_timer_t1x64 = n < 1 ? 32000 : static_cast<uint32_t>(n);

  r.str("package", &c->package);
  r.str("rtpgate_shm", &c->shm_name);
  n = c->cmd_timeout_ms;
  if (!r.integer("rtpgate_cmd_timeout_ms", &n, why)) return false;
  if (n < 10 || n > 60000) return *why = where(config_setting_get_member(g, "rtpgate_cmd_timeout_ms"), "rtpgate_cmd_timeout_ms") + ": 10..60000", false;
  c->cmd_timeout_ms = static_cast<uint32_t>(n);
  if (get_string(g, "compat", &s)) {
    if (s == "1.1.2") c->compat = Compat::V1_1_2;
    else if (s == "head") c->compat = Compat::Head;
    else return *why = where(config_setting_get_member(g, "compat"), "compat") + ": expected \"1.1.2\" or \"head\", got '" + s + "'", false;
  }
  n = c->nofile_limit;
  if (!r.integer("nofile_limit", &n, why)) return false;
  c->nofile_limit = n < 0 ? 0 : static_cast<uint32_t>(n);
  return true;
}

}  // namespace

bool load_config(const std::string& folder, const std::string& package, PluginConfig* out, std::string* why) {
  *out = PluginConfig{};
  out->package = package;
  std::string path = folder + "/" + package + ".jcfg";
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) {
    path = folder + "/" + package + ".cfg";
    f = std::fopen(path.c_str(), "r");
  }
  if (f == nullptr) {
    log(Log::Warn, "no %s/%s.jcfg: using defaults", folder.c_str(), package.c_str());
    return true;
  }
  std::fclose(f);
  ConfigPtr cfg(new config_t);
  config_init(cfg.get());
  // By name, so that every setting knows its file (messages say "FILE:LINE: key").
  const int ok = config_read_file(cfg.get(), path.c_str());
  if (ok != CONFIG_TRUE) {
    *why = path + ":" + std::to_string(config_error_line(cfg.get())) + ": " + config_error_text(cfg.get());
    return false;
  }
  config_set_auto_convert(cfg.get(), CONFIG_TRUE);
  const config_setting_t* g = config_lookup(cfg.get(), "general");
  if (g == nullptr) return true;
  // A file read at all means user_agent keeps its documented default (spec §14).
  return apply(g, out, why);
}

std::string resolve_local_ip(const std::string& configured) {
  in_addr a4{};
  in6_addr a6{};
  if (!configured.empty() && (inet_pton(AF_INET, configured.c_str(), &a4) == 1 ||
                              inet_pton(AF_INET6, configured.c_str(), &a6) == 1))
    return configured;
  ifaddrs* ifs = nullptr;
  std::string found;
  if (getifaddrs(&ifs) == 0) {
    for (ifaddrs* i = ifs; i != nullptr && found.empty(); i = i->ifa_next) {
      if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
      const bool named = !configured.empty() && configured == i->ifa_name;
      if (!named && (!configured.empty() || (i->ifa_flags & IFF_LOOPBACK))) continue;
      char b[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, b, sizeof b);
      found = b;
    }
    freeifaddrs(ifs);
  }
  if (!configured.empty() && found.empty())
    log(Log::Warn, "local_ip '%s' is neither an address nor an interface: autodetecting", configured.c_str());
  if (found.empty() && !configured.empty()) return resolve_local_ip("");
  return found.empty() ? "127.0.0.1" : found;
}

}  // namespace rtpgate::ctl
