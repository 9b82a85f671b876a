// Phase 1, calls per second: C caller threads loop `call` -> `accepted` -> `hangup` ->
// `hangup` against the SIP UAS for T seconds, each call on the least recently used handle
// of a pool, never sooner than --reuse-gap-ms after that handle's last hangup (no media).
#pragma once
#include <string>
#include <vector>

#include "fake_janus.h"
#include "options.h"
#include "proc_meter.h"

namespace rtpgate::perf {

struct CpsResult {
  int callers = 0;
  int pool = 0;
  int reuse_gap_ms = 0;
  double seconds = 0;            // first `call` -> last call ended
  int calls_ok = 0;              // accepted and hung up
  int setup_failures = 0;
  int hangup_failures = 0;
  std::vector<std::string> first_errors;   // up to 5
  std::vector<double> setup_ms;  // call -> accepted
  std::vector<double> hangup_ms; // hangup -> hangup event
  double gap_wait_s = 0;         // callers' time spent waiting for a handle's reuse gap
  Snapshot before, after;
  double harness_cpu_s = 0;      // the caller threads' own CPU (requests, waits)
};

// `pool` holds at least o.cps_callers handles.
CpsResult run_cps_phase(const Options& o, const std::vector<janus_plugin_session*>& pool);

}  // namespace rtpgate::perf
