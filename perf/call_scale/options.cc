// Command line of rtpgate-call-scale (main thread, once at start).
#include "options.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string_view>

namespace rtpgate::perf {
namespace {

constexpr const char* kUsage =
    "usage: rtpgate-call-scale --plugin SO --local-ip IP --uas-uri URI [options]\n"
    "  --flavor rtpgate|stock    label (default rtpgate)\n"
    "  --janus-core PATH         janus executable to load as the core library (stock)\n"
    "  --sdp-ip IP               c= address towards the SIP peer (default: --local-ip)\n"
    "  --shm NAME                rtpgate_shm (our plugin)\n"
    "  --rtp-port-range A-B      (default 20000-29999)\n"
    "  --cps-callers C           phase 1 callers (default 16; 0 skips phase 1)\n"
    "  --cps-seconds T           phase 1 duration (default 10)\n"
    "  --cps-pool N              phase 1 handles used in turn, least recently used first (default 1200)\n"
    "  --reuse-gap-ms MS         phase 1 minimum time between a handle's hangup and its next call\n"
    "                            (default 2000)\n"
    "  --media-calls K1,K2,...   phase 2 concurrent calls (default 50,200,500; empty skips)\n"
    "  --media-seconds T         phase 2 measured window (default 10)\n"
    "  --warmup-seconds S        phase 2 media before the window (default 2)\n"
    "  --idle-seconds S          idle baseline (default 2)\n"
    "  --setup-workers N         phase 2 threads setting calls up (default 8)\n"
    "  --timeout-ms MS           per awaited event (default 15000)\n"
    "  --dp-pid PID              rtpgate-dataplane PID (its CPU from /proc/PID/stat)\n"
    "  --flows-cmd CMD           shell command printing `rtpgatectl --json info`\n"
    "  --note TEXT               copied into the JSON\n";

bool parse_int_list(std::string_view s, std::vector<int>* out) {
  out->clear();
  std::stringstream ss{std::string(s)};
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) continue;
    char* end = nullptr;
    const long v = std::strtol(item.c_str(), &end, 10);
    if (*end != '\0' || v <= 0 || v > 100000) return false;
    out->push_back(static_cast<int>(v));
  }
  return true;
}

}  // namespace

bool parse_options(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return false;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "%s needs a value\n%s", argv[i], kUsage);
      return false;
    }
    const char* v = argv[++i];
    if (a == "--plugin") o->plugin = v;
    else if (a == "--flavor") o->flavor = v;
    else if (a == "--janus-core") o->janus_core = v;
    else if (a == "--local-ip") o->local_ip = v;
    else if (a == "--sdp-ip") o->sdp_ip = v;
    else if (a == "--shm") o->shm = v;
    else if (a == "--rtp-port-range") o->rtp_port_range = v;
    else if (a == "--uas-uri") o->uas_uri = v;
    else if (a == "--cps-callers") o->cps_callers = std::atoi(v);
    else if (a == "--cps-seconds") o->cps_seconds = std::atof(v);
    else if (a == "--cps-pool") o->cps_pool = std::atoi(v);
    else if (a == "--reuse-gap-ms") o->reuse_gap_ms = std::atoi(v);
    else if (a == "--media-calls") {
      if (!parse_int_list(v, &o->media_calls)) {
        std::fprintf(stderr, "--media-calls: comma-separated positive integers\n");
        return false;
      }
    } else if (a == "--media-seconds") o->media_seconds = std::atof(v);
    else if (a == "--warmup-seconds") o->warmup_seconds = std::atof(v);
    else if (a == "--idle-seconds") o->idle_seconds = std::atof(v);
    else if (a == "--setup-workers") o->setup_workers = std::atoi(v);
    else if (a == "--timeout-ms") o->timeout_ms = std::atoi(v);
    else if (a == "--dp-pid") o->dp_pid = std::atoi(v);
    else if (a == "--flows-cmd") o->flows_cmd = v;
    else if (a == "--note") o->note = v;
    else {
      std::fprintf(stderr, "unknown option %s\n%s", argv[i - 1], kUsage);
      return false;
    }
  }
  if (o->plugin.empty() || o->local_ip.empty() || o->uas_uri.empty()) {
    std::fprintf(stderr, "--plugin, --local-ip and --uas-uri are required\n%s", kUsage);
    return false;
  }
  if (o->sdp_ip.empty()) o->sdp_ip = o->local_ip;
  if (o->setup_workers < 1) o->setup_workers = 1;
  if (o->cps_pool < o->cps_callers) o->cps_pool = o->cps_callers;
  return true;
}

}  // namespace rtpgate::perf
