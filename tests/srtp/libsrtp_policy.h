// libsrtp2 crypto policies matching our SRTP profiles: the reference side of the SRTP
// interop tests (tests/srtp) and of the SRTP micro-benchmark (perf/micro).
#pragma once
#include <srtp2/srtp.h>

#include "srtp/srtp_context.h"

namespace rtpgate::dp::srtp::test {

inline void set_lib_policy(SrtpProfile p, srtp_policy_t& pol) {
  switch (p) {
    case SrtpProfile::kAesCm128HmacSha1_80:
      srtp_crypto_policy_set_rtp_default(&pol.rtp);
      srtp_crypto_policy_set_rtcp_default(&pol.rtcp);
      break;
    case SrtpProfile::kAesCm128HmacSha1_32:
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&pol.rtp);
      srtp_crypto_policy_set_rtcp_default(&pol.rtcp);
      break;
    case SrtpProfile::kAeadAes128Gcm:
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtp);
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtcp);
      break;
    case SrtpProfile::kAeadAes256Gcm:
      srtp_crypto_policy_set_aes_gcm_256_16_auth(&pol.rtp);
      srtp_crypto_policy_set_aes_gcm_256_16_auth(&pol.rtcp);
      break;
  }
}

}  // namespace rtpgate::dp::srtp::test
