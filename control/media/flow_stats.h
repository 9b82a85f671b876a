// Flow counter snapshots for the control side: the shared seqlock reader.
#pragma once
#include "rtpgate/shm/flow_snapshot.h"

namespace rtpgate::ctl::media {

using shm::read_flow_counters;

}  // namespace rtpgate::ctl::media
