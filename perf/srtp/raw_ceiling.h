// The two references of the SRTP data-plane benchmark, measured in the same run: the raw
// intel-ipsec-mb burst rate for a profile's cipher+auth on 172-byte RTP (the ceiling: the
// same jobs the data plane submits, no SRTP or forwarding logic) and Debian libsrtp2's
// per-packet rate (the status quo). Benchmark thread only.
#pragma once
#include <vector>

#include "srtp/srtp_context.h"

namespace rtpgate::perf {

// Mpps of bursts of 32 jobs over `keys` round-robin (encrypt+tag or tag+decrypt).
double raw_ceiling_mpps(dp::srtp::SrtpProfile p, const std::vector<const dp::srtp::SrtpStreamKeys*>& keys,
                        bool decrypt, double seconds);
const char* raw_arch_name();
// Mpps of srtp_protect / srtp_unprotect over 1,000 sessions round-robin.
double libsrtp_mpps(dp::srtp::SrtpProfile p, bool unprotect, double seconds);

}  // namespace rtpgate::perf
