// The checks build_action makes on a flow command's parameters before it touches any
// data-plane state (SRTP, recording, neighbour tables): pure functions of the region header
// and the parameters. Command lcore; fuzzed by tests/fuzz/cmd_fuzz.cc.
#pragma once
#include <cstdint>

#include "rtpgate/errc.h"
#include "rtpgate/shm/flow_entry.h"
#include "rtpgate/shm/region.h"

namespace rtpgate::dp {

// Enum ranges and DSCP, the local address (one of the region's media addresses) and port
// (inside the relay range), the linked RTCP and reverse flows (other flows of the table),
// and the flag combinations (RTCP_MUX needs an RTP flow with an RTCP flow; EXPECT_ADDR and
// LATCH an expected source of the local family). BadParam on the first failure.
Errc check_flow_params(const rtpgate_shm_header& h, uint32_t flow_id, const rtpgate_shm_flow_params& p) noexcept;

// The output of a flow that sends (FORWARD, or TO_CTL with an out_dst): a media address as
// source, of the local family (else Unsupported), a set destination of the same family and
// non-zero ports; and a TO_CTL flow's ring index. On Ok, *src_idx is out_src's index among
// the media addresses, or -1 when the flow sends nothing.
Errc check_flow_output(const rtpgate_shm_header& h, const rtpgate_shm_flow_params& p, int* src_idx) noexcept;

}  // namespace rtpgate::dp
