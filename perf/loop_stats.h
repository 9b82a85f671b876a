// Closed-loop benchmark: reading the worker's counters from the region, memory figures,
// and the one-line JSON report. Control thread / main thread after the run.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "loop_flows.h"
#include "rtpgate/shm/stats_block.h"

namespace rtpgate::perf {

struct Snapshot {
  uint64_t tsc = 0;
  uint64_t busy_tsc = 0;
  uint64_t loops = 0;
  uint64_t ctr[RTPGATE_CTR_COUNT]{};
};

// A consistent copy of one lcore's published counters (epoch-checked), stamped with the TSC.
Snapshot snapshot(const rtpgate_shm_lcore_stats& s) noexcept;

struct RunReport {
  uint32_t args_flows = 0;
  uint32_t inflight = 0, inflight_requested = 0, ring_capacity = 0;
  uint64_t tsc_hz = 0;
  uint32_t publish_ms = 0;  // housekeeping's flow-counter sweep period
  bool ctl_cpu_shared = false;
  uint32_t installed = 0, install_failed = 0;
  double install_s = 0;
  Snapshot t0, t1, total;
  std::vector<double> window_mpps;  // [t0, t1] in 0.5 s windows  // measured interval [t0, t1]; total = end of run
  uint64_t recovered = 0;
  uint64_t bad_frames[5]{};  // by FrameVerdict
  uint64_t mbufs_lost = 0;
  bool pmu_ok = false;  // core_cycles/instructions valid (worker thread, measured interval)
  uint64_t core_cycles = 0, instructions = 0;
  uint64_t region_bytes = 0, lookup_bytes = 0, dp_heap_bytes = 0;
  // Recording (--record-pct): entries started, and the recorder thread's counters.
  uint32_t rec_started = 0, rec_failed = 0;
  Snapshot rec_t0, rec_t1, rec_total;
  std::string error;
};

uint64_t heap_alloc_bytes() noexcept;

// Prints the JSON line on stdout and a short summary on stderr. Returns true when the run
// forwarded packets with no drop, every frame came back intact and no mbuf was lost.
bool print_report(const std::string& label, const FlowCycle& fc, double seconds, double warmup_s,
                  uint32_t pkt_size, uint32_t burst, const RunReport& r);

}  // namespace rtpgate::perf
