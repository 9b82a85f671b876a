// RTP and RTCP header validation and the RFC 5761 RTP/RTCP demultiplexing rule (plain bytes).
#pragma once
#include <cstdint>

namespace rtpgate::dp {

enum class RtpCheck : uint8_t { Ok, TooShort, BadVersion, BadCsrc, BadExtension, BadPadding };
enum class RtcpCheck : uint8_t { Ok, TooShort, BadVersion, BadType, BadLength };

constexpr uint32_t kRtpHeaderLen = 12;

// RFC 5761 section 4: a second byte in 192..223 is RTCP on a multiplexed port.
[[gnu::always_inline]] inline bool looks_like_rtcp(const uint8_t* p, uint32_t len) noexcept {
  return len >= 2 && p[1] >= 192 && p[1] <= 223;
}

// Version 2; CSRC list, header extension and padding all inside `len`.
[[gnu::always_inline]] inline RtpCheck check_rtp(const uint8_t* p, uint32_t len) noexcept {
  if (len < kRtpHeaderLen) [[unlikely]] return RtpCheck::TooShort;
  if ((p[0] >> 6) != 2) [[unlikely]] return RtpCheck::BadVersion;
  uint32_t hdr = kRtpHeaderLen + 4u * (p[0] & 0x0fu);
  if (hdr > len) [[unlikely]] return RtpCheck::BadCsrc;
  if (p[0] & 0x10u) {
    if (hdr + 4 > len) [[unlikely]] return RtpCheck::BadExtension;
    hdr += 4 + 4u * (uint32_t(p[hdr + 2]) << 8 | p[hdr + 3]);
    if (hdr > len) [[unlikely]] return RtpCheck::BadExtension;
  }
  if (p[0] & 0x20u) {
    const uint32_t pad = p[len - 1];
    if (pad == 0 || pad > len - hdr) [[unlikely]] return RtpCheck::BadPadding;
  }
  return RtpCheck::Ok;
}

// A compound RTCP packet: every sub-packet version 2, type 192..223, its length inside
// the buffer, and the lengths adding up exactly to `len`.
[[gnu::always_inline]] inline RtcpCheck check_rtcp(const uint8_t* p, uint32_t len) noexcept {
  if (len < 8) [[unlikely]] return RtcpCheck::TooShort;
  uint32_t off = 0;
  while (off < len) {
    if (len - off < 4) [[unlikely]] return RtcpCheck::BadLength;
    const uint8_t* q = p + off;
    if ((q[0] >> 6) != 2) [[unlikely]] return RtcpCheck::BadVersion;
    if (q[1] < 192 || q[1] > 223) [[unlikely]] return RtcpCheck::BadType;
    const uint32_t plen = 4u * ((uint32_t(q[2]) << 8 | q[3]) + 1u);
    if (plen > len - off) [[unlikely]] return RtcpCheck::BadLength;
    off += plen;
  }
  return RtcpCheck::Ok;
}

}  // namespace rtpgate::dp
