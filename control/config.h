// The plugin's configuration: janus.plugin.sip.jcfg (spec §14) plus rtpgate's own keys,
// all in category `general`. Read once at init with libconfig (the jcfg syntax).
#pragma once
#include <cstdint>
#include <string>

namespace rtpgate::ctl {

// Which upstream behaviour the differing defaults follow (spec §17).
enum class Compat { V1_1_2, Head };

struct PluginConfig {
  // spec §14
  std::string local_ip;          // SIP stacks bind here; "" = autodetect
  std::string sdp_ip;            // c= address; "" = the data plane's first media address
  std::string local_media_ip;    // must be one of the data plane's media addresses when set
  uint32_t keepalive_interval = 120;
  bool behind_nat = false;
  std::string user_agent = "Janus WebRTC Server SIP Plugin 0.0.10";
  uint32_t register_ttl = 3600;
  uint16_t rtp_port_min = 10000, rtp_port_max = 60000;
  bool events = true;
  uint8_t dscp_audio_rtp = 0, dscp_video_rtp = 0;
  std::string sips_certs_dir;
  uint32_t sip_timer_t1x64 = 32000;

  // rtpgate
  std::string package = "janus.plugin.sip";
  std::string shm_name = "/rtpgate";   // the data plane's region
  uint32_t cmd_timeout_ms = 1000;      // wait for a data-plane completion
  Compat compat = Compat::V1_1_2;      // `compat = "1.1.2" | "head"`
  uint32_t nofile_limit = 65536;       // RLIMIT_NOFILE raised to at least this
};

// Reads <folder>/<package>.jcfg (falls back to .cfg, absent file = defaults).
// False + *why ("file:line: key: problem") on a syntax error or a bad value.
bool load_config(const std::string& folder, const std::string& package, PluginConfig* out,
                 std::string* why);

// Picks the first non-loopback IPv4 address of this host ("127.0.0.1" if none);
// also resolves an interface name given as local_ip.
std::string resolve_local_ip(const std::string& configured);

}  // namespace rtpgate::ctl
