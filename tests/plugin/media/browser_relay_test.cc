// BrowserRelay: spec §11.2 rules on the peer -> browser path and the browser RTCP SSRC fix.
#include "media/browser_relay.h"

#include <gtest/gtest.h>

#include <vector>

#include "rtp_builder.h"

namespace rtpgate::ctl::media {
namespace {

using testing::get16;
using testing::get32;
using testing::rtcp;
using testing::rtp;

struct Relayed {
  bool video;
  bool rtcp;
  std::vector<uint8_t> bytes;
};

void capture(void* ctx, bool video, bool is_rtcp, char* buf, uint16_t len) {
  auto* v = static_cast<std::vector<Relayed>*>(ctx);
  const auto* b = reinterpret_cast<const uint8_t*>(buf);
  v->push_back({video, is_rtcp, std::vector<uint8_t>(b, b + len)});
}

class BrowserRelayTest : public ::testing::Test {
 protected:
  void peer(std::vector<uint8_t> p, bool is_rtcp = false, uint64_t now_ns = 0) {
    relay_.on_peer_packet_at(is_rtcp, p.data(), static_cast<uint16_t>(p.size()), now_ns);
  }
  std::vector<Relayed> out_;
  BrowserRelay relay_{true, capture, &out_};
};

TEST_F(BrowserRelayTest, RelaysRtpWithTheMediumFlag) {
  peer(rtp(0x1234, 1, 0, 96));
  ASSERT_EQ(out_.size(), 1u);
  EXPECT_TRUE(out_[0].video);
  EXPECT_FALSE(out_[0].rtcp);
  EXPECT_EQ(relay_.peer_ssrc(), 0x1234u);
  EXPECT_EQ(relay_.counters().relayed_rtp.load(), 1u);
}

TEST_F(BrowserRelayTest, DropsWhatIsNotRtp) {
  peer(std::vector<uint8_t>(8, 0x80));              // too short
  peer(rtcp(0, 200, 6));                            // RTCP on the RTP path
  auto bad_version = rtp(1, 1, 1);
  bad_version[0] = 0x40;
  peer(bad_version);
  auto bad_csrc = rtp(1, 1, 1, 0, 0);
  bad_csrc[0] = 0x8f;                               // 15 CSRCs, none present
  peer(bad_csrc);
  EXPECT_TRUE(out_.empty());
  EXPECT_EQ(relay_.counters().drop_not_rtp.load(), 4u);
  EXPECT_EQ(relay_.peer_ssrc(), 0u);
}

TEST_F(BrowserRelayTest, RecvFalseAndHoldDropBothRtpAndRtcp) {
  relay_.set_recv(false);
  peer(rtp(1, 1, 1));
  peer(rtcp(0, 201, 1), true);
  relay_.set_recv(true);
  relay_.set_on_hold(true);
  peer(rtp(1, 2, 2));
  peer(rtcp(0, 201, 1), true);
  EXPECT_TRUE(out_.empty());
  EXPECT_EQ(relay_.counters().drop_not_recv.load(), 2u);
  EXPECT_EQ(relay_.counters().drop_on_hold.load(), 2u);
  relay_.set_on_hold(false);
  peer(rtp(1, 3, 3));
  EXPECT_EQ(out_.size(), 1u);
}

TEST_F(BrowserRelayTest, PeerSsrcSwitchStaysContinuousAndKeepsFirstSsrc) {
  relay_.set_clock_rate(90000);
  const uint64_t ms = 1000000;
  for (uint16_t i = 0; i < 3; i++) peer(rtp(0xA, static_cast<uint16_t>(10 + i), 3000u * i), false, i * 33 * ms);
  peer(rtp(0xB, 5000, 777), false, 99 * ms);
  peer(rtp(0xB, 5001, 3777), false, 132 * ms);
  ASSERT_EQ(out_.size(), 5u);
  for (const auto& r : out_) EXPECT_EQ(get32(&r.bytes[8]), 0xAu);
  EXPECT_EQ(get16(&out_[3].bytes[2]), 13);
  EXPECT_EQ(get32(&out_[3].bytes[4]), 6000u + 33u * 90u);
  EXPECT_EQ(get16(&out_[4].bytes[2]), 14);
  EXPECT_EQ(get32(&out_[4].bytes[4]), 6000u + 33u * 90u + 3000u);
  EXPECT_EQ(relay_.counters().ssrc_changes.load(), 1u);
  EXPECT_EQ(relay_.peer_ssrc(), 0xAu);
}

TEST_F(BrowserRelayTest, ResetRequestAppliesToTheNextRelayedPacket) {
  peer(rtp(7, 100, 0), false, 0);
  relay_.set_on_hold(true);
  relay_.request_reset();
  peer(rtp(7, 1, 0), false, 10);  // dropped on hold: the reset waits
  relay_.set_on_hold(false);
  peer(rtp(7, 2, 160), false, 20);
  ASSERT_EQ(out_.size(), 2u);
  EXPECT_EQ(get16(&out_[1].bytes[2]), 101);
  EXPECT_EQ(relay_.counters().resets.load(), 1u);
}

TEST_F(BrowserRelayTest, RtcpIsPassedRaw) {
  auto sr = rtcp(1, 200, 12, 0x55555555);
  peer(sr, true);
  ASSERT_EQ(out_.size(), 1u);
  EXPECT_TRUE(out_[0].rtcp);
  EXPECT_EQ(out_[0].bytes, sr);
  EXPECT_EQ(relay_.counters().relayed_rtcp.load(), 1u);
}

TEST_F(BrowserRelayTest, BrowserRtcpGetsBrowserAndPeerSsrc) {
  peer(rtp(0xCAFE, 1, 1));
  auto brtp = rtp(0xBEEF, 1, 1);
  relay_.note_browser_rtp(brtp.data(), brtp.size());
  auto later = rtp(0xDEAD, 2, 2);
  relay_.note_browser_rtp(later.data(), later.size());  // only the first is learnt
  EXPECT_EQ(relay_.browser_ssrc(), 0xBEEFu);
  auto pli = rtcp(1, 206, 2, 0);
  ASSERT_TRUE(relay_.fix_browser_rtcp(pli.data(), pli.size()));
  EXPECT_EQ(get32(&pli[4]), 0xBEEFu);
  EXPECT_EQ(get32(&pli[8]), 0xCAFEu);
  auto junk = std::vector<uint8_t>{0x80, 206, 0, 9, 1, 2, 3, 4};
  EXPECT_FALSE(relay_.fix_browser_rtcp(junk.data(), junk.size()));
  EXPECT_EQ(relay_.counters().drop_browser_rtcp_bad.load(), 1u);
}

}  // namespace
}  // namespace rtpgate::ctl::media
