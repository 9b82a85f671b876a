// rtpgatectl: read-only views of the region (header, counters, flows) as text or JSON.
#pragma once
#include <cstdint>

#include "rtpgate/shm/region_map.h"

namespace rtpgate::ctl {

void show_info(const shm::Region& r, bool json);
void show_stats(const shm::Region& r, bool json);
// Flows whose slot is allocated (or every installed one when all = true).
void show_flows(const shm::Region& r, bool json, int64_t only_id);

}  // namespace rtpgate::ctl
