// RtpSwitch: SSRC fixed to the first source, sequence numbers and timestamps continuous
// across peer SSRC changes and resets (spec §11.2).
#include "media/rtp_switch.h"

#include <gtest/gtest.h>

#include "rtp_builder.h"

namespace rtpgate::ctl::media {
namespace {

using testing::get16;
using testing::get32;
using testing::rtp;

constexpr uint64_t kMs = 1000000;

struct Out {
  uint16_t seq;
  uint32_t ts;
  uint32_t ssrc;
  RtpSwitchResult r;
};

Out feed(RtpSwitchState& s, uint32_t ssrc, uint16_t seq, uint32_t ts, uint64_t now_ns, uint32_t rate = 8000,
         bool reset = false) {
  auto p = rtp(ssrc, seq, ts);
  const RtpSwitchResult r = rtp_switch_rewrite(s, p.data(), now_ns, rate, reset);
  return {get16(&p[2]), get32(&p[4]), get32(&p[8]), r};
}

TEST(RtpSwitch, FirstSourcePassesThroughUnchanged) {
  RtpSwitchState s;
  for (uint16_t i = 0; i < 5; i++) {
    const Out o = feed(s, 0x1111, static_cast<uint16_t>(100 + i), 1000 + 160u * i, i * 20 * kMs);
    EXPECT_EQ(o.seq, 100 + i);
    EXPECT_EQ(o.ts, 1000 + 160u * i);
    EXPECT_EQ(o.ssrc, 0x1111u);
    EXPECT_EQ(o.r, i == 0 ? RtpSwitchResult::First : RtpSwitchResult::Same);
  }
}

TEST(RtpSwitch, SsrcChangeKeepsSequenceAndTimestampContinuous) {
  RtpSwitchState s;
  for (uint16_t i = 0; i < 10; i++) feed(s, 0xAAAA, static_cast<uint16_t>(500 + i), 8000 + 160u * i, i * 20 * kMs);
  // last sent: seq 509, ts 9440 at 180 ms. New source 20 ms later with unrelated numbers.
  Out o = feed(s, 0xBBBB, 40000, 123456789, 200 * kMs);
  EXPECT_EQ(o.r, RtpSwitchResult::SourceChanged);
  EXPECT_EQ(o.ssrc, 0xAAAAu);  // forced to the first-seen peer SSRC
  EXPECT_EQ(o.seq, 510);
  EXPECT_EQ(o.ts, 9440u + 160u);  // 20 ms at 8 kHz
  o = feed(s, 0xBBBB, 40001, 123456789 + 160, 220 * kMs);
  EXPECT_EQ(o.r, RtpSwitchResult::Same);
  EXPECT_EQ(o.seq, 511);
  EXPECT_EQ(o.ts, 9440u + 320u);
  EXPECT_EQ(o.ssrc, 0xAAAAu);
  // Back to the first source: continuous again.
  o = feed(s, 0xAAAA, 7, 5, 240 * kMs);
  EXPECT_EQ(o.r, RtpSwitchResult::SourceChanged);
  EXPECT_EQ(o.seq, 512);
  EXPECT_EQ(o.ts, 9440u + 480u);
}

TEST(RtpSwitch, UnknownClockRateUsesTheLastTimestampStep) {
  RtpSwitchState s;
  feed(s, 1, 10, 0, 0, 0);
  feed(s, 1, 11, 960, 20 * kMs, 0);
  const Out o = feed(s, 2, 900, 77, 500 * kMs, 0);
  EXPECT_EQ(o.seq, 12);
  EXPECT_EQ(o.ts, 960u + 960u);
}

TEST(RtpSwitch, LongGapIsSizedFromElapsedTime) {
  RtpSwitchState s;
  feed(s, 1, 10, 1000, 0, 48000);
  const Out o = feed(s, 2, 3, 3, 2000 * kMs, 48000);  // 2 s later
  EXPECT_EQ(o.seq, 11);
  EXPECT_EQ(o.ts, 1000u + 96000u);
}

TEST(RtpSwitch, ResetWithSameSsrcRebasesSequence) {
  RtpSwitchState s;
  for (uint16_t i = 0; i < 3; i++) feed(s, 9, static_cast<uint16_t>(1000 + i), 160u * i, i * 20 * kMs);
  // After hold the peer restarts its numbering with the same SSRC.
  Out o = feed(s, 9, 1, 0, 1000 * kMs, 8000, true);
  EXPECT_EQ(o.r, RtpSwitchResult::Reset);
  EXPECT_EQ(o.seq, 1003);
  EXPECT_EQ(o.ts, 320u + 7680u);  // 960 ms at 8 kHz after the last packet
  o = feed(s, 9, 2, 160, 1020 * kMs);
  EXPECT_EQ(o.seq, 1004);
}

TEST(RtpSwitch, WrapAroundOfSequenceAndTimestamp) {
  RtpSwitchState s;
  feed(s, 5, 65534, 0xFFFFFF00u, 0);
  Out o = feed(s, 5, 65535, 0xFFFFFFA0u, 20 * kMs);
  EXPECT_EQ(o.seq, 65535);
  o = feed(s, 6, 100, 100, 40 * kMs);
  EXPECT_EQ(o.seq, 0);
  EXPECT_EQ(o.ts, 0xFFFFFFA0u + 160u);  // wraps to 0x40
  o = feed(s, 6, 101, 260, 60 * kMs);
  EXPECT_EQ(o.seq, 1);
  EXPECT_EQ(o.ts, 0x40u + 160u);
}

TEST(RtpSwitch, LatePacketIsRewrittenButDoesNotMoveTheReference) {
  RtpSwitchState s;
  feed(s, 1, 100, 0, 0);
  feed(s, 1, 102, 320, 40 * kMs);
  Out o = feed(s, 1, 101, 160, 45 * kMs);  // reordered
  EXPECT_EQ(o.seq, 101);
  o = feed(s, 2, 7, 7, 60 * kMs);
  EXPECT_EQ(o.seq, 103);  // after 102, not after 101
  EXPECT_EQ(o.ts, 320u + 160u);
}

}  // namespace
}  // namespace rtpgate::ctl::media
