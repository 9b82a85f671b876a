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

// Bytes of key material kept per stream (RTP or RTCP). AES-CM+HMAC and AES-GCM keys share
// their storage (a context has one profile), which keeps a context at about 2 KiB.
struct SrtpCmKeys {
  // AES key schedule (enc only, CTR mode).
  alignas(16) uint32_t aes_enc_keys[4 * 15];
  // HMAC-SHA1 inner/outer states (IMB_SHA1_ONE_BLOCK of key^ipad / key^opad).
  alignas(16) uint8_t hmac_ipad[20];
  alignas(16) uint8_t hmac_opad[20];
};

struct alignas(64) SrtpStreamKeys {
  // Session salt: 14 bytes (AES-CM) or 12 (GCM), zero-padded to 16.
  alignas(16) uint8_t salt[16];
  union {
    SrtpCmKeys cm;
    struct gcm_key_data gcm;  // AES-GCM expanded key + GHASH tables
  };
};

// What the receive side decided for an authenticated packet (see SrtpContext::accept_rtp).
enum class RxVerdict : uint8_t { kAccepted, kReplay, kResynced };

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
  //
  // Receive-side recovery (no one-way audio after a hold or a peer restart). RFC 3711's
  // index estimate and 128-packet replay window alone drop every packet of a stream whose
  // sequence numbers restarted behind the highest index seen (or whose ROC went back to 0)
  // as "replayed", until the new numbers pass the old ones: minutes of one-way audio. Rule:
  //  - a packet inside the window that was already received is a replay: dropped, no crypto;
  //  - a packet that is too old for the window, carries another SSRC than the stream's, or
  //    (after kProbeAfter consecutive authentication failures, on every other packet) is
  //    tried with ROC 0, is authenticated as a *candidate*. kResyncAfter consecutive
  //    authenticated candidates of one SSRC with increasing index (no normally accepted
  //    packet in between) re-synchronise the stream: SSRC, ROC, highest index and window
  //    are taken from the last one, which is accepted (srtp_resync counter). Earlier
  //    candidates are dropped as replays. A forger without the key can never trigger it;
  //    an attacker replaying kResyncAfter captured packets in order can, which is the price
  //    of recovering (the genuine stream then resynchronises back the same way).
  //  - SRTCP: the same with the index carried in the packet (kRtcpResyncAfter packets).
  // The send side restarts ROC/sequence tracking when the SSRC it protects changes
  // (a new SSRC is a new SRTP stream, RFC 3711 §3.2.3).
  static constexpr uint16_t kResyncAfter = 8;
  static constexpr uint16_t kRtcpResyncAfter = 2;
  static constexpr uint16_t kProbeAfter = 16;

  // RFC 3711 App. A: estimated 48-bit index for a received seq (uses committed state only).
  uint64_t estimate_index(uint16_t seq) const;
  // Receiver: index to authenticate a packet with; *candidate when it is not a plain
  // in-order packet of the current stream (see above). False = replay, drop without crypto.
  bool rx_index(uint32_t ssrc, uint16_t seq, uint64_t* index, bool* candidate);
  // Receiver, after a packet authenticated with `index`.
  RxVerdict accept_rtp(uint64_t index, uint32_t ssrc, bool candidate);
  void rtp_auth_failed() {
    if (fail_run_ < 0xffff) fail_run_++;
  }
  // SRTCP receiver: false = replay (drop without crypto).
  bool rtcp_rx_check(uint32_t ssrc, uint32_t index, bool* candidate) const;
  RxVerdict accept_rtcp(uint32_t index, uint32_t ssrc, bool candidate);
  // Sender: index for the next outgoing seq; updates ROC/highest immediately.
  uint64_t next_protect_index(uint32_t ssrc, uint16_t seq);
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
    ssrc_known_ = false;  // the next packet's SSRC is the stream's
  }
  // Benchmark hook: forgets every sequence/replay state, keeps the keys.
  void reset_state();

  // Hot lines of a packet's context: state (this) and the stream's key material, which the
  // crypto reads a few hundred cycles later (contexts of 1,000+ flows do not fit in L2).
  // 5 lines: salt + AES-CM schedule + HMAC states, or salt + AES-GCM round keys (the GHASH
  // table after them is not prefetched: its lines depend on the library's layout).
  static constexpr int kPrefetchKeyLines = 5;
  void prefetch(bool rtcp) const {
    __builtin_prefetch(this);
    __builtin_prefetch(reinterpret_cast<const char*>(this) + 64);
    const char* k = reinterpret_cast<const char*>(rtcp ? &rtcp_ : &rtp_);
    for (int i = 0; i < kPrefetchKeyLines; i++) __builtin_prefetch(k + 64 * i);
  }
  const SrtpStreamKeys& rtp_keys() const { return rtp_; }
  const SrtpStreamKeys& rtcp_keys() const { return rtcp_; }

 private:
  void adopt_rtp(uint64_t index, uint32_t ssrc);

  // Per-packet state first (the lines a worker prefetches), then the keys.
  const SrtpProfileInfo* info_ = nullptr;
  SrtpProfile profile_ = SrtpProfile::kAesCm128HmacSha1_80;
  SrtpDirection dir_ = SrtpDirection::kProtect;
  bool seq_initialised_ = false;
  bool rtcp_ssrc_known_ = false;
  bool ssrc_known_ = false;
  uint16_t s_l_ = 0;  // highest sequence number seen (RFC 3711 s_l)
  uint32_t roc_ = 0;
  uint32_t ssrc_ = 0;       // SSRC of the RTP stream the state belongs to
  uint32_t srtcp_index_ = 0;
  uint32_t rtcp_ssrc_ = 0;
  // Receive-side re-synchronisation (see above).
  uint16_t cand_run_ = 0;
  uint16_t fail_run_ = 0;
  uint32_t cand_ssrc_ = 0;
  uint64_t cand_index_ = 0;
  uint16_t rcand_run_ = 0;
  bool probe_toggle_ = false;
  bool prov_ = false;       // receiver not initialised yet: prov_sl_ is the burst's first seq
  uint16_t prov_sl_ = 0;
  uint32_t rcand_ssrc_ = 0;
  uint32_t rcand_index_ = 0;
  ReplayWindow rtp_replay_{};
  ReplayWindow rtcp_replay_{};
  SrtpStreamKeys rtp_{};
  SrtpStreamKeys rtcp_{};
};

}  // namespace rtpgate::dp::srtp
