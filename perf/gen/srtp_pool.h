// rtpgate-perf: SRTP for the transcryption runs (AES_CM_128_HMAC_SHA1_80, Debian's libsrtp2).
// - SrtpPool: `n` RTP packets of one profile, sequence numbers 0..n-1, protected once before
//   the trials (libsrtp2 does ~0.1-0.3 Mpps: far too slow for the timed path). Every flow
//   sends the same SSRC with the same master key, so packet k is byte for byte the same for
//   every flow and one pool serves them all (each flow still has its own context in the data
//   plane, with its own replay window and roll-over counter). Flow i's k-th packet is entry k:
//   a flow that sent n packets has exhausted the pool (its next packets replay old indices
//   and the data plane drops them: counted as loss).
// - SrtpVerifier: libsrtp2 receive session that authenticates and decrypts the packets the
//   data plane protected on one flow (flow 0's, in order), the sink's proof that what comes
//   out is valid SRTP.
// Built on the main lcore at start-up; packet()/check() run on it during trials.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "frame_class.h"
#include "profile.h"
#include "rtpgate/shm/srtp_entry.h"

namespace rtpgate::perf {

enum class SrtpMode : uint8_t { None, In, Out };  // In: the generator sends SRTP; Out: the data plane protects
const char* to_string(SrtpMode m) noexcept;

constexpr uint32_t kSrtpTagBytes = 10;       // HMAC-SHA1-80
constexpr uint32_t kSrtpSsrc = 0x5e5e0001u;  // every flow's SSRC in the In runs
// The master key (16 bytes) and salt (14) of every context, as the data plane's entry wants them.
void srtp_fill_entry(rtpgate_shm_srtp_entry* e, rtpgate_srtp_dir dir) noexcept;

class SrtpPool {
 public:
  // False with *why (libsrtp2 error).
  bool build(const Profile& p, uint32_t n, std::string* why);
  uint32_t size() const noexcept { return n_; }
  uint32_t len() const noexcept { return len_; }  // RTP header + payload + tag
  const uint8_t* packet(uint32_t k) const noexcept { return &buf_[size_t{k} * stride_]; }

 private:
  uint32_t n_ = 0, len_ = 0, stride_ = 0;
  std::vector<uint8_t> buf_;
};

class SrtpVerifier {
 public:
  SrtpVerifier() = default;
  ~SrtpVerifier();
  SrtpVerifier(const SrtpVerifier&) = delete;
  SrtpVerifier& operator=(const SrtpVerifier&) = delete;
  bool init(std::string* why);
  // Authenticates and decrypts a copy of `rtp` (len bytes) and reads the stamp. True when
  // the tag is right and the plaintext carries our stamp with RTP sequence `seq16`.
  bool check(const uint8_t* rtp, uint32_t len) noexcept;

 private:
  void* session_ = nullptr;  // srtp_t
  uint8_t scratch_[kMaxFrame]{};
};

// A frame of class `fc` (built for the SRTP length) carrying pre-protected bytes: headers,
// IPv4 checksum, UDP checksum 0 (IPv4: none; the tag authenticates the payload).
[[gnu::always_inline]] inline void fill_srtp_frame(uint8_t* p, const FrameClass& fc, const uint8_t dst_ip[4],
                                                   uint16_t port, const uint8_t* srtp, uint32_t len) noexcept {
  fill_l3l4(p, fc, dst_ip, port);
  std::memset(p + kFrameL4Off + 6, 0, 2);
  std::memcpy(p + kFrameRtpOff, srtp, len);
}

}  // namespace rtpgate::perf
