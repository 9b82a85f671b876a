// Incremental checksum updates (RFC 1624) against full recomputation, the way the data
// plane rewrites addresses, ports and RTP header bytes of forwarded packets.
#include "net/checksum.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <iostream>
#include <random>
#include <string>
#include <vector>

namespace rtpgate::dp {
namespace {

// Straightforward RFC 1071 reference, independent of checksum.h.
uint16_t ref_sum(const std::vector<uint8_t>& data) {
  uint64_t acc = 0;
  for (size_t i = 0; i < data.size(); i += 2)
    acc += uint32_t(data[i]) << 8 | (i + 1 < data.size() ? data[i + 1] : 0);
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return static_cast<uint16_t>(acc);
}

uint16_t ref_udp_csum(int family, const uint8_t* src, const uint8_t* dst, const uint8_t* udp, uint32_t len) {
  std::vector<uint8_t> v;
  const size_t alen = family == 4 ? 4 : 16;
  v.insert(v.end(), src, src + alen);
  v.insert(v.end(), dst, dst + alen);
  if (family == 4) {
    v.insert(v.end(), {0, 17, uint8_t(len >> 8), uint8_t(len)});
  } else {
    v.insert(v.end(), {0, 0, uint8_t(len >> 8), uint8_t(len), 0, 0, 0, 17});
  }
  v.insert(v.end(), udp, udp + 6);
  v.insert(v.end(), {0, 0});
  v.insert(v.end(), udp + 8, udp + len);
  const uint16_t c = static_cast<uint16_t>(~ref_sum(v));
  return c == 0 ? 0xffff : c;
}

TEST(Checksum, Ipv4HeaderOfKnownPacket) {
  // The classic example: 192.168.0.1 -> 192.168.0.199, UDP, checksum 0xb861.
  const uint8_t ip[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                          0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  EXPECT_EQ(ipv4_header_csum(ip, 20), 0xb861);
  uint8_t zeroed[20];
  std::memcpy(zeroed, ip, 20);
  zeroed[10] = zeroed[11] = 0;  // the field itself is ignored
  EXPECT_EQ(ipv4_header_csum(zeroed, 20), 0xb861);
}

TEST(Checksum, Ipv4HeaderWithOptionsVerifiesToZero) {
  std::mt19937 rng(7);
  for (int n = 0; n < 100; n++) {
    const size_t ihl = 20 + 4 * (n % 11);
    std::vector<uint8_t> ip(ihl);
    for (auto& b : ip) b = uint8_t(rng());
    ip[0] = uint8_t(0x40 | ihl / 4);
    const uint16_t c = ipv4_header_csum(ip.data(), ihl);
    ip[10] = uint8_t(c >> 8);
    ip[11] = uint8_t(c);
    EXPECT_EQ(ref_sum(ip), 0xffff) << "ihl " << ihl;
  }
}

TEST(Checksum, AddBytesPadsOddTail) {
  const uint8_t b[3] = {0x12, 0x34, 0x56};
  EXPECT_EQ(csum_add_bytes(0, b, 3), 0x1234u + 0x5600u);
  EXPECT_EQ(csum_add_bytes(5, b, 0), 5u);
  EXPECT_EQ(csum_fold(0x1ffffu), 0x0001);  // 0xffff + 1 -> end-around carry
  EXPECT_EQ(csum_fold(0xffffffffu), 0xffff);
  EXPECT_EQ(csum_finish(0xffffu), 0);
}

TEST(Checksum, UdpFullMatchesReference) {
  std::mt19937 rng(11);
  for (int family : {4, 6}) {
    for (int n = 0; n < 500; n++) {
      const uint32_t len = 8 + rng() % 300;
      std::vector<uint8_t> udp(len), src(16), dst(16);
      for (auto& b : udp) b = uint8_t(rng());
      for (auto& b : src) b = uint8_t(rng());
      for (auto& b : dst) b = uint8_t(rng());
      udp[4] = uint8_t(len >> 8);
      udp[5] = uint8_t(len);
      EXPECT_EQ(udp_full_csum(family, src.data(), dst.data(), udp.data(), len),
                ref_udp_csum(family, src.data(), dst.data(), udp.data(), len))
          << "family " << family << " len " << len;
    }
  }
}

class ChecksumAdjust : public ::testing::TestWithParam<int> {};

// Mirrors rewrite_headers(): sums of the old and new bytes of src/dst addresses, the two
// ports and RTP bytes 2..11, then csum_adjust, with 0 sent as 0xffff.
TEST_P(ChecksumAdjust, MatchesFullRecomputeOverRandomRewrites) {
  const int family = GetParam();
  const size_t alen = family == 4 ? 4 : 16;
  std::mt19937 rng(20240601u + static_cast<unsigned>(family));
  int zero_results = 0;
  for (int n = 0; n < 10000; n++) {
    const uint32_t len = 8 + 12 + rng() % 200;  // UDP header + RTP header + payload (odd too)
    std::vector<uint8_t> addrs(2 * alen), udp(len);
    for (auto& b : addrs) b = uint8_t(rng());
    for (auto& b : udp) b = uint8_t(rng());
    udp[4] = uint8_t(len >> 8);
    udp[5] = uint8_t(len);
    const uint16_t csum = udp_full_csum(family, addrs.data(), addrs.data() + alen, udp.data(), len);
    udp[6] = uint8_t(csum >> 8);
    udp[7] = uint8_t(csum);

    uint8_t* rtp = udp.data() + 8;
    uint32_t old_sum = csum_add_bytes(0, rtp + 2, 10);
    old_sum = csum_add_bytes(old_sum, addrs.data(), 2 * alen);
    old_sum = csum_add_bytes(old_sum, udp.data(), 4);
    // What can change: RTP seq/ts/ssrc, both addresses, both ports (any subset).
    const unsigned what = rng();
    if (what & 1)
      for (int i = 2; i < 12; i++) rtp[i] = uint8_t(rng());
    if (what & 2)
      for (size_t i = 0; i < alen; i++) addrs[i] = uint8_t(rng());
    if (what & 4)
      for (size_t i = alen; i < 2 * alen; i++) addrs[i] = uint8_t(rng());
    if (what & 8) {
      udp[0] = uint8_t(rng());
      udp[1] = uint8_t(rng());
    }
    if (what & 16) {
      udp[2] = uint8_t(rng());
      udp[3] = uint8_t(rng());
    }
    uint32_t new_sum = csum_add_bytes(0, rtp + 2, 10);
    new_sum = csum_add_bytes(new_sum, addrs.data(), 2 * alen);
    new_sum = csum_add_bytes(new_sum, udp.data(), 4);
    uint16_t adj = csum_adjust(csum, old_sum, new_sum);
    if (adj == 0) {
      zero_results++;
      adj = 0xffff;
    }
    const uint16_t full = udp_full_csum(family, addrs.data(), addrs.data() + alen, udp.data(), len);
    ASSERT_EQ(adj, full) << "case " << n << " family " << family << " len " << len << " what " << what;
  }
  std::cout << "[ info ] family " << family << ": " << zero_results
            << " adjusted checksums came out as 0 (sent as 0xffff)\n";
}

TEST_P(ChecksumAdjust, UnchangedBytesKeepChecksum) {
  const int family = GetParam();
  const size_t alen = family == 4 ? 4 : 16;
  std::mt19937 rng(3);
  for (int n = 0; n < 1000; n++) {
    std::vector<uint8_t> bytes(2 * alen + 14);
    for (auto& b : bytes) b = uint8_t(rng());
    const uint32_t s = csum_add_bytes(0, bytes.data(), bytes.size());
    const uint16_t c = static_cast<uint16_t>(1 + rng() % 0xfffe);
    EXPECT_EQ(csum_adjust(c, s, s), c);
  }
}

// A rewrite whose result sums to zero: csum_adjust yields 0, which the caller sends as
// 0xffff (0 means "no checksum" for IPv4 and is invalid for IPv6); a later rewrite
// starting from that 0xffff must still come out right.
TEST_P(ChecksumAdjust, ZeroResultIsSentAsFfffAndAdjustsOnward) {
  const int family = GetParam();
  const size_t alen = family == 4 ? 4 : 16;
  std::mt19937 rng(99);
  for (int n = 0; n < 200; n++) {
    const uint32_t len = 8 + 12 + 1 + rng() % 50;
    std::vector<uint8_t> addrs(2 * alen), udp(len);
    for (auto& b : addrs) b = uint8_t(rng());
    for (auto& b : udp) b = uint8_t(rng());
    udp[4] = uint8_t(len >> 8);
    udp[5] = uint8_t(len);
    const uint16_t csum = udp_full_csum(family, addrs.data(), addrs.data() + alen, udp.data(), len);
    udp[6] = uint8_t(csum >> 8);
    udp[7] = uint8_t(csum);
    uint8_t* rtp = udp.data() + 8;
    const uint32_t old_sum = csum_add_bytes(0, rtp + 2, 10);
    // New SSRC whose low word makes the whole datagram sum to 0xffff.
    rtp[8] = uint8_t(rng());
    rtp[9] = uint8_t(rng());
    rtp[10] = rtp[11] = 0;
    const uint16_t c0 = udp_full_csum(family, addrs.data(), addrs.data() + alen, udp.data(), len);
    const uint16_t s0 = static_cast<uint16_t>(~c0);  // data sum without the low word
    const uint16_t x = static_cast<uint16_t>(0xffff - s0);
    rtp[10] = uint8_t(x >> 8);
    rtp[11] = uint8_t(x);
    ASSERT_EQ(udp_full_csum(family, addrs.data(), addrs.data() + alen, udp.data(), len), 0xffff);
    const uint32_t new_sum = csum_add_bytes(0, rtp + 2, 10);
    uint16_t adj = csum_adjust(csum, old_sum, new_sum);
    if (adj == 0) adj = 0xffff;
    EXPECT_EQ(adj, 0xffff) << n;
    // Onward from a transmitted 0xffff.
    const uint32_t old2 = csum_add_bytes(0, addrs.data(), 2 * alen);
    for (auto& b : addrs) b = uint8_t(rng());
    const uint32_t new2 = csum_add_bytes(0, addrs.data(), 2 * alen);
    uint16_t adj2 = csum_adjust(adj, old2, new2);
    if (adj2 == 0) adj2 = 0xffff;
    EXPECT_EQ(adj2, udp_full_csum(family, addrs.data(), addrs.data() + alen, udp.data(), len)) << n;
  }
}

INSTANTIATE_TEST_SUITE_P(AddressFamilies, ChecksumAdjust, ::testing::Values(4, 6),
                         [](const ::testing::TestParamInfo<int>& i) { return "Ipv" + std::to_string(i.param); });

}  // namespace
}  // namespace rtpgate::dp
