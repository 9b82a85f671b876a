// Phase 2, CPU per call with media: K calls set up, browser RTP injected into each for a
// warm-up and a measured window, echoed by the SIP UAS and counted back, then hung up.
#pragma once
#include <string>
#include <vector>

#include "fake_janus.h"
#include "options.h"
#include "proc_meter.h"

namespace rtpgate::perf {

struct MediaResult {
  int calls_wanted = 0;
  int calls_up = 0;                 // accepted
  std::vector<std::string> first_errors;
  std::vector<double> setup_ms;
  double setup_seconds = 0;         // first call -> all answered
  double window_s = 0;
  Snapshot idle, start, end;        // idle: before the calls; start/end: the window
  double injector_cpu_s = 0;        // window: incoming_rtp path (Janus's thread in production)
  double counter_cpu_s = 0;         // window: harness only (drains relay_rtp records)
  double main_cpu_s = 0;            // window: harness main thread (sleeping)
  uint64_t sent = 0, received = 0;  // whole media run (drained 1 s after the last packet)
  uint64_t window_sent = 0, window_received = 0;
  int calls_silent = 0;             // nothing came back
  int calls_lossy = 0;              // more than 1% lost
  double worst_call_loss = 0;       // fraction
  double max_inject_lag_ms = 0;
  int hangup_failures = 0;
  long flows_after = -1;            // ours: flows_allocated after the hangups (-1 n/a)
};

MediaResult run_media_phase(const Options& o, const std::vector<janus_plugin_session*>& handles,
                            int calls);

}  // namespace rtpgate::perf
