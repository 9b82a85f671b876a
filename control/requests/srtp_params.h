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

// 444 texts of the stock plugin for a bad srtp or srtp_profile. `profile_matters`: the
// request makes an offer (call, offerless accept/progress), so srtp_profile is checked;
// otherwise the profile is the peer's and srtp_profile is ignored.
// What is done with the choice: srtp_negotiation.h.
ApiError parse_srtp(json_t* body, bool profile_matters, SrtpChoice* out);

}  // namespace rtpgate::ctl
