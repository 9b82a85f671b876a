// rtpgate-perf: the result of one run (one target, flow count and mix) as one JSON line,
// and the progress lines on stderr. Main thread.
#pragma once
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "rate_search.h"

namespace rtpgate::perf {

struct LatencyRun {
  std::string basis;  // "50% of lossless", "fixed"
  TrialResult trial;
  std::vector<std::pair<uint64_t, double>> cdf;  // (ns, cumulative fraction)
};

struct PerfReport {
  std::string label, target, engine;
  uint32_t flows = 0;
  std::string mix;
  double mean_rtp_bytes = 0;
  uint32_t wire_overhead_bytes = 0;  // added to the RTP bytes per packet for bit rates
  double nominal_pps = 0;            // what the flows would send as real calls
  std::string srtp;         // "", "in", "out"
  bool record = false;      // every flow recorded
  uint32_t queues = 1;      // queue pairs (the data plane's workers)
  uint32_t installed = 0, install_failed = 0;
  double install_s = 0;
  SearchParams params;
  SearchResult search;
  std::vector<LatencyRun> latency;
  std::vector<std::string> notes;
  std::string error;  // non-empty: the run failed
};

std::string report_json(const PerfReport& r);
void print_progress(const char* what, const TrialResult& t);

}  // namespace rtpgate::perf
