// Byte builders for RTP / RTCP test packets.
#pragma once
#include <cstdint>
#include <vector>

namespace rtpgate::ctl::media::testing {

inline void put16(uint8_t* p, uint16_t v) { p[0] = uint8_t(v >> 8), p[1] = uint8_t(v); }
inline void put32(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v >> 24), p[1] = uint8_t(v >> 16), p[2] = uint8_t(v >> 8), p[3] = uint8_t(v);
}
inline uint16_t get16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
inline uint32_t get32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}

inline std::vector<uint8_t> rtp(uint32_t ssrc, uint16_t seq, uint32_t ts, uint8_t pt = 0, size_t payload = 20) {
  std::vector<uint8_t> b(12 + payload, 0xab);
  b[0] = 0x80;
  b[1] = pt;
  put16(&b[2], seq);
  put32(&b[4], ts);
  put32(&b[8], ssrc);
  return b;
}

// One RTCP packet: header with count/fmt, type, then `words` 32-bit words after the header
// (the first one is the sender SSRC), filled with `fill`.
inline std::vector<uint8_t> rtcp(uint8_t count, uint8_t type, uint32_t words, uint32_t fill = 0x11111111) {
  std::vector<uint8_t> b(4 + 4 * words);
  b[0] = uint8_t(0x80 | (count & 0x1f));
  b[1] = type;
  put16(&b[2], static_cast<uint16_t>(words));
  for (uint32_t i = 0; i < words; i++) put32(&b[4 + 4 * i], fill);
  return b;
}

inline std::vector<uint8_t> cat(std::vector<uint8_t> a, const std::vector<uint8_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace rtpgate::ctl::media::testing
