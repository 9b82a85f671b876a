// SRTP packet pool and verifier of rtpgate-perf (libsrtp2; main lcore).
#include "srtp_pool.h"

#include <srtp2/srtp.h>

#include <cstring>

namespace rtpgate::perf {
namespace {

// Fixed key material: a benchmark, not a call (RFC 3711's test key, key then salt).
constexpr uint8_t kMaster[30] = {0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0, 0xd6, 0x4f,
                                 0xa3, 0x2c, 0x06, 0xde, 0x41, 0x39, 0x0e, 0xc6, 0x75, 0xad,
                                 0x49, 0x8a, 0xfe, 0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6};

bool make_session(srtp_ssrc_type_t type, uint32_t ssrc, srtp_t* out, std::string* why) {
  if (srtp_init() != srtp_err_status_ok) return *why = "srtp_init failed", false;
  srtp_policy_t pol{};
  srtp_crypto_policy_set_rtp_default(&pol.rtp);  // AES_CM_128_HMAC_SHA1_80
  srtp_crypto_policy_set_rtcp_default(&pol.rtcp);
  pol.ssrc.type = type;
  pol.ssrc.value = ssrc;
  pol.key = const_cast<uint8_t*>(kMaster);
  pol.window_size = 1024;
  pol.allow_repeat_tx = 0;
  if (srtp_create(out, &pol) != srtp_err_status_ok) return *why = "srtp_create failed", false;
  return true;
}

}  // namespace

const char* to_string(SrtpMode m) noexcept {
  return m == SrtpMode::In ? "in" : m == SrtpMode::Out ? "out" : "";
}

void srtp_fill_entry(rtpgate_shm_srtp_entry* e, rtpgate_srtp_dir dir) noexcept {
  e->profile = RTPGATE_SRTP_AES_CM_128_HMAC_SHA1_80;
  e->direction = static_cast<uint8_t>(dir);
  e->key_len = 16;
  e->salt_len = 14;
  std::memcpy(e->key, kMaster, 16);
  std::memcpy(e->salt, kMaster + 16, 14);
}

bool SrtpPool::build(const Profile& p, uint32_t n, std::string* why) {
  srtp_t s = nullptr;
  if (!make_session(ssrc_specific, kSrtpSsrc, &s, why)) return false;
  n_ = n;
  len_ = p.rtp_bytes + kSrtpTagBytes;
  stride_ = (len_ + SRTP_MAX_TRAILER_LEN + 63) & ~63u;
  buf_.assign(size_t{n} * stride_, 0);
  bool ok = true;
  for (uint32_t k = 0; k < n && ok; k++) {
    uint8_t* rtp = &buf_[size_t{k} * stride_];
    write_rtp_stamp(rtp, p.pt, kSrtpSsrc, p.ts_step, Stamp{kStampMagic, 0, k, 0, 0});
    for (uint32_t o = kRtpHeaderBytes + kStampBytes; o < p.rtp_bytes; o++) rtp[o] = pattern_byte(kFrameRtpOff + o);
    int len = static_cast<int>(p.rtp_bytes);
    if (srtp_protect(s, rtp, &len) != srtp_err_status_ok || uint32_t(len) != len_) {
      *why = "srtp_protect failed at packet " + std::to_string(k);
      ok = false;
    }
  }
  srtp_dealloc(s);
  return ok;
}

SrtpVerifier::~SrtpVerifier() {
  if (session_ != nullptr) srtp_dealloc(static_cast<srtp_t>(session_));
}

bool SrtpVerifier::init(std::string* why) {
  srtp_t s = nullptr;
  if (!make_session(ssrc_any_inbound, 0, &s, why)) return false;
  session_ = s;
  return true;
}

bool SrtpVerifier::check(const uint8_t* rtp, uint32_t len) noexcept {
  if (session_ == nullptr || len > sizeof scratch_) return false;
  std::memcpy(scratch_, rtp, len);
  int n = static_cast<int>(len);
  if (srtp_unprotect(static_cast<srtp_t>(session_), scratch_, &n) != srtp_err_status_ok) return false;
  Stamp s;
  return read_rtp_stamp(scratch_, uint32_t(n), &s) && static_cast<uint16_t>(s.seq) == dp::rd16be(scratch_ + 2);
}

}  // namespace rtpgate::perf
