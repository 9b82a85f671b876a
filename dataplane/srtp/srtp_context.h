// Per-direction SRTP/SRTCP crypto context: derived keys pre-expanded for intel-ipsec-mb, ROC
// estimation (RFC 3711 App. A), replay windows, SRTCP index. Created off the fast path; its
// protect/unprotect state is touched only by the owning lcore through SrtpBatch.
#pragma once

#include <intel-ipsec-mb.h>

#include <cstddef>
#include <cstdint>

namespace rtpgate::dp::srtp {

enum class SrtpProfile : uint8_t {
  kAesCm128HmacSha1_80 = 1,
  kAesCm128HmacSha1_32 = 2,
  kAeadAes128Gcm = 7,
  kAeadAes256Gcm = 8,
};

enum class SrtpDirection : uint8_t { kProtect, kUnprotect };

// Replay window over a 64-bit packet index: bit i set = (highest - i) was received.
struct ReplayWindow {
  static constexpr uint64_t kBits = 128;
  uint64_t highest = 0;
  uint64_t bits[2] = {0, 0};
  bool initialised = false;

  bool check(uint64_t index) const {
    if (!initialised || index > highest) return true;
    const uint64_t delta = highest - index;
    if (delta >= kBits) return false;
    return ((bits[delta >> 6] >> (delta & 63)) & 1U) == 0;
  }
  void update(uint64_t index);
};

// Bytes of key material kept per stream (RTP or RTCP).
struct alignas(64) SrtpStreamKeys {
  // AES-CM: AES key schedule (enc only, CTR mode).
  alignas(16) uint32_t aes_enc_keys[4 * 15];
  // HMAC-SHA1 inner/outer states (IMB_SHA1_ONE_BLOCK of key^ipad / key^opad).
  alignas(16) uint8_t hmac_ipad[20];
  alignas(16) uint8_t hmac_opad[20];
  // Session salt: 14 bytes (AES-CM) or 12 (GCM), zero-padded to 16.
  alignas(16) uint8_t salt[16];
  // AES-GCM expanded key + GHASH tables.
  struct gcm_key_data gcm;
};

struct SrtpProfileInfo {
  uint8_t master_key_len;
  uint8_t master_salt_len;
  uint8_t rtp_tag_len;   // bytes appended to SRTP
  uint8_t rtcp_tag_len;  // bytes of the SRTCP tag
  bool gcm;
};

const SrtpProfileInfo& srtp_profile_info(SrtpProfile p);

class SrtpContext {
 public:
  SrtpContext() = default;
  ~SrtpContext() { wipe(); }
  SrtpContext(const SrtpContext&) = delete;
  SrtpContext& operator=(const SrtpContext&) = delete;

  // Derives and expands all session keys. master_key/master_salt lengths must match the profile
  // (16/32 bytes; 14 bytes for AES-CM, 12 for GCM). Returns false on bad lengths.
  bool init(SrtpProfile profile, SrtpDirection dir, const uint8_t* master_key, size_t key_len,
            const uint8_t* master_salt, size_t salt_len);
  // Zeros every key and all state (explicit_bzero).
  void wipe();

  SrtpProfile profile() const { return profile_; }
  SrtpDirection direction() const { return dir_; }
  const SrtpProfileInfo& info() const { return *info_; }
  bool valid() const { return info_ != nullptr; }

  // --- state used by SrtpBatch (owning lcore only) ---
  // RFC 3711 App. A: estimated 48-bit index for a received seq (uses committed state only).
  uint64_t estimate_index(uint16_t seq) const;
  // Sender: index for the next outgoing seq; updates ROC/highest immediately.
  uint64_t next_protect_index(uint16_t seq);
  // Receiver: after a packet authenticated; false if it turned out to be a replay.
  bool commit_rtp(uint64_t index);
  bool rtp_replay_ok(uint64_t index) const { return rtp_replay_.check(index); }
  bool rtcp_replay_ok(uint32_t index) const { return rtcp_replay_.check(index); }
  bool commit_rtcp(uint32_t index);
  uint32_t next_srtcp_index() {
    const uint32_t i = srtcp_index_;
    srtcp_index_ = (srtcp_index_ + 1) & 0x7fffffffU;
    return i;
  }
  uint32_t roc() const { return roc_; }
  // Test/diagnostic hook: sets the sender/receiver ROC and highest seq (e.g. RFC 4568 resync).
  void set_roc(uint32_t roc, uint16_t highest_seq) {
    roc_ = roc;
    s_l_ = highest_seq;
    seq_initialised_ = true;
  }

  const SrtpStreamKeys& rtp_keys() const { return rtp_; }
  const SrtpStreamKeys& rtcp_keys() const { return rtcp_; }

 private:
  SrtpStreamKeys rtp_{};
  SrtpStreamKeys rtcp_{};
  const SrtpProfileInfo* info_ = nullptr;
  SrtpProfile profile_ = SrtpProfile::kAesCm128HmacSha1_80;
  SrtpDirection dir_ = SrtpDirection::kProtect;
  bool seq_initialised_ = false;
  uint16_t s_l_ = 0;  // highest sequence number seen (RFC 3711 s_l)
  uint32_t roc_ = 0;
  uint32_t srtcp_index_ = 0;
  ReplayWindow rtp_replay_{};
  ReplayWindow rtcp_replay_{};
};

}  // namespace rtpgate::dp::srtp
