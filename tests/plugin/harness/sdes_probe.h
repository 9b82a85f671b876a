// What the SDES-SRTP tests look at: the a=crypto lines of one m-section of an SDP, and
// rtpgate's query_session view of the SRTP contexts the data plane has for a stream
// (control/media/link_srtp.cc, stream_srtp). Test thread.
#pragma once
#include <jansson.h>

#include <string>
#include <vector>

#include "fake_janus.h"

namespace rtpgate::test {

// Every "a=crypto:" value of the first m=<kind> section ("audio", "video"), in order.
std::vector<std::string> crypto_of(const std::string& sdp, const std::string& kind);

// The SRTP entries a medium's flows name in the data plane (0 = plain) and their profiles;
// `found` is false when query_session has no such stream (stock plugin, no data plane).
struct SrtpSlots {
  bool found = false;
  json_int_t in = 0, out = 0;
  std::string in_profile, out_profile;
  bool rtcp_same = false;   // the RTCP flow names the same two entries
};
SrtpSlots srtp_slots(janus_plugin_session* h, const std::string& kind);

}  // namespace rtpgate::test
