// `srtp` / `srtp_profile` of call, accept and progress (spec §4.3, §9.3).
#pragma once
#include <jansson.h>

#include <string>

#include "requests/validate.h"

namespace rtpgate::ctl {

struct SrtpChoice {
  std::string mode;      // "", "sdes_optional", "sdes_mandatory"
  std::string profile;   // when mode is set
};

// 444 texts of the stock plugin for a bad srtp or srtp_profile.
ApiError parse_srtp(json_t* body, bool profile_matters, SrtpChoice* out);
// SDES-SRTP is negotiated once the data plane's SRTP path is programmed by the plugin
// (the SRTP issue); until then a mandatory request is refused with 450 and an optional
// one is offered as plain RTP (which a peer is free to accept).
ApiError srtp_available(const SrtpChoice& c);

}  // namespace rtpgate::ctl
