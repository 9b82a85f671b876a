// `srtp` / `srtp_profile` request fields (spec §4.3, §4.4). Loop thread.
#include "requests/srtp_params.h"

#include <strings.h>

namespace rtpgate::ctl {

ApiError parse_srtp(json_t* body, bool profile_matters, SrtpChoice* out) {
  *out = {};
  if (!has(body, "srtp")) return {};
  const std::string mode = str_or(body, "srtp");
  if (strcasecmp(mode.c_str(), "sdes_optional") == 0) out->mode = "sdes_optional";
  else if (strcasecmp(mode.c_str(), "sdes_mandatory") == 0) out->mode = "sdes_mandatory";
  else return {kErrInvalidElement, "Invalid element (srtp can only be sdes_optional or sdes_mandatory)"};
  out->profile = str_or(body, "srtp_profile", "AES_CM_128_HMAC_SHA1_80");
  if (profile_matters && out->profile != "AES_CM_128_HMAC_SHA1_80" && out->profile != "AES_CM_128_HMAC_SHA1_32" &&
      out->profile != "AEAD_AES_128_GCM" && out->profile != "AEAD_AES_256_GCM")
    return {kErrInvalidElement, "Invalid element (unsupported SRTP profile)"};
  return {};
}

}  // namespace rtpgate::ctl
