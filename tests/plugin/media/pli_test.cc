// build_pli: the 12-byte RTCP PLI sent to the SIP peer (spec §12), byte for byte.
#include "media/pli.h"

#include <gtest/gtest.h>

#include <array>

#include "media/rtcp_ssrc_fix.h"

namespace rtpgate::ctl::media {
namespace {

TEST(Pli, TwelveBytesPsfbFmt1WithBothSsrcs) {
  std::array<uint8_t, 16> out{};
  out.fill(0xee);
  ASSERT_EQ(build_pli(out.data(), 0x11223344u, 0xa1b2c3d4u), 12u);
  const std::array<uint8_t, 16> want = {0x81, 0xce, 0x00, 0x02, 0x11, 0x22, 0x33, 0x44,
                                        0xa1, 0xb2, 0xc3, 0xd4, 0xee, 0xee, 0xee, 0xee};
  EXPECT_EQ(out, want);
}

TEST(Pli, ZeroSsrcsAreWrittenAsGiven) {
  std::array<uint8_t, 12> out{};
  out.fill(0x55);
  build_pli(out.data(), 0, 0);
  const std::array<uint8_t, 12> want = {0x81, 0xce, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(out, want);
}

// The packet is a well-formed compound for the browser RTCP path's own checks.
TEST(Pli, PassesTheRtcpSsrcFix) {
  std::array<uint8_t, 12> out{};
  build_pli(out.data(), 1, 2);
  EXPECT_GE(rtcp_fix_ssrc(out.data(), out.size(), 1, 2), 0);
  EXPECT_EQ(out[7], 1);
  EXPECT_EQ(out[11], 2);
}

}  // namespace
}  // namespace rtpgate::ctl::media
