// RTCP PLI building and the per-flow PLI rate limit (dataplane/rtcp/pli.h): exact bytes
// (RFC 4585 §6.3.1, big-endian SSRCs), acceptance by the data plane's own RTCP check, and
// the limit's edges (first PLI, inside / at / after the interval, force, a clock at 0).
#include "rtcp/pli.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>

#include "rtp/rtp_check.h"

namespace rtpgate::dp {
namespace {

using Buf = std::array<uint8_t, kPliLen + 4>;

Buf pli(uint32_t sender, uint32_t media) {
  Buf b;
  b.fill(0xee);  // sentinel: build_pli must write exactly kPliLen bytes
  EXPECT_EQ(build_pli(b.data(), sender, media), kPliLen);
  return b;
}

TEST(PliBuild, BytesAreExactForKnownSsrcs) {
  const Buf b = pli(0x01020304, 0xa1b2c3d4);
  const Buf want{0x81, 0xce, 0x00, 0x02, 0x01, 0x02, 0x03, 0x04, 0xa1, 0xb2, 0xc3, 0xd4, 0xee, 0xee, 0xee, 0xee};
  EXPECT_EQ(b, want);
}

TEST(PliBuild, ExtremeSsrcsKeepEveryBit) {
  const Buf a = pli(0, 0xffffffff);
  const Buf wa{0x81, 0xce, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xee, 0xee, 0xee, 0xee};
  EXPECT_EQ(a, wa);
  const Buf b = pli(0x80000001, 0x7ffffffe);
  const Buf wb{0x81, 0xce, 0x00, 0x02, 0x80, 0x00, 0x00, 0x01, 0x7f, 0xff, 0xff, 0xfe, 0xee, 0xee, 0xee, 0xee};
  EXPECT_EQ(b, wb);
}

// What the data plane generates passes its own RTCP validation (version, type, length).
TEST(PliBuild, PassesTheRtcpCheck) {
  const Buf b = pli(0x11111111, 0x22222222);
  EXPECT_EQ(check_rtcp(b.data(), kPliLen), RtcpCheck::Ok);
  EXPECT_TRUE(looks_like_rtcp(b.data(), kPliLen));  // RFC 5761: PT 206 on an rtcp-mux port
}

TEST(PliRateLimit, FirstIsAllowedThenRefusedWithinTheInterval) {
  uint64_t last = 0;
  EXPECT_TRUE(pli_allowed(&last, 1000, 500));
  EXPECT_EQ(last, 1000u);
  EXPECT_FALSE(pli_allowed(&last, 1001, 500));
  EXPECT_FALSE(pli_allowed(&last, 1499, 500));
  EXPECT_EQ(last, 1000u) << "a refused PLI must not move the window";
}

TEST(PliRateLimit, AllowedAgainOnceTheIntervalElapsed) {
  uint64_t last = 0;
  ASSERT_TRUE(pli_allowed(&last, 1000, 500));
  EXPECT_TRUE(pli_allowed(&last, 1500, 500));  // exactly the interval
  EXPECT_EQ(last, 1500u);
  EXPECT_FALSE(pli_allowed(&last, 1999, 500));
  EXPECT_TRUE(pli_allowed(&last, 5000, 500));
  EXPECT_EQ(last, 5000u);
}

TEST(PliRateLimit, ForceBypassesTheLimitAndRestartsTheWindow) {
  uint64_t last = 0;
  ASSERT_TRUE(pli_allowed(&last, 1000, 500));
  EXPECT_TRUE(pli_allowed(&last, 1001, 500, true));
  EXPECT_EQ(last, 1001u);
  EXPECT_FALSE(pli_allowed(&last, 1400, 500));  // counted from the forced one
  EXPECT_TRUE(pli_allowed(&last, 1501, 500));
}

// now == 0 is a valid clock reading: the PLI leaves and is remembered (last = 1, since 0
// means "never"), so the next one inside the interval is still limited.
TEST(PliRateLimit, ClockAtZeroStillStartsTheWindow) {
  uint64_t last = 0;
  EXPECT_TRUE(pli_allowed(&last, 0, 500));
  EXPECT_NE(last, 0u);
  EXPECT_FALSE(pli_allowed(&last, 1, 500));
  EXPECT_FALSE(pli_allowed(&last, 400, 500));
  EXPECT_TRUE(pli_allowed(&last, 501, 500));
  uint64_t forced = 0;
  EXPECT_TRUE(pli_allowed(&forced, 0, 500, true));
  EXPECT_NE(forced, 0u);
}

TEST(PliRateLimit, ZeroIntervalNeverLimits) {
  uint64_t last = 0;
  for (uint64_t now = 100; now < 105; now++) EXPECT_TRUE(pli_allowed(&last, now, 0));
  EXPECT_TRUE(pli_allowed(&last, 104, 0));
}

}  // namespace
}  // namespace rtpgate::dp
