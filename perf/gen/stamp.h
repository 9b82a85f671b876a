// rtpgate-perf: what every generated packet carries after its RTP header (flow, per-flow
// sequence, trial epoch, send time), and the RTP header itself. Plain bytes, any thread.
#pragma once
#include <cstdint>
#include <cstring>

namespace rtpgate::perf {

constexpr uint32_t kStampMagic = 0x46504752u;  // "RGPF" in memory order
constexpr uint32_t kRtpHeaderBytes = 12;

// The first 24 bytes of the RTP payload, host byte order (sender and sink are one process).
struct Stamp {
  uint32_t magic;
  uint32_t flow;     // index of the flow in the generator
  uint32_t seq;      // per-flow sequence, 32 bits (the RTP header's 16 are rewritten by relays)
  uint32_t epoch;    // trial the packet belongs to
  uint64_t tx_time;  // TSC (DPDK engine) or CLOCK_MONOTONIC ns (kernel engine)
};
static_assert(sizeof(Stamp) == 24);
constexpr uint32_t kStampBytes = sizeof(Stamp);

// RTP header (V=2, no CSRC/extension) followed by the stamp: kRtpHeaderBytes + kStampBytes.
inline void write_rtp_stamp(uint8_t* rtp, uint8_t pt, uint32_t ssrc, uint32_t ts_step, const Stamp& s) noexcept {
  const uint32_t ts = s.seq * ts_step;
  rtp[0] = 0x80;
  rtp[1] = pt;
  rtp[2] = static_cast<uint8_t>(s.seq >> 8);
  rtp[3] = static_cast<uint8_t>(s.seq);
  const uint32_t ts_be = __builtin_bswap32(ts), ssrc_be = __builtin_bswap32(ssrc);
  std::memcpy(rtp + 4, &ts_be, 4);
  std::memcpy(rtp + 8, &ssrc_be, 4);
  std::memcpy(rtp + kRtpHeaderBytes, &s, sizeof s);
}

// Reads the stamp from an RTP packet of `len` bytes (CSRCs skipped); false when it is not ours.
inline bool read_rtp_stamp(const uint8_t* rtp, uint32_t len, Stamp* s) noexcept {
  if (len < kRtpHeaderBytes + kStampBytes || (rtp[0] >> 6) != 2) return false;
  const uint32_t off = kRtpHeaderBytes + 4u * (rtp[0] & 0x0fu);
  if (off + kStampBytes > len) return false;
  std::memcpy(s, rtp + off, sizeof *s);
  return s->magic == kStampMagic;
}

// SSRC of a flow as the generator sends it (never 0).
inline uint32_t flow_ssrc(uint32_t flow) noexcept { return (0x5e000000u ^ (flow * 2654435761u)) | 1u; }

}  // namespace rtpgate::perf
