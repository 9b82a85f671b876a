// Command line of rtpgate-call-scale (main thread, once at start).
#pragma once
#include <string>
#include <vector>

namespace rtpgate::perf {

struct Options {
  std::string plugin;               // the plugin .so
  std::string flavor = "rtpgate";   // label: rtpgate | stock
  std::string janus_core;           // janus executable loaded as the core library (stock)
  std::string local_ip;             // SIP (and, for stock, RTP) address of the plugin
  std::string sdp_ip;               // c= address towards the SIP peer ("" = local_ip)
  std::string shm;                  // rtpgate_shm (ours)
  std::string rtp_port_range = "20000-29999";
  std::string uas_uri;              // e.g. sip:echo@10.79.1.2:5070
  int cps_callers = 16;             // phase 1: concurrent callers
  double cps_seconds = 10;          // phase 1: duration
  int cps_pool = 1200;              // phase 1: handles the callers take turns on (LRU)
  int reuse_gap_ms = 2000;          // phase 1: a handle's next call starts this long after its hangup
  std::vector<int> media_calls{50, 200, 500};  // phase 2: concurrent calls, one run each
  double media_seconds = 10;        // phase 2: measured window
  double warmup_seconds = 2;        // phase 2: media before the window
  double idle_seconds = 2;          // idle baseline (registered, no call)
  int setup_workers = 8;            // phase 2: threads establishing / ending the calls
  int timeout_ms = 15000;           // per request -> awaited event
  int dp_pid = 0;                   // rtpgate-dataplane's PID (its CPU is read from /proc)
  std::string flows_cmd;            // prints `rtpgatectl --json info` (flows_allocated)
  std::string note;                 // free text copied into the JSON (CPU placement, ...)
};

// Parses argv; prints usage and returns false on --help or an error.
bool parse_options(int argc, char** argv, Options* out);

}  // namespace rtpgate::perf
