// Command-line options of rtpgate-reg-scale (main thread).
#pragma once
#include <string>

namespace rtpgate::perf {

struct Options {
  std::string plugin_path;           // --plugin: libjanus_rtpgate.so or libjanus_sip.so
  std::string flavor;                // --flavor rtpgate|stock (default: from the file name)
  std::string janus_core;            // --janus-core: janus executable loaded as the core library
  std::string label;                 // --label (default: flavor-accounts)
  int accounts = 1000;               // --accounts N
  std::string registrar = "127.0.0.1:5060";  // --registrar HOST:PORT (sipp, registrar.xml)
  std::string local_ip = "127.0.0.1";        // --local-ip: the plugins' SIP sockets
  std::string secret = "secret";     // --secret
  std::string user_prefix = "rs";    // --user-prefix: users are <prefix>00001 … (sip:…@host)
  double register_timeout_s = 120;   // --timeout-s: cap of the registration phase
  double unregister_timeout_s = 60;  // --unregister-timeout-s
  double stall_s = 10;               // --stall-s: give up a phase after S seconds without any event
  double settle_s = 15;              // --settle-s: wait for threads/fds to go back after detach
  double destroy_timeout_s = 30;     // --destroy-timeout-s: plugin destroy() under a watchdog
  bool skip_destroy = false;         // --no-destroy
  int log_level = 2;                 // --log-level: janus_log_level (2 = errors)
  int progress_ms = 1000;            // --progress-ms: period of the progress series
};

// Parses argv; on error prints usage to stderr and returns false.
bool parse_options(int argc, char** argv, Options* o);

}  // namespace rtpgate::perf
