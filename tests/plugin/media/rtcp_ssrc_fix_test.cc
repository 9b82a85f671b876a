// rtcp_fix_ssrc: browser -> peer RTCP gets sender = browser SSRC, media source = peer SSRC
// (spec §11.1); malformed compounds are refused untouched.
#include "media/rtcp_ssrc_fix.h"

#include <gtest/gtest.h>

#include <cstring>

#include "rtp_builder.h"

namespace rtpgate::ctl::media {
namespace {

using testing::cat;
using testing::get32;
using testing::rtcp;

constexpr uint32_t kLocal = 0x10101010, kRemote = 0x20202020;

TEST(RtcpFixSsrc, SenderReportSetsSenderAndFirstReportBlock) {
  auto sr = rtcp(2, 200, 6 + 2 * 6);  // sender SSRC + 5 words sender info + 2 report blocks
  EXPECT_EQ(rtcp_fix_ssrc(sr.data(), sr.size(), kLocal, kRemote), 1);
  EXPECT_EQ(get32(&sr[4]), kLocal);
  EXPECT_EQ(get32(&sr[28]), kRemote);
  EXPECT_EQ(get32(&sr[52]), 0x11111111u);  // second block untouched
  EXPECT_EQ(get32(&sr[8]), 0x11111111u);   // NTP timestamp untouched
}

TEST(RtcpFixSsrc, ReceiverReportWithoutBlocksOnlySetsSender) {
  auto rr = rtcp(0, 201, 1);
  EXPECT_EQ(rtcp_fix_ssrc(rr.data(), rr.size(), kLocal, kRemote), 1);
  EXPECT_EQ(get32(&rr[4]), kLocal);
}

TEST(RtcpFixSsrc, CompoundRrSdesPliNackFirRemb) {
  auto rr = rtcp(1, 201, 1 + 6);
  auto sdes = rtcp(1, 202, 3);
  auto pli = rtcp(1, 206, 2);
  auto nack = rtcp(1, 205, 3);
  auto fir = rtcp(4, 206, 2 + 4);       // two FCI entries
  auto remb = rtcp(15, 206, 2 + 2 + 2);  // "REMB", num=2, 2 SSRCs
  std::memcpy(&remb[12], "REMB", 4);
  remb[16] = 2;
  auto all = cat(cat(cat(cat(cat(rr, sdes), pli), nack), fir), remb);
  ASSERT_EQ(rtcp_fix_ssrc(all.data(), all.size(), kLocal, kRemote), 6);
  size_t off = 0;
  EXPECT_EQ(get32(&all[off + 4]), kLocal);
  EXPECT_EQ(get32(&all[off + 8]), kRemote);  // report block
  off += rr.size();
  EXPECT_EQ(get32(&all[off + 4]), kLocal);  // SDES chunk
  off += sdes.size();
  EXPECT_EQ(get32(&all[off + 4]), kLocal);
  EXPECT_EQ(get32(&all[off + 8]), kRemote);  // PLI media source
  off += pli.size();
  EXPECT_EQ(get32(&all[off + 4]), kLocal);
  EXPECT_EQ(get32(&all[off + 8]), kRemote);  // NACK media source
  EXPECT_EQ(get32(&all[off + 12]), 0x11111111u);  // FCI untouched
  off += nack.size();
  EXPECT_EQ(get32(&all[off + 4]), kLocal);
  EXPECT_EQ(get32(&all[off + 8]), 0x11111111u);  // FIR media source field untouched
  EXPECT_EQ(get32(&all[off + 12]), kRemote);
  EXPECT_EQ(get32(&all[off + 20]), kRemote);
  off += fir.size();
  EXPECT_EQ(get32(&all[off + 4]), kLocal);
  EXPECT_EQ(get32(&all[off + 20]), kRemote);
  EXPECT_EQ(get32(&all[off + 24]), kRemote);
}

TEST(RtcpFixSsrc, RembWithMoreSsrcsThanBytesStaysInBounds) {
  auto remb = rtcp(15, 206, 2 + 2 + 1);
  std::memcpy(&remb[12], "REMB", 4);
  remb[16] = 200;  // claims 200 SSRCs, has room for 1
  std::vector<uint8_t> guarded = remb;
  guarded.resize(remb.size() + 16, 0xEE);  // bytes past the packet (not part of the buffer)
  EXPECT_EQ(rtcp_fix_ssrc(guarded.data(), remb.size(), kLocal, kRemote), 1);
  EXPECT_EQ(get32(&guarded[20]), kRemote);
  for (size_t i = remb.size(); i < guarded.size(); i++) EXPECT_EQ(guarded[i], 0xEE);
}

TEST(RtcpFixSsrc, UnknownSsrcsLeaveFieldsAlone) {
  auto pli = rtcp(1, 206, 2);
  EXPECT_EQ(rtcp_fix_ssrc(pli.data(), pli.size(), 0, kRemote), 1);
  EXPECT_EQ(get32(&pli[4]), 0x11111111u);
  EXPECT_EQ(get32(&pli[8]), kRemote);
}

TEST(RtcpFixSsrc, MalformedInputIsRefusedUntouched) {
  auto good = rtcp(1, 206, 2);
  auto bye = rtcp(1, 203, 1);
  // truncated second packet
  auto trunc = cat(good, bye);
  trunc.pop_back();
  auto copy = trunc;
  EXPECT_EQ(rtcp_fix_ssrc(trunc.data(), trunc.size(), kLocal, kRemote), -1);
  EXPECT_EQ(trunc, copy);
  // length field past the end
  auto longlen = good;
  longlen[3] = 9;
  EXPECT_EQ(rtcp_fix_ssrc(longlen.data(), longlen.size(), kLocal, kRemote), -1);
  // bad version, non-RTCP type, trailing bytes, empty and tiny buffers
  auto v1 = good;
  v1[0] = 0x41;
  EXPECT_EQ(rtcp_fix_ssrc(v1.data(), v1.size(), kLocal, kRemote), -1);
  auto rtp_like = good;
  rtp_like[1] = 96;
  EXPECT_EQ(rtcp_fix_ssrc(rtp_like.data(), rtp_like.size(), kLocal, kRemote), -1);
  auto trailing = good;
  trailing.push_back(0);
  trailing.push_back(0);
  EXPECT_EQ(rtcp_fix_ssrc(trailing.data(), trailing.size(), kLocal, kRemote), -1);
  EXPECT_EQ(rtcp_fix_ssrc(nullptr, 0, kLocal, kRemote), -1);
  uint8_t tiny[3] = {0x80, 200, 0};
  EXPECT_EQ(rtcp_fix_ssrc(tiny, sizeof tiny, kLocal, kRemote), -1);
}

TEST(RtcpFixSsrc, HeaderOnlyPacketsAreNotWrittenPast) {
  // length 0: 4-byte packets (no room for an SSRC); a compound of them is valid.
  std::vector<uint8_t> b = {0x81, 201, 0, 0, 0x81, 206, 0, 0, 0x81, 205, 0, 0};
  auto copy = b;
  EXPECT_EQ(rtcp_fix_ssrc(b.data(), b.size(), kLocal, kRemote), 3);
  EXPECT_EQ(b, copy);
}

TEST(RtcpFixSsrc, EveryTruncationOfACompoundIsSafe) {
  auto all = cat(cat(rtcp(1, 200, 12), rtcp(1, 202, 3)), rtcp(1, 206, 2));
  for (size_t n = 0; n <= all.size(); n++) {
    std::vector<uint8_t> b(all.begin(), all.begin() + static_cast<long>(n));
    const int r = rtcp_fix_ssrc(b.data(), b.size(), kLocal, kRemote);
    EXPECT_TRUE(r == -1 || (r >= 1 && r <= 3)) << n;
  }
}

}  // namespace
}  // namespace rtpgate::ctl::media
