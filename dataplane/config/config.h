// Data-plane configuration: parsed from a key = value file, validated before EAL ports
// are touched. Runs on the main thread at start-up only.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "rtpgate/shm/region.h"

namespace rtpgate::dp {

struct MediaAddr {
  rtpgate_shm_addr addr{};
  uint8_t prefix_len = 32;
};

struct PortConfig {
  uint16_t port_id = 0;
  std::vector<MediaAddr> addrs;
  rtpgate_shm_addr gateway{};  // family 0 = none
  std::string tap;             // kernel exception-path interface ("" = none)
};

struct StaticNeighbour {
  rtpgate_shm_addr addr{};
  uint8_t mac[6]{};
};

enum class IdleMode : uint8_t { Adaptive, Poll };

struct Config {
  std::string shm_name = "/rtpgate";
  std::string shm_group;
  std::vector<PortConfig> ports;
  std::vector<StaticNeighbour> neighbours;
  uint16_t port_min = 20000;
  uint16_t port_max = 29999;
  uint32_t flow_capacity = 65536;
  uint32_t srtp_capacity = 4096;        // SRTP contexts (about 2 KiB private + 128 B shared each)
  uint32_t burst_pkts = 32;
  uint32_t mbufs = 16383;
  uint32_t mbuf_cache = 256;
  uint16_t rx_desc = 1024;
  uint16_t tx_desc = 1024;
  IdleMode idle_mode = IdleMode::Adaptive;
  uint32_t idle_sleep_max_us = 500;
  uint32_t drain_us = 10;
  uint32_t heartbeat_interval_ms = 100;
  uint32_t publish_interval_ms = 250;
  uint32_t cmd_ring_capacity = 4096;
  uint32_t cpl_ring_capacity = 8192;
  uint32_t pkt_ring_capacity = 1024;
  uint32_t n_pkt_rings_to_dp = 4;
  uint32_t max_cmds_per_poll = 32;
  // Exception path (ports with tap=): packets that are not media for a flow go to the kernel.
  uint32_t exception_rate_pps = 20000;   // per worker, token bucket
  uint32_t exception_burst = 512;
  uint32_t exception_ring = 4096;        // workers -> exception thread
  std::vector<uint16_t> sip_ports{5060}; // UDP ports whose datagrams pass the SIP guard
  // SIP guard (dataplane/sipguard/, docs/sipguard.md): screens those datagrams before the kernel.
  bool sip_guard = false;
  std::string sip_guard_rules;           // rule file (conf/sipguard.rules); reloaded on SIGHUP
  uint32_t sip_guard_sources = 16384;    // per worker: sources x ratelimit rules tracked
  // Neighbour resolution (ARP / IPv6 ND).
  uint32_t neighbour_max_age_s = 60;     // re-confirm a learnt entry after this long
  uint32_t neighbour_retry_ms = 500;     // probe interval while resolving
  uint32_t neighbour_probes = 3;         // unanswered probes before an entry is dropped
  uint32_t resolve_queue = 256;          // packets held while their next hop resolves
  uint32_t resolve_hold_ms = 1000;       // how long a held packet may wait
  // Recording (dataplane/record/): workers copy plain RTP to recorder threads through rings.
  uint32_t rec_capacity = 4096;          // recording entries (4 per recorded call)
  uint32_t rec_threads = 1;              // recorder threads (files are spread by entry)
  uint32_t rec_ring = 4096;              // per worker and recorder thread (copies in flight)
  uint32_t rec_mbufs = 16383;            // buffers for the copies (shared by every worker)
  uint32_t rec_buffer_kb = 32;           // write buffer per open recording
  uint32_t rec_flush_ms = 500;           // longest time a written packet waits in the buffer
  uint32_t pli_min_interval_ms = 500;    // PLIs generated on one flow at most this often
  // A control plane (the Janus plugin) whose heartbeat is older than this has died: its
  // flows that deliver to it (TO_CTL) are removed. 0 = never.
  uint32_t control_grace_ms = 30000;
  // Level of the data plane's own messages (RTE_LOG_ERR..RTE_LOG_DEBUG); 0 = as EAL's --log-level.
  uint32_t log_level = 0;
  // Where each key was set: "line N" of the file, or "--set" (messages name it).
  std::map<std::string, std::string> origin;
};

// Configuration keys that do not change the memory layout: a reload may change them
// while calls run (config/reloader.h). Every other key needs a restart.
bool is_runtime_key(const std::string& key);

// Parses `text` (the file's contents). On error returns false with "line N: key: why".
bool parse_config(const std::string& text, Config* out, std::string* why);
// The file, then the --set overrides, then validation: what start-up and reloads read.
bool read_config(const std::string& path, const std::vector<std::string>& overrides, Config* out,
                 std::string* why);
bool load_config(const std::string& path, Config* out, std::string* why);
// Applies one "key=value" override (command line) with the same rules.
bool apply_config_line(const std::string& line, Config* out, std::string* why);
// Cross-key checks; a failure names the key and where it was set ("line N: key: why").
bool validate_config(const Config& c, std::string* why);

bool parse_ip(const std::string& s, rtpgate_shm_addr* out);
// True when `a` lies in the prefix net/len (same family).
bool in_prefix(const rtpgate_shm_addr& net, uint8_t len, const rtpgate_shm_addr& a);
bool parse_mac(const std::string& s, uint8_t mac[6]);
std::string format_ip(const rtpgate_shm_addr& a);

}  // namespace rtpgate::dp
