// rtpgate-perf: command-line options of the three modes (DPDK engine, kernel engine,
// data-plane configuration). Main thread, start-up.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "rate_search.h"
#include "srtp_pool.h"
#include "rtpgate/shm/flow_entry.h"
#include "trial_loop.h"

namespace rtpgate::perf {

enum class Mode { Dpdk, Kernel, DpConfig };

struct Options {
  Mode mode = Mode::Dpdk;
  std::string label;
  std::string target = "rtpgate";   // what is measured (a name for the report)
  uint32_t flows = 1000;
  std::vector<std::string> mixes;   // one run per mix; default {"g711"}

  // DPDK engine (and --dp-config).
  std::string shm;                  // rtpgate data plane's region: program the flows there
  uint16_t port_id = 0;
  uint8_t dut_mac[6] = {0x02, 0x70, 0x67, 0, 0, 0x01};
  uint8_t gen_mac[6] = {0x02, 0x70, 0x67, 0, 0, 0x02};
  bool rewrite = true;              // RTPGATE_FLOW_F_REWRITE on the programmed flows
  bool verify = false;              // full checksum check of every received frame
  uint32_t mbufs = 8191;
  double link_timeout_s = 15;
  double dp_timeout_s = 30;
  uint16_t queues = 1;              // queue pairs = the data plane's workers (flow i on queue i mod N)
  SrtpMode srtp = SrtpMode::None;   // AES_CM_128_HMAC_SHA1_80 into (in) or out of the data plane
  uint32_t srtp_pool = 131072;      // pre-protected packets per flow (in): the most a flow can send
  std::string rec_dir;              // record every flow's received RTP there (one .mjr per flow)
  uint32_t rec_ring = 0, rec_mbufs = 0;  // --dp-config: the data plane's recording buffers (0 = its defaults)
  uint32_t rec_flush_ms = 0;             // --dp-config: its rec_flush_ms (0 = its default)
  uint32_t rec_settle_ms = 0;            // --record: after each trial, let the recorder finish (DutProbe)

  // Kernel engine.
  std::string ip = "127.0.0.1";     // ours
  std::string dst_ip;               // the relay's ("" = ip)
  uint16_t bind_port = 0;
  uint16_t dst_base_port = 0;       // flow i -> dst_base_port + i
  std::string targets_file;         // or one destination port per line
  pid_t relay_pid = 0;              // CPU time of this process per trial
  int relay_cpu = -1;               // busy time of this CPU per trial (the relay's core)

  // Search and latency.
  SearchParams search;
  LoopConfig loop;
  double warmup_s = 0.3;
  double latency_s = 2;
  std::vector<double> latency_fracs{0.5};  // of the lossless rate
  std::vector<double> latency_pps;         // fixed rates, for comparisons between targets
  uint32_t cdf_points = 120;
  std::string json_out;             // also append the result lines to this file
};

// The generator's own address (inside the media addresses' /16), the sink of every flow.
rtpgate_shm_addr gen_ip() noexcept;

// Parses argv[first..argc) for `mode`. False with *why.
bool parse_options(int argc, char** argv, int first, Mode mode, Options* o, std::string* why);
const char* usage_text() noexcept;

// rtpgate-dataplane configuration that serves the flows rtpgate-perf programs.
std::string dp_config_text(const Options& o);

}  // namespace rtpgate::perf
