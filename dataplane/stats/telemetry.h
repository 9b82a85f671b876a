// DPDK telemetry commands of the data plane, answered on EAL's telemetry socket
// (/var/run/dpdk/<file-prefix>/dpdk_telemetry.v2; usertools' dpdk-telemetry.py):
//   /rtpgate/info        generation, state, capacities, flows allocated and installed
//   /rtpgate/stats       every per-lcore counter summed over the data plane's threads
//   /rtpgate/flows       ids of the installed flows (at most 512), or with a parameter
//                        (/rtpgate/flows,ID) that flow's endpoints, state and counters
// They read only the shared region and the flow table's installed bitmap (telemetry thread).
#pragma once

namespace rtpgate::dp {

struct DpContext;

// Registers the commands once per process and points them at `dp` (nullptr: they answer
// that the data plane is not running, e.g. while it shuts down).
void telemetry_attach(const DpContext* dp);

}  // namespace rtpgate::dp
