// rtpgate-perf: Ethernet/IPv4/UDP/RTP frames of one profile, built per packet from a
// header template, the stamp and incremental checksums over a payload pattern that the
// buffers already hold. Plain bytes: fill_frame() runs on the generator's lcore.
#pragma once
#include <cstdint>
#include <cstring>

#include "../loop_frame.h"
#include "profile.h"
#include "stamp.h"

namespace rtpgate::perf {

constexpr uint32_t kFrameL4Off = kEthLen + kIpv4Len;                                  // 34
constexpr uint32_t kFrameRtpOff = kFrameL4Off + kUdpLen;                              // 42
constexpr uint32_t kFrameBodyOff = kFrameRtpOff + kRtpHeaderBytes + kStampBytes;      // 78
constexpr uint32_t kMaxFrame = 1514;

// The payload byte at frame offset `o` (build_rtp_frame's "silence" pattern).
inline uint8_t pattern_byte(uint32_t o) noexcept { return static_cast<uint8_t>(0xd5 ^ (o - kFrameRtpOff)); }
// Writes the pattern from kFrameBodyOff up to `len` bytes of a frame buffer.
void prefill_pattern(uint8_t* frame, uint32_t len) noexcept;

// The header with the per-flow fields (destination address, ports) and both checksums
// zero, and the partial sums that make the checksums incremental.
struct FrameClass {
  uint8_t hdr[kFrameRtpOff];
  uint16_t frame_len;
  uint8_t pt;
  uint32_t ts_step;
  uint64_t ip_base;   // native-order sum of the IPv4 header without destination and checksum
  uint64_t udp_base;  // pseudo-header and UDP header without destination, ports and checksum,
                      // plus the payload after the stamp (the pattern)
};

FrameClass make_frame_class(const Profile& p, const uint8_t dst_mac[6], const uint8_t src_mac[6],
                            const uint8_t src_ip[4]) noexcept;

// Writes the Ethernet, IPv4 (checksum included) and UDP headers (without the UDP checksum)
// of a frame of class `fc` at `p`; returns the native-order sum of the destination address.
[[gnu::always_inline]] inline uint64_t fill_l3l4(uint8_t* p, const FrameClass& fc, const uint8_t dst_ip[4],
                                                 uint16_t port) noexcept {
  std::memcpy(p, fc.hdr, sizeof fc.hdr);
  std::memcpy(p + kEthLen + 16, dst_ip, 4);
  const uint16_t port_be = __builtin_bswap16(port);
  std::memcpy(p + kFrameL4Off, &port_be, 2);
  std::memcpy(p + kFrameL4Off + 2, &port_be, 2);
  const uint64_t dst_sum = dp::csum_native(p + kEthLen + 16, 4);
  dp::wr16be(p + kEthLen + 10, static_cast<uint16_t>(~dp::csum_native_to_be(fc.ip_base + dst_sum)));
  return dst_sum;
}

// Writes a frame of class `fc` at `p`, whose bytes from kFrameBodyOff already hold the pattern.
[[gnu::always_inline]] inline void fill_frame(uint8_t* p, const FrameClass& fc, const uint8_t dst_ip[4],
                                              uint16_t port, uint32_t ssrc, const Stamp& s) noexcept {
  const uint64_t dst_sum = fill_l3l4(p, fc, dst_ip, port);
  write_rtp_stamp(p + kFrameRtpOff, fc.pt, ssrc, fc.ts_step, s);
  const uint64_t us = fc.udp_base + dst_sum + dp::csum_native(p + kFrameL4Off, 4) +
                      dp::csum_native(p + kFrameRtpOff, kRtpHeaderBytes + kStampBytes);
  const auto uc = static_cast<uint16_t>(~dp::csum_native_to_be(us));
  dp::wr16be(p + kFrameL4Off + 6, uc == 0 ? 0xffff : uc);
}

}  // namespace rtpgate::perf
