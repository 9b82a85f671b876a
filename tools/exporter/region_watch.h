// The exporter's read-only mapping of the data plane's region: attached lazily, replaced
// when the data plane restarts (the name then points at a new file), dropped when it goes.
#pragma once
#include <optional>
#include <string>

#include "region_metrics.h"
#include "rtpgate/shm/region_map.h"

namespace rtpgate::exporter {

class RegionWatch {
 public:
  explicit RegionWatch(ExporterState* st) : st_(st) {}
  // The current region, or nullptr (st->detach_why says why).
  const shm::Region* current();

 private:
  ExporterState* st_;
  std::optional<shm::Region> region_;
};

}  // namespace rtpgate::exporter
