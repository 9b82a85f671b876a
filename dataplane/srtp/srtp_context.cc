// SrtpContext: key setup (control/apply path) and ROC / replay bookkeeping (owning lcore).
#include "srtp/srtp_context.h"

#include <string.h>

#include <cstring>

#include "srtp/srtp_kdf.h"

namespace rtpgate::dp::srtp {
namespace {

constexpr SrtpProfileInfo kCm80{16, 14, 10, 10, false};
constexpr SrtpProfileInfo kCm32{16, 14, 4, 10, false};  // SRTCP keeps the 80-bit tag (RFC 4568)
constexpr SrtpProfileInfo kGcm128{16, 12, 16, 16, true};
constexpr SrtpProfileInfo kGcm256{32, 12, 16, 16, true};

bool setup_stream(IMB_MGR* mgr, const SrtpProfileInfo& info, const uint8_t* mk,
                  const uint8_t* ms, KdfLabel enc, KdfLabel auth, KdfLabel salt,
                  SrtpStreamKeys& out) {
  uint8_t key[32];
  uint8_t auth_key[20];
  const size_t salt_len = info.gcm ? 12 : 14;
  bool ok = srtp_kdf(mk, info.master_key_len, ms, info.master_salt_len, enc, key,
                     info.master_key_len) &&
            srtp_kdf(mk, info.master_key_len, ms, info.master_salt_len, salt, out.salt, salt_len);
  if (ok && info.gcm) {
    if (info.master_key_len == 16) {
      IMB_AES128_GCM_PRE(mgr, key, &out.gcm);
    } else {
      IMB_AES256_GCM_PRE(mgr, key, &out.gcm);
    }
  } else if (ok) {
    alignas(16) uint32_t dec_keys[4 * 15];
    IMB_AES_KEYEXP_128(mgr, key, out.cm.aes_enc_keys, dec_keys);
    explicit_bzero(dec_keys, sizeof(dec_keys));
    ok = srtp_kdf(mk, info.master_key_len, ms, info.master_salt_len, auth, auth_key, 20);
    if (ok) {
      alignas(16) uint8_t block[64];
      std::memset(block, 0x36, sizeof(block));
      for (size_t i = 0; i < 20; ++i) block[i] ^= auth_key[i];
      IMB_SHA1_ONE_BLOCK(mgr, block, out.cm.hmac_ipad);
      std::memset(block, 0x5c, sizeof(block));
      for (size_t i = 0; i < 20; ++i) block[i] ^= auth_key[i];
      IMB_SHA1_ONE_BLOCK(mgr, block, out.cm.hmac_opad);
      explicit_bzero(block, sizeof(block));
    }
  }
  explicit_bzero(key, sizeof(key));
  explicit_bzero(auth_key, sizeof(auth_key));
  return ok;
}

}  // namespace

const SrtpProfileInfo& srtp_profile_info(SrtpProfile p) {
  switch (p) {
    case SrtpProfile::kAesCm128HmacSha1_32: return kCm32;
    case SrtpProfile::kAeadAes128Gcm: return kGcm128;
    case SrtpProfile::kAeadAes256Gcm: return kGcm256;
    case SrtpProfile::kAesCm128HmacSha1_80: break;
  }
  return kCm80;
}

void ReplayWindow::update(uint64_t index) {
  if (!initialised) {
    initialised = true;
    highest = index;
    bits[0] = 1;
    bits[1] = 0;
    return;
  }
  if (index > highest) {
    const uint64_t d = index - highest;
    if (d >= 128) {
      bits[0] = bits[1] = 0;
    } else if (d >= 64) {
      bits[1] = bits[0] << (d - 64);
      bits[0] = 0;
    } else {
      bits[1] = (bits[1] << d) | (bits[0] >> (64 - d));
      bits[0] <<= d;
    }
    bits[0] |= 1;
    highest = index;
    return;
  }
  const uint64_t d = highest - index;
  if (d < kBits) bits[d >> 6] |= uint64_t{1} << (d & 63);
}

bool SrtpContext::init(SrtpProfile profile, SrtpDirection dir, const uint8_t* master_key,
                       size_t key_len, const uint8_t* master_salt, size_t salt_len) {
  wipe();
  const SrtpProfileInfo& info = srtp_profile_info(profile);
  if (key_len != info.master_key_len || salt_len != info.master_salt_len) return false;
  IMB_MGR* mgr = srtp_control_mgr();
  if (mgr == nullptr) return false;
  if (!setup_stream(mgr, info, master_key, master_salt, KdfLabel::kRtpEncryption,
                    KdfLabel::kRtpAuth, KdfLabel::kRtpSalt, rtp_) ||
      !setup_stream(mgr, info, master_key, master_salt, KdfLabel::kRtcpEncryption,
                    KdfLabel::kRtcpAuth, KdfLabel::kRtcpSalt, rtcp_)) {
    wipe();
    return false;
  }
  profile_ = profile;
  dir_ = dir;
  info_ = &info;
  return true;
}

void SrtpContext::wipe() {
  explicit_bzero(&rtp_, sizeof(rtp_));
  explicit_bzero(&rtcp_, sizeof(rtcp_));
  info_ = nullptr;
  reset_state();
}

void SrtpContext::reset_state() {
  seq_initialised_ = false;
  rtcp_ssrc_known_ = false;
  ssrc_known_ = false;
  s_l_ = 0;
  roc_ = 0;
  ssrc_ = 0;
  srtcp_index_ = 0;
  rtcp_ssrc_ = 0;
  cand_run_ = fail_run_ = rcand_run_ = 0;
  cand_ssrc_ = rcand_ssrc_ = rcand_index_ = 0;
  cand_index_ = 0;
  probe_toggle_ = false;
  prov_ = false;
  prov_sl_ = 0;
  rtp_replay_ = ReplayWindow{};
  rtcp_replay_ = ReplayWindow{};
}

uint64_t SrtpContext::estimate_index(uint16_t seq) const {
  if (!seq_initialised_) return seq;
  uint32_t v = roc_;
  if (s_l_ < 32768) {
    if (seq > s_l_ && seq - s_l_ > 32768 && roc_ > 0) v = roc_ - 1;
  } else {
    if (s_l_ - 32768 > seq) v = roc_ + 1;
  }
  return (uint64_t{v} << 16) | seq;
}

uint64_t SrtpContext::next_protect_index(uint32_t ssrc, uint16_t seq) {
  if (seq_initialised_ && ssrc_known_ && ssrc != ssrc_) seq_initialised_ = false;  // new SSRC: ROC 0
  const uint64_t index = seq_initialised_ ? estimate_index(seq) : seq;
  const uint64_t cur = (uint64_t{roc_} << 16) | s_l_;
  if (!seq_initialised_ || index > cur) {
    roc_ = static_cast<uint32_t>(index >> 16);
    s_l_ = seq;
    seq_initialised_ = true;
  }
  ssrc_ = ssrc;
  ssrc_known_ = true;
  return index;
}

bool SrtpContext::rx_index(uint32_t ssrc, uint16_t seq, uint64_t* index, bool* candidate) {
  *candidate = false;
  if (!seq_initialised_) {
    // No packet authenticated yet: the first packet of the burst is the reference (ROC 0),
    // so later packets of the same burst that wrapped past 65535 get ROC 1.
    if (!prov_) {
      prov_ = true;
      prov_sl_ = seq;
    }
    *index = prov_sl_ >= 32768 && prov_sl_ - 32768 > seq ? (uint64_t{1} << 16) | seq : seq;
    return true;
  }
  if (ssrc_known_ && ssrc != ssrc_) {  // another stream (peer restart): ROC 0
    *index = seq;
    *candidate = true;
    return true;
  }
  if (fail_run_ >= kProbeAfter && roc_ != 0) {
    probe_toggle_ = !probe_toggle_;
    if (probe_toggle_) {  // the peer may have restarted with the same SSRC: try ROC 0
      *index = seq;
      *candidate = true;
      return true;
    }
  }
  *index = estimate_index(seq);
  if (rtp_replay_.check(*index)) return true;
  if (*index <= rtp_replay_.highest && rtp_replay_.highest - *index < ReplayWindow::kBits) return false;
  *candidate = true;  // too old for the window: maybe a restarted stream
  return true;
}

void SrtpContext::adopt_rtp(uint64_t index, uint32_t ssrc) {
  rtp_replay_ = ReplayWindow{};
  rtp_replay_.update(index);
  roc_ = static_cast<uint32_t>(index >> 16);
  s_l_ = static_cast<uint16_t>(index & 0xffff);
  ssrc_ = ssrc;
  ssrc_known_ = true;
  seq_initialised_ = true;
  prov_ = false;
  cand_run_ = 0;
  fail_run_ = 0;
}

RxVerdict SrtpContext::accept_rtp(uint64_t index, uint32_t ssrc, bool candidate) {
  if (!seq_initialised_) {
    adopt_rtp(index, ssrc);
    return RxVerdict::kAccepted;
  }
  if (!ssrc_known_) {
    ssrc_ = ssrc;
    ssrc_known_ = true;
  }
  if (ssrc == ssrc_ && (!candidate || rtp_replay_.check(index))) {
    if (!rtp_replay_.check(index)) return RxVerdict::kReplay;
    rtp_replay_.update(index);
    const uint64_t cur = (uint64_t{roc_} << 16) | s_l_;
    if (index > cur) {
      roc_ = static_cast<uint32_t>(index >> 16);
      s_l_ = static_cast<uint16_t>(index & 0xffff);
    }
    cand_run_ = 0;
    fail_run_ = 0;
    return RxVerdict::kAccepted;
  }
  // An authenticated candidate (another SSRC, too old, or ROC 0 probe).
  if (index <= rtp_replay_.highest && ssrc == ssrc_ && rtp_replay_.highest - index < ReplayWindow::kBits &&
      !rtp_replay_.check(index))
    return RxVerdict::kReplay;  // already received under the current state
  if (cand_run_ != 0 && ssrc == cand_ssrc_ && index > cand_index_) {
    cand_run_++;
  } else {
    cand_run_ = 1;
  }
  cand_ssrc_ = ssrc;
  cand_index_ = index;
  if (cand_run_ < kResyncAfter) return RxVerdict::kReplay;
  adopt_rtp(index, ssrc);
  return RxVerdict::kResynced;
}

bool SrtpContext::rtcp_rx_check(uint32_t ssrc, uint32_t index, bool* candidate) const {
  *candidate = false;
  if (!rtcp_ssrc_known_ || rtcp_replay_.check(index)) {
    *candidate = rtcp_ssrc_known_ && ssrc != rtcp_ssrc_;
    return true;
  }
  if (ssrc == rtcp_ssrc_ && index <= rtcp_replay_.highest && rtcp_replay_.highest - index < ReplayWindow::kBits)
    return false;  // duplicate inside the window
  *candidate = true;
  return true;
}

RxVerdict SrtpContext::accept_rtcp(uint32_t index, uint32_t ssrc, bool candidate) {
  if (!rtcp_ssrc_known_ || ((!candidate || ssrc == rtcp_ssrc_) && rtcp_replay_.check(index))) {
    if (!rtcp_ssrc_known_) rtcp_replay_ = ReplayWindow{};
    rtcp_replay_.update(index);
    rtcp_ssrc_known_ = true;
    rtcp_ssrc_ = ssrc;
    rcand_run_ = 0;
    return RxVerdict::kAccepted;
  }
  if (!candidate) return RxVerdict::kReplay;
  if (rcand_run_ != 0 && ssrc == rcand_ssrc_ && index > rcand_index_) {
    rcand_run_++;
  } else {
    rcand_run_ = 1;
  }
  rcand_ssrc_ = ssrc;
  rcand_index_ = index;
  if (rcand_run_ < kRtcpResyncAfter) return RxVerdict::kReplay;
  rtcp_replay_ = ReplayWindow{};
  rtcp_replay_.update(index);
  rtcp_ssrc_ = ssrc;
  rcand_run_ = 0;
  return RxVerdict::kResynced;
}

}  // namespace rtpgate::dp::srtp
