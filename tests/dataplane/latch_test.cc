// check_source: fixed expectations and opt-in latching (the "RTP bleed" guard).
#include "flow/latch.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>

namespace rtpgate::dp {
namespace {

struct Addrs {
  int family;
  uint8_t alen;
  uint8_t expected[16];  // the address the SDP announced
  uint8_t current[16];   // the currently latched source
  uint8_t other[16];     // an unknown host
};

Addrs make_addrs(int family) {
  Addrs a{};
  a.family = family;
  a.alen = family == 4 ? 4 : 16;
  for (int i = 0; i < a.alen; i++) {
    a.expected[i] = uint8_t(0x20 + i);
    a.current[i] = uint8_t(0x20 + i);
    a.other[i] = uint8_t(0x20 + i);
  }
  a.current[a.alen - 1] = 0x99;  // differs from expected in the last byte only
  a.other[a.alen - 1] = 0x77;
  return a;
}

constexpr uint16_t kExpPort = 0x1234, kCurPort = 0x2345, kOtherPort = 0x3456;
constexpr uint32_t kExpSsrc = 0xabcdef01;

class LatchTest : public ::testing::TestWithParam<int> {
 protected:
  Addrs a = make_addrs(GetParam());

  SourceCheck check(uint16_t flags, bool in_window = true) const {
    SourceCheck c{};
    c.flags = flags;
    c.alen = a.alen;
    c.expect_addr = a.expected;
    c.expect_port_be = kExpPort;
    c.expect_ssrc = kExpSsrc;
    c.cur_addr = a.current;
    c.cur_port_be = kCurPort;
    c.in_window = in_window;
    return c;
  }
  static PacketSource src(const uint8_t* addr, uint16_t port, uint32_t ssrc = 1, bool has_ssrc = true,
                          bool authenticated = false) {
    return PacketSource{addr, port, has_ssrc, ssrc, authenticated};
  }
};

constexpr uint16_t F_ADDR = RTPGATE_FLOW_F_EXPECT_ADDR;
constexpr uint16_t F_PORT = RTPGATE_FLOW_F_EXPECT_PORT;
constexpr uint16_t F_SSRC = RTPGATE_FLOW_F_EXPECT_SSRC;
constexpr uint16_t F_LATCH = RTPGATE_FLOW_F_LATCH;
constexpr uint16_t F_AUTH = RTPGATE_FLOW_F_SRTP_AUTH;

TEST_P(LatchTest, NoFlagsAcceptsAnything) {
  for (const uint8_t* addr : {a.expected, a.current, a.other})
    for (uint16_t port : {kExpPort, kOtherPort})
      for (uint32_t ssrc : {kExpSsrc, 7u}) {
        EXPECT_EQ(check_source(check(0), src(addr, port, ssrc)), SourceVerdict::Accept);
        EXPECT_EQ(check_source(check(0, false), src(addr, port, ssrc)), SourceVerdict::Accept);
      }
}

TEST_P(LatchTest, ExpectAddrRejectsOtherAddress) {
  EXPECT_EQ(check_source(check(F_ADDR), src(a.expected, kOtherPort)), SourceVerdict::Accept);
  EXPECT_EQ(check_source(check(F_ADDR), src(a.other, kExpPort)), SourceVerdict::RejectSource);
  EXPECT_EQ(check_source(check(F_ADDR), src(a.current, kExpPort)), SourceVerdict::RejectSource);
}

TEST_P(LatchTest, ExpectPortRejectsOtherPort) {
  EXPECT_EQ(check_source(check(F_PORT), src(a.other, kExpPort)), SourceVerdict::Accept);
  EXPECT_EQ(check_source(check(F_PORT), src(a.expected, kOtherPort)), SourceVerdict::RejectSource);
  EXPECT_EQ(check_source(check(F_ADDR | F_PORT), src(a.expected, kExpPort)), SourceVerdict::Accept);
  EXPECT_EQ(check_source(check(F_ADDR | F_PORT), src(a.expected, kOtherPort)), SourceVerdict::RejectSource);
  EXPECT_EQ(check_source(check(F_ADDR | F_PORT), src(a.other, kExpPort)), SourceVerdict::RejectSource);
}

TEST_P(LatchTest, ExpectSsrcRejectsOtherSsrc) {
  EXPECT_EQ(check_source(check(F_SSRC), src(a.other, kOtherPort, kExpSsrc)), SourceVerdict::Accept);
  EXPECT_EQ(check_source(check(F_SSRC), src(a.expected, kExpPort, kExpSsrc + 1)), SourceVerdict::RejectSsrc);
  // RTCP carries no RTP SSRC: the SSRC rule does not apply.
  EXPECT_EQ(check_source(check(F_SSRC), src(a.expected, kExpPort, 0, false)), SourceVerdict::Accept);
  // Address is checked before SSRC.
  EXPECT_EQ(check_source(check(F_ADDR | F_SSRC), src(a.other, kExpPort, 5)), SourceVerdict::RejectSource);
}

TEST_P(LatchTest, LatchingAcceptsCurrentSourceAlways) {
  for (bool in_window : {true, false}) {
    EXPECT_EQ(check_source(check(F_LATCH, in_window), src(a.current, kCurPort)), SourceVerdict::Accept);
    EXPECT_EQ(check_source(check(F_LATCH | F_AUTH, in_window), src(a.current, kCurPort)), SourceVerdict::Accept);
  }
  EXPECT_EQ(check_source(check(F_LATCH | F_SSRC), src(a.current, kCurPort, kExpSsrc + 1)),
            SourceVerdict::RejectSsrc);
}

TEST_P(LatchTest, LatchingRelearnsExpectedAddressInsideWindow) {
  EXPECT_EQ(check_source(check(F_LATCH), src(a.expected, kOtherPort)), SourceVerdict::AcceptRelatch);
  EXPECT_EQ(check_source(check(F_LATCH), src(a.expected, kExpPort)), SourceVerdict::AcceptRelatch);
  // The current address from a new port is a new source too.
  std::memcpy(a.current, a.expected, a.alen);
  EXPECT_EQ(check_source(check(F_LATCH), src(a.expected, kOtherPort)), SourceVerdict::AcceptRelatch);
  // RTCP from the expected address.
  EXPECT_EQ(check_source(check(F_LATCH), src(a.expected, kOtherPort, 0, false)), SourceVerdict::AcceptRelatch);
}

TEST_P(LatchTest, LatchingRelearnsExpectedSsrcInsideWindow) {
  EXPECT_EQ(check_source(check(F_LATCH | F_SSRC), src(a.other, kOtherPort, kExpSsrc)),
            SourceVerdict::AcceptRelatch);
}

TEST_P(LatchTest, LatchingRefusesOutsideWindow) {
  EXPECT_EQ(check_source(check(F_LATCH, false), src(a.expected, kOtherPort)), SourceVerdict::RejectLatch);
  EXPECT_EQ(check_source(check(F_LATCH | F_SSRC, false), src(a.other, kOtherPort, kExpSsrc)),
            SourceVerdict::RejectLatch);
}

TEST_P(LatchTest, UnknownAddressAndSsrcIsRejectedAsRtpBleed) {
  for (bool in_window : {true, false}) {
    EXPECT_EQ(check_source(check(F_LATCH, in_window), src(a.other, kOtherPort, 42)), SourceVerdict::RejectSource);
    EXPECT_EQ(check_source(check(F_LATCH | F_SSRC, in_window), src(a.other, kOtherPort, 42)),
              SourceVerdict::RejectSource);
    // The SSRC alone does not vouch for a host unless EXPECT_SSRC is set.
    EXPECT_EQ(check_source(check(F_LATCH, in_window), src(a.other, kOtherPort, kExpSsrc)),
              SourceVerdict::RejectSource);
    // RTCP has no SSRC to vouch with.
    EXPECT_EQ(check_source(check(F_LATCH | F_SSRC, in_window), src(a.other, kOtherPort, kExpSsrc, false)),
              SourceVerdict::RejectSource);
  }
}

TEST_P(LatchTest, ExpectedAddressWithWrongSsrcIsRejected) {
  EXPECT_EQ(check_source(check(F_LATCH | F_SSRC), src(a.expected, kOtherPort, 42)), SourceVerdict::RejectSsrc);
}

TEST_P(LatchTest, SrtpAuthRequiredForRelatch) {
  EXPECT_EQ(check_source(check(F_LATCH | F_AUTH), src(a.expected, kOtherPort, 1, true, false)),
            SourceVerdict::RejectLatch);
  EXPECT_EQ(check_source(check(F_LATCH | F_AUTH), src(a.expected, kOtherPort, 1, true, true)),
            SourceVerdict::AcceptRelatch);
  // Authentication does not extend the window.
  EXPECT_EQ(check_source(check(F_LATCH | F_AUTH, false), src(a.expected, kOtherPort, 1, true, true)),
            SourceVerdict::RejectLatch);
  // Nor does it vouch for an unknown host.
  EXPECT_EQ(check_source(check(F_LATCH | F_AUTH), src(a.other, kOtherPort, 1, true, true)),
            SourceVerdict::RejectSource);
}

// Bytes past alen (garbage for IPv4 in a 16-byte buffer) must not matter.
TEST(Latch, ComparesOnlyIpv4AddressBytes) {
  const uint8_t expected[4] = {192, 0, 2, 7};
  uint8_t padded[16];
  std::memset(padded, 0xee, sizeof(padded));
  std::memcpy(padded, expected, 4);
  SourceCheck c{};
  c.flags = F_ADDR;
  c.alen = 4;
  c.expect_addr = expected;
  c.cur_addr = expected;
  EXPECT_EQ(check_source(c, PacketSource{padded, 0, true, 1, false}), SourceVerdict::Accept);
  padded[3] = 8;
  EXPECT_EQ(check_source(c, PacketSource{padded, 0, true, 1, false}), SourceVerdict::RejectSource);
}

INSTANTIATE_TEST_SUITE_P(AddressFamilies, LatchTest, ::testing::Values(4, 6),
                         [](const ::testing::TestParamInfo<int>& i) { return "Ipv" + std::to_string(i.param); });

}  // namespace
}  // namespace rtpgate::dp
