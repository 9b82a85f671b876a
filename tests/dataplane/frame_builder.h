// Test helper: builds Ethernet/IPv4|IPv6/UDP frames byte by byte (no checksums unless asked).
#pragma once
#include <cstdint>
#include <vector>

namespace rtpgate::dp::test {

struct FrameSpec {
  int family = 4;              // 4 or 6
  bool vlan = false;
  uint16_t vlan_tci = 100;
  uint8_t src[16] = {10, 0, 0, 1};
  uint8_t dst[16] = {10, 0, 0, 2};
  uint16_t sport = 5004;
  uint16_t dport = 20000;
  std::vector<uint8_t> payload = std::vector<uint8_t>(20, 0xab);
  uint8_t ihl_words = 5;       // IPv4 header length in 32-bit words (options zero-filled)
  uint8_t proto = 17;
  uint16_t frag = 0;           // IPv4 flags + fragment offset field
  size_t trailer = 0;          // Ethernet padding after the IP datagram
};

inline void put16(std::vector<uint8_t>& v, size_t off, uint16_t x) {
  v[off] = uint8_t(x >> 8);
  v[off + 1] = uint8_t(x);
}

// Offsets of the layers in a frame built from `s`.
inline size_t l3_offset(const FrameSpec& s) { return s.vlan ? 18 : 14; }
inline size_t l4_offset(const FrameSpec& s) {
  return l3_offset(s) + (s.family == 4 ? s.ihl_words * 4u : 40u);
}

inline std::vector<uint8_t> build_frame(const FrameSpec& s) {
  const size_t l3 = l3_offset(s);
  const size_t l4 = l4_offset(s);
  const size_t udp_len = 8 + s.payload.size();
  std::vector<uint8_t> f(l4 + udp_len + s.trailer, 0);
  for (int i = 0; i < 6; i++) {
    f[i] = uint8_t(0x02 + i);      // dst MAC
    f[6 + i] = uint8_t(0x12 + i);  // src MAC
  }
  if (s.vlan) {
    put16(f, 12, 0x8100);
    put16(f, 14, s.vlan_tci);
    put16(f, 16, s.family == 4 ? 0x0800 : 0x86DD);
  } else {
    put16(f, 12, s.family == 4 ? 0x0800 : 0x86DD);
  }
  if (s.family == 4) {
    f[l3] = uint8_t(0x40 | s.ihl_words);
    put16(f, l3 + 2, uint16_t(l4 - l3 + udp_len));
    put16(f, l3 + 4, 0x1234);
    put16(f, l3 + 6, s.frag);
    f[l3 + 8] = 64;
    f[l3 + 9] = s.proto;
    for (int i = 0; i < 4; i++) {
      f[l3 + 12 + i] = s.src[i];
      f[l3 + 16 + i] = s.dst[i];
    }
  } else {
    f[l3] = 0x60;
    put16(f, l3 + 4, uint16_t(udp_len));
    f[l3 + 6] = s.proto;
    f[l3 + 7] = 64;
    for (int i = 0; i < 16; i++) {
      f[l3 + 8 + i] = s.src[i];
      f[l3 + 24 + i] = s.dst[i];
    }
  }
  put16(f, l4, s.sport);
  put16(f, l4 + 2, s.dport);
  put16(f, l4 + 4, uint16_t(udp_len));
  for (size_t i = 0; i < s.payload.size(); i++) f[l4 + 8 + i] = s.payload[i];
  return f;
}

inline FrameSpec v6_spec() {
  FrameSpec s;
  s.family = 6;
  const uint8_t src[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
  const uint8_t dst[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xca, 0xfe};
  for (int i = 0; i < 16; i++) {
    s.src[i] = src[i];
    s.dst[i] = dst[i];
  }
  return s;
}

}  // namespace rtpgate::dp::test
