// SrtpBatch: builds one ipsec-mb job per packet (AES-CTR + HMAC-SHA1-96→80/32, or AES-GCM),
// submits the burst, flushes, then verifies tags and commits ROC/replay state in packet order.
// Runs on the owning lcore; no allocation after construction.
#include "srtp/srtp_batch.h"

#include <cstring>

namespace rtpgate::dp::srtp {
namespace {

inline uint16_t load_be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
inline uint32_t load_be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
inline void store_be32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

// RTP header length (fixed + CSRC + extension), or 0 if malformed for `len` bytes.
inline uint32_t rtp_header_len(const uint8_t* b, uint32_t len) {
  if (len < 12 || (b[0] >> 6) != 2) return 0;
  uint32_t h = 12 + 4U * (b[0] & 0x0f);
  if (b[0] & 0x10) {
    if (h + 4 > len) return 0;
    h += 4 + 4U * load_be16(b + h + 2);
  }
  return h <= len ? h : 0;
}

inline bool tags_equal(const uint8_t* a, const uint8_t* b, uint32_t n) {
  uint8_t d = 0;
  for (uint32_t i = 0; i < n; ++i) d |= static_cast<uint8_t>(a[i] ^ b[i]);
  return d == 0;
}

inline uint64_t load_u64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// AES-CM IV (RFC 3711 §4.1.1): salt*2^16 ^ SSRC*2^64 ^ index*2^16, as two big-endian words.
inline void cm_iv(uint8_t iv[16], const uint8_t salt[16], uint32_t ssrc, uint64_t index) {
  const uint64_t w0 = load_u64(salt) ^ __builtin_bswap64(uint64_t{ssrc});
  const uint64_t w1 = (load_u64(salt + 8) & __builtin_bswap64(~uint64_t{0xffff})) ^ __builtin_bswap64(index << 16);
  std::memcpy(iv, &w0, 8);
  std::memcpy(iv + 8, &w1, 8);
}

// GCM IV (RFC 7714 §8.1 / §9.1), 12 bytes: (00 00 || SSRC || v48) ^ salt, v48 = ROC||SEQ for
// SRTP (the packet index) and 0000||index for SRTCP.
inline void gcm_iv(uint8_t iv[16], const uint8_t salt[16], uint32_t ssrc, uint64_t v48) {
  const uint64_t w0 = load_u64(salt) ^ __builtin_bswap64((uint64_t{ssrc} << 16) | (v48 >> 32 & 0xffff));
  uint32_t s1;
  std::memcpy(&s1, salt + 8, 4);
  const uint32_t w1 = s1 ^ __builtin_bswap32(static_cast<uint32_t>(v48));
  std::memcpy(iv, &w0, 8);
  std::memcpy(iv + 8, &w1, 4);
}

inline void set_cm_job(IMB_JOB* job, const SrtpStreamKeys& k, uint8_t* buf, uint32_t cipher_off,
                       uint32_t cipher_len, uint32_t hash_len, const uint8_t* iv, uint8_t* tag,
                       bool encrypt) {
  job->cipher_mode = cipher_len != 0 ? IMB_CIPHER_CNTR : IMB_CIPHER_NULL;
  job->cipher_direction = encrypt ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
  job->chain_order = encrypt ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
  job->hash_alg = IMB_AUTH_HMAC_SHA_1;
  job->enc_keys = k.cm.aes_enc_keys;
  job->dec_keys = k.cm.aes_enc_keys;
  job->key_len_in_bytes = 16;
  job->src = buf;
  job->dst = buf + cipher_off;  // ipsec-mb: dst is where the ciphered bytes go
  job->cipher_start_src_offset_in_bytes = cipher_off;
  job->msg_len_to_cipher_in_bytes = cipher_len;
  job->hash_start_src_offset_in_bytes = 0;
  job->msg_len_to_hash_in_bytes = hash_len;
  job->iv = iv;
  job->iv_len_in_bytes = 16;
  job->auth_tag_output = tag;
  job->auth_tag_output_len_in_bytes = 12;  // ipsec-mb 1.3 refuses 10: truncate after
  job->u.HMAC._hashed_auth_key_xor_ipad = k.cm.hmac_ipad;
  job->u.HMAC._hashed_auth_key_xor_opad = k.cm.hmac_opad;
}

inline void set_gcm_job(IMB_JOB* job, const SrtpStreamKeys& k, uint32_t key_len, uint8_t* buf,
                        uint32_t off, uint32_t len, const uint8_t* aad, uint32_t aad_len,
                        const uint8_t* iv, uint8_t* tag, bool encrypt) {
  job->cipher_mode = IMB_CIPHER_GCM;
  job->cipher_direction = encrypt ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
  job->chain_order = encrypt ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
  job->hash_alg = IMB_AUTH_AES_GMAC;
  job->enc_keys = &k.gcm;
  job->dec_keys = &k.gcm;
  job->key_len_in_bytes = key_len;
  job->src = buf;
  job->dst = buf + off;
  job->cipher_start_src_offset_in_bytes = off;
  job->msg_len_to_cipher_in_bytes = len;
  job->hash_start_src_offset_in_bytes = off;
  job->msg_len_to_hash_in_bytes = len;
  job->iv = iv;
  job->iv_len_in_bytes = 12;
  job->auth_tag_output = tag;
  job->auth_tag_output_len_in_bytes = 16;
  job->u.GCM.aad = aad;
  job->u.GCM.aad_len_in_bytes = aad_len;
  job->u.GCM.ctx = nullptr;
}

}  // namespace

SrtpBatch::SrtpBatch() {
  mgr_ = alloc_mb_mgr(0);
  if (mgr_ != nullptr) init_mb_mgr_auto(mgr_, &arch_);
  std::memset(slots_, 0, sizeof(slots_));
}

SrtpBatch::~SrtpBatch() {
  if (mgr_ != nullptr) free_mb_mgr(mgr_);
}

void SrtpBatch::mark(IMB_JOB* job) {
  Slot* s = static_cast<Slot*>(job->user_data);
  s->job_ok = job->status == IMB_STATUS_COMPLETED;
}

template <SrtpBatch::Op kOp>
bool SrtpBatch::prepare_rtp(SrtpPacket& p, Slot& s, IMB_JOB* job, SrtpResult& r) {
  SrtpContext& c = *p.ctx;
  const SrtpProfileInfo& info = c.info();
  uint8_t* b = p.buf;
  r = SrtpResult::kBadLength;
  const SrtpStreamKeys& k = c.rtp_keys();
  const uint32_t tag = info.rtp_tag_len;
  const uint32_t hdr = rtp_header_len(b, p.len);
  if (hdr == 0) return false;
  const uint16_t seq = load_be16(b + 2);
  s.ssrc = load_be32(b + 8);
  if constexpr (kOp == Op::kProtectRtp) {
    if (p.capacity < p.len + (tag > 4 ? tag : 4)) return false;
    s.index = c.next_protect_index(s.ssrc, seq);
    s.new_len = p.len + tag;
  } else {
    if (p.len < hdr + tag) return false;
    if (!c.rx_index(s.ssrc, seq, &s.index, &s.candidate)) [[unlikely]] {
      r = SrtpResult::kReplayFail;
      return false;
    }
    s.new_len = p.len - tag;
    std::memcpy(s.rtag, b + s.new_len, tag);
  }
  const uint32_t plen = kOp == Op::kProtectRtp ? p.len : s.new_len;
  const uint32_t roc = static_cast<uint32_t>(s.index >> 16);
  if (info.gcm) {
    gcm_iv(s.iv, k.salt, s.ssrc, (uint64_t{roc} << 16) | seq);
    uint8_t* tag_out = kOp == Op::kProtectRtp ? b + p.len : s.tag;
    set_gcm_job(job, k, info.master_key_len, b, hdr, plen - hdr, b, hdr, s.iv, tag_out,
                kOp == Op::kProtectRtp);
  } else {
    cm_iv(s.iv, k.salt, s.ssrc, s.index);
    store_be32(b + plen, roc);  // HMAC covers header || payload || ROC
    set_cm_job(job, k, b, hdr, plen - hdr, plen + 4, s.iv, s.tag, kOp == Op::kProtectRtp);
  }
  s.tag_len = static_cast<uint8_t>(tag);
  job->user_data = &s;
  return true;
}

template <SrtpBatch::Op kOp>
bool SrtpBatch::prepare_rtcp(SrtpPacket& p, Slot& s, IMB_JOB* job, SrtpResult& r) {
  SrtpContext& c = *p.ctx;
  const SrtpProfileInfo& info = c.info();
  uint8_t* b = p.buf;
  r = SrtpResult::kBadLength;
  const SrtpStreamKeys& k = c.rtcp_keys();
  const uint32_t tag = info.rtcp_tag_len;
  if (p.len < 8) return false;
  if constexpr (kOp == Op::kProtectRtcp) {
    if (p.capacity < p.len + 4 + tag) return false;
    const uint32_t idx = c.next_srtcp_index();
    s.index = idx;
    const uint32_t trailer = 0x80000000U | idx;
    if (info.gcm) {
      gcm_iv(s.iv, k.salt, load_be32(b + 4), idx);
      std::memcpy(s.aad, b, 8);
      store_be32(s.aad + 8, trailer);
      store_be32(b + p.len + 16, trailer);
      set_gcm_job(job, k, info.master_key_len, b, 8, p.len - 8, s.aad, 12, s.iv, b + p.len,
                  true);
    } else {
      cm_iv(s.iv, k.salt, load_be32(b + 4), idx);
      store_be32(b + p.len, trailer);
      set_cm_job(job, k, b, 8, p.len - 8, p.len + 4, s.iv, s.tag, true);
    }
    s.new_len = p.len + 4 + tag;
  } else {
    if (p.len < 8 + 4 + tag) return false;
    const bool gcm = info.gcm;
    const uint32_t trailer_off = gcm ? p.len - 4 : p.len - tag - 4;
    const uint32_t trailer = load_be32(b + trailer_off);
    const uint32_t idx = trailer & 0x7fffffffU;
    const bool encrypted = (trailer & 0x80000000U) != 0;
    s.index = idx;
    s.ssrc = load_be32(b + 4);
    if (!c.rtcp_rx_check(s.ssrc, idx, &s.candidate)) [[unlikely]] {
      r = SrtpResult::kReplayFail;
      return false;
    }
    if (gcm) {
      const uint32_t ct_len = p.len - 4 - tag - 8;
      std::memcpy(s.rtag, b + 8 + ct_len, tag);
      gcm_iv(s.iv, k.salt, s.ssrc, idx);
      if (encrypted) {
        std::memcpy(s.aad, b, 8);
        store_be32(s.aad + 8, trailer);
        set_gcm_job(job, k, info.master_key_len, b, 8, ct_len, s.aad, 12, s.iv, s.tag, false);
      } else [[unlikely]] {
        // RFC 7714 §9.2, E=0: everything is AAD (header || payload || E+index), no ciphertext.
        // Move the trailer over the saved tag so the AAD is contiguous.
        store_be32(b + 8 + ct_len, trailer);
        set_gcm_job(job, k, info.master_key_len, b, 8 + ct_len + 4, 0, b, 8 + ct_len + 4,
                    s.iv, s.tag, false);
      }
      s.new_len = 8 + ct_len;
    } else {
      const uint32_t auth_len = p.len - tag;
      std::memcpy(s.rtag, b + auth_len, tag);
      cm_iv(s.iv, k.salt, s.ssrc, idx);
      set_cm_job(job, k, b, 8, encrypted ? trailer_off - 8 : 0, auth_len, s.iv, s.tag, false);
      s.new_len = trailer_off;
    }
  }
  s.tag_len = static_cast<uint8_t>(tag);
  job->user_data = &s;
  return true;
}

template <SrtpBatch::Op kOp>
bool SrtpBatch::prepare(SrtpPacket& p, Slot& s, IMB_JOB* job, SrtpResult& r) {
  if constexpr (kOp == Op::kProtectRtp || kOp == Op::kUnprotectRtp) {
    return prepare_rtp<kOp>(p, s, job, r);
  } else {
    return prepare_rtcp<kOp>(p, s, job, r);
  }
}

template <SrtpBatch::Op kOp>
void SrtpBatch::finish(SrtpPacket& p, Slot& s, SrtpResult& r) {
  if (!s.job_ok) [[unlikely]] {
    r = kOp == Op::kUnprotectRtp || kOp == Op::kUnprotectRtcp ? SrtpResult::kAuthFail
                                                              : SrtpResult::kBadLength;
    if constexpr (kOp == Op::kUnprotectRtp) p.ctx->rtp_auth_failed();
    return;
  }
  SrtpContext& c = *p.ctx;
  if constexpr (kOp == Op::kProtectRtp) {
    if (!c.info().gcm) std::memcpy(p.buf + p.len, s.tag, s.tag_len);
  } else if constexpr (kOp == Op::kProtectRtcp) {
    if (!c.info().gcm) std::memcpy(p.buf + p.len + 4, s.tag, s.tag_len);
  } else {
    if (!tags_equal(s.tag, s.rtag, s.tag_len)) [[unlikely]] {
      r = SrtpResult::kAuthFail;
      if constexpr (kOp == Op::kUnprotectRtp) c.rtp_auth_failed();
      return;
    }
    const RxVerdict v = kOp == Op::kUnprotectRtp
                            ? c.accept_rtp(s.index, s.ssrc, s.candidate)
                            : c.accept_rtcp(static_cast<uint32_t>(s.index), s.ssrc, s.candidate);
    if (v == RxVerdict::kReplay) [[unlikely]] {
      r = SrtpResult::kReplayFail;
      return;
    }
    p.len = s.new_len;
    r = v == RxVerdict::kResynced ? SrtpResult::kResynced : SrtpResult::kOk;
    return;
  }
  p.len = s.new_len;
  r = SrtpResult::kOk;
}

template <SrtpBatch::Op kOp>
void SrtpBatch::run(SrtpPacket* pkts, SrtpResult* res, uint32_t n) {
  while (n > 0) {
    const uint32_t m = n < kMaxBurst ? n : kMaxBurst;
    for (uint32_t i = 0; i < m; ++i) {
      Slot& s = slots_[i];
      s.pending = false;
      s.candidate = false;
      s.job_ok = false;
      IMB_JOB* job = IMB_GET_NEXT_JOB(mgr_);
      if (!prepare<kOp>(pkts[i], s, job, res[i])) continue;
      s.pending = true;
      IMB_JOB* done = IMB_SUBMIT_JOB(mgr_);
      while (done != nullptr) {
        mark(done);
        done = mgr_->get_completed_job(mgr_);
      }
    }
    IMB_JOB* done;
    while ((done = IMB_FLUSH_JOB(mgr_)) != nullptr) mark(done);
    for (uint32_t i = 0; i < m; ++i) {
      if (slots_[i].pending) finish<kOp>(pkts[i], slots_[i], res[i]);
    }
    pkts += m;
    res += m;
    n -= m;
  }
}

void SrtpBatch::protect_rtp(SrtpPacket* p, SrtpResult* r, uint32_t n) {
  run<Op::kProtectRtp>(p, r, n);
}
void SrtpBatch::unprotect_rtp(SrtpPacket* p, SrtpResult* r, uint32_t n) {
  run<Op::kUnprotectRtp>(p, r, n);
}
void SrtpBatch::protect_rtcp(SrtpPacket* p, SrtpResult* r, uint32_t n) {
  run<Op::kProtectRtcp>(p, r, n);
}
void SrtpBatch::unprotect_rtcp(SrtpPacket* p, SrtpResult* r, uint32_t n) {
  run<Op::kUnprotectRtcp>(p, r, n);
}

}  // namespace rtpgate::dp::srtp
