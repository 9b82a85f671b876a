// The benchmark's JSON line: raw readings and the derived per-call figures (main thread).
#pragma once
#include <jansson.h>

#include "cps_phase.h"
#include "media_phase.h"
#include "proc_meter.h"

namespace rtpgate::perf {

// Idle baseline: registered handles, no call, `seconds` long.
json_t* idle_json(const Snapshot& a, const Snapshot& b, int handles);
json_t* cps_json(const CpsResult& r);
json_t* media_json(const MediaResult& r);

}  // namespace rtpgate::perf
