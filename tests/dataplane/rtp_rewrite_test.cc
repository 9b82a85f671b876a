// Switching-context rewrite of RTP headers (rtp_rewrite).
#include "rtp/rtp_rewrite.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

namespace rtpgate::dp {
namespace {

using Pkt = std::array<uint8_t, 16>;  // 12-byte header + 4 payload bytes

Pkt pkt(uint16_t seq, uint32_t ts, uint32_t ssrc, uint8_t pt = 0) {
  Pkt p{};
  p[0] = 0x80;
  p[1] = pt;
  wr16be(&p[2], seq);
  wr32be(&p[4], ts);
  wr32be(&p[8], ssrc);
  p[12] = 0xaa;
  p[13] = 0xbb;
  p[14] = 0xcc;
  p[15] = 0xdd;
  return p;
}

struct Out {
  uint16_t seq;
  uint32_t ts;
  uint32_t ssrc;
  bool changed;
};

Out rewrite(RtpRewriteState& st, uint16_t seq, uint32_t ts, uint32_t ssrc, uint32_t ts_step = 160) {
  Pkt p = pkt(seq, ts, ssrc, 0xe0);  // marker + PT 96
  const bool changed = rtp_rewrite(st, p.data(), ts_step);
  const Pkt orig = pkt(seq, ts, ssrc, 0xe0);
  // Only bytes 2..11 may change.
  EXPECT_EQ(p[0], orig[0]);
  EXPECT_EQ(p[1], orig[1]);
  for (size_t i = 12; i < p.size(); i++) EXPECT_EQ(p[i], orig[i]) << i;
  return Out{rd16be(&p[2]), rd32be(&p[4]), rd32be(&p[8]), changed};
}

constexpr uint32_t kA = 0x11111111, kB = 0x22222222, kC = 0x33333333;

TEST(RtpRewrite, FirstPacketPassesUnchangedAndLearnsOutSsrc) {
  RtpRewriteState st{};
  Pkt p = pkt(1000, 123456, kA);
  const Pkt orig = p;
  EXPECT_FALSE(rtp_rewrite(st, p.data(), 160));
  EXPECT_EQ(p, orig);
  EXPECT_EQ(st.out_ssrc, kA);
  EXPECT_EQ(st.in_ssrc, kA);
  EXPECT_EQ(st.last_out_seq, 1000);
  EXPECT_EQ(st.last_out_ts, 123456u);
  EXPECT_EQ(st.started, 1);
}

TEST(RtpRewrite, SameSourcePassesUnchanged) {
  RtpRewriteState st{};
  for (uint16_t i = 0; i < 50; i++) {
    const Out o = rewrite(st, uint16_t(500 + i), 8000u + 160u * i, kA);
    EXPECT_EQ(o.seq, 500 + i);
    EXPECT_EQ(o.ts, 8000u + 160u * i);
    EXPECT_EQ(o.ssrc, kA);
    EXPECT_FALSE(o.changed);
  }
}

TEST(RtpRewrite, ConfiguredOutSsrcIsApplied) {
  RtpRewriteState st{};
  st.out_ssrc = 0xcafebabe;
  const Out o = rewrite(st, 7, 99, kA);
  EXPECT_EQ(o.ssrc, 0xcafebabeu);
  EXPECT_EQ(o.seq, 7);
  EXPECT_EQ(o.ts, 99u);
  EXPECT_FALSE(o.changed);
  const Out n = rewrite(st, 8, 259, kA);
  EXPECT_EQ(n.ssrc, 0xcafebabeu);
}

TEST(RtpRewrite, SsrcChangeKeepsSequenceAndTimestampContinuous) {
  RtpRewriteState st{};
  rewrite(st, 100, 1000, kA);
  rewrite(st, 101, 1160, kA);
  rewrite(st, 102, 1320, kA);
  const Out b0 = rewrite(st, 5000, 90000, kB, 160);
  EXPECT_TRUE(b0.changed);
  EXPECT_EQ(b0.ssrc, kA);          // output SSRC stays the first one
  EXPECT_EQ(b0.seq, 103);          // last + 1
  EXPECT_EQ(b0.ts, 1320u + 160u);  // last + ts_step
  const Out b1 = rewrite(st, 5001, 90160, kB, 160);
  EXPECT_FALSE(b1.changed);
  EXPECT_EQ(b1.seq, 104);
  EXPECT_EQ(b1.ts, 1640u);
  // And back to A, with a different step.
  const Out a = rewrite(st, 103, 1480, kA, 3000);
  EXPECT_TRUE(a.changed);
  EXPECT_EQ(a.seq, 105);
  EXPECT_EQ(a.ts, 1640u + 3000u);
  EXPECT_EQ(a.ssrc, kA);
}

TEST(RtpRewrite, ReturnsTrueOnlyWhenSsrcChanges) {
  RtpRewriteState st{};
  const uint32_t ssrc_of[] = {kA, kA, kA, kB, kB, kC, kC, kC, kA, kA};
  int changes = 0;
  for (uint16_t i = 0; i < 10; i++) changes += rewrite(st, uint16_t(10 * i), 100u * i, ssrc_of[i]).changed;
  EXPECT_EQ(changes, 3);
}

TEST(RtpRewrite, ReorderedPacketsDoNotMoveLastOutSeqBackwards) {
  RtpRewriteState st{};
  rewrite(st, 10, 1600, kA);
  const Out late12 = rewrite(st, 12, 1920, kA);
  EXPECT_EQ(st.last_out_seq, 12);
  EXPECT_EQ(st.last_out_ts, 1920u);
  const Out late11 = rewrite(st, 11, 1760, kA);  // arrives after 12
  EXPECT_EQ(late12.seq, 12);
  EXPECT_EQ(late11.seq, 11);                    // forwarded as is
  EXPECT_EQ(st.last_out_seq, 12);               // not moved back
  EXPECT_EQ(st.last_out_ts, 1920u);
  const Out b = rewrite(st, 40000, 7, kB);
  EXPECT_EQ(b.seq, 13);                         // continues after the highest
  EXPECT_EQ(b.ts, 1920u + 160u);
}

TEST(RtpRewrite, ReorderingAcrossSwitchStaysContinuous) {
  RtpRewriteState st{};
  rewrite(st, 1, 0, kA);
  rewrite(st, 2, 160, kA);
  rewrite(st, 50, 1000, kB);           // -> 3
  const Out late = rewrite(st, 52, 1320, kB);  // -> 5 (51 lost or late)
  EXPECT_EQ(late.seq, 5);
  const Out older = rewrite(st, 51, 1160, kB);
  EXPECT_EQ(older.seq, 4);
  EXPECT_EQ(st.last_out_seq, 5);
}

TEST(RtpRewrite, SequenceWrapsAt16Bits) {
  RtpRewriteState st{};
  rewrite(st, 65534, 0, kA);
  rewrite(st, 65535, 160, kA);
  EXPECT_EQ(st.last_out_seq, 65535);
  const Out w0 = rewrite(st, 0, 320, kA);
  EXPECT_EQ(w0.seq, 0);
  EXPECT_EQ(st.last_out_seq, 0);  // 0 is newer than 65535
  rewrite(st, 1, 480, kA);
  EXPECT_EQ(st.last_out_seq, 1);
  const Out b = rewrite(st, 30000, 5, kB);
  EXPECT_EQ(b.seq, 2);
}

TEST(RtpRewrite, SwitchRightBeforeWrapContinuesThroughZero) {
  RtpRewriteState st{};
  rewrite(st, 65535, 0xffffff00u, kA);
  const Out b0 = rewrite(st, 100, 5, kB, 0x200);
  EXPECT_EQ(b0.seq, 0);
  EXPECT_EQ(b0.ts, 0x100u);  // 32-bit timestamp wraps too
  const Out b1 = rewrite(st, 101, 165, kB, 0x200);
  EXPECT_EQ(b1.seq, 1);
  EXPECT_EQ(b1.ts, 0x100u + 160u);
}

TEST(RtpRewrite, OldSourceAfterSwitchIsAnotherSwitch) {
  RtpRewriteState st{};
  rewrite(st, 10, 100, kA);
  rewrite(st, 500, 9000, kB);  // -> 11
  const Out stray = rewrite(st, 11, 260, kA);
  EXPECT_TRUE(stray.changed);
  EXPECT_EQ(stray.seq, 12);
}

}  // namespace
}  // namespace rtpgate::dp
