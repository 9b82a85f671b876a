// SDES-SRTP state of one relay stream on the control side: the data plane's SRTP entries
// its two flows name (inbound = unprotect what the peer sends, outbound = protect what we
// send) and the keys they were built from (to keep a context whose key did not change).
// Control thread, under the link's control lock. Keys are wiped with the stream.
#pragma once
#include <cstdint>

#include "media/srtp_keys.h"

namespace rtpgate::ctl::media {

struct StreamSrtp {
  uint32_t in_idx = 0;   // SRTP entry unprotecting what arrives (0 = plain)
  uint32_t out_idx = 0;  // SRTP entry protecting what the data plane sends (0 = plain)
  SrtpKey in_key;
  SrtpKey out_key;
};

}  // namespace rtpgate::ctl::media
