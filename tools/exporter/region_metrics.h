// What rtpgate-exporter serves: the Prometheus text of one data-plane region (or of its
// absence). Reads the region only; every label set is bounded by the region's own sizes
// (lcores, media addresses, counters, rings): no per-flow or per-call labels.
#pragma once
#include <cstdint>
#include <string>

#include "rtpgate/shm/region_map.h"

namespace rtpgate::exporter {

struct ExporterState {
  std::string shm_name;
  std::string detach_why;        // why no region is mapped (empty when one is)
  uint64_t attaches = 0;         // regions mapped so far (data-plane restarts + 1)
  uint64_t scrapes = 0;
  uint64_t max_heartbeat_age_ms = 1000;  // older: the data plane counts as down
};

// r == nullptr: only the exporter's own families and rtpgate_up 0.
std::string render_metrics(const shm::Region* r, const ExporterState& st);

}  // namespace rtpgate::exporter
