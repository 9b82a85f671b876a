// DtmfDetector: RFC 2833 end-of-event detection on the peer's RTP (spec §13).
#include "media/dtmf_detect.h"

#include <gtest/gtest.h>

#include <vector>

#include "media/browser_relay.h"
#include "rtp_builder.h"

namespace rtpgate::ctl::media {
namespace {

using testing::put16;
using testing::rtp;

constexpr int kDtmfPt = 101;

// A telephone-event packet: event, end bit, volume 10, duration.
std::vector<uint8_t> tev(uint8_t event, bool end, uint16_t duration, uint32_t ts, uint16_t seq = 1,
                         int pt = kDtmfPt) {
  std::vector<uint8_t> b = rtp(0x5eed, seq, ts, static_cast<uint8_t>(pt), 4);
  b[12] = event;
  b[13] = static_cast<uint8_t>((end ? 0x80 : 0) | 10);
  put16(&b[14], duration);
  return b;
}

std::optional<DtmfEvent> feed(DtmfDetector& d, const std::vector<uint8_t>& p, int pt = kDtmfPt) {
  return d.on_rtp(p.data(), p.size(), pt);
}

TEST(DtmfDetect, SignalsCoverTheSixteenDtmfEvents) {
  EXPECT_EQ(dtmf_signal(0), '0');
  EXPECT_EQ(dtmf_signal(9), '9');
  EXPECT_EQ(dtmf_signal(10), '*');
  EXPECT_EQ(dtmf_signal(11), '#');
  EXPECT_EQ(dtmf_signal(12), 'A');
  EXPECT_EQ(dtmf_signal(15), 'D');
  EXPECT_EQ(dtmf_signal(16), '\0');
}

TEST(DtmfDetect, OneEventPerDigitAtTheEndPacket) {
  DtmfDetector d;
  EXPECT_FALSE(feed(d, tev(5, false, 160, 8000, 1)));
  EXPECT_FALSE(feed(d, tev(5, false, 320, 8000, 2)));
  auto ev = feed(d, tev(5, true, 800, 8000, 3));
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->signal, '5');
  EXPECT_EQ(ev->duration, 800);
}

TEST(DtmfDetect, RedundantEndPacketsAreReportedOnce) {
  DtmfDetector d;
  EXPECT_TRUE(feed(d, tev(11, true, 800, 16000, 10)));
  EXPECT_FALSE(feed(d, tev(11, true, 800, 16000, 11)));
  EXPECT_FALSE(feed(d, tev(11, true, 800, 16000, 12)));
}

TEST(DtmfDetect, SameDigitWithANewTimestampIsANewEvent) {
  DtmfDetector d;
  EXPECT_TRUE(feed(d, tev(1, true, 400, 1000)));
  auto ev = feed(d, tev(1, true, 480, 3000));
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->signal, '1');
  EXPECT_EQ(ev->duration, 480);
}

TEST(DtmfDetect, AnotherDigitWithTheSameTimestampIsANewEvent) {
  DtmfDetector d;
  EXPECT_TRUE(feed(d, tev(1, true, 400, 1000)));
  auto ev = feed(d, tev(2, true, 400, 1000));
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->signal, '2');
}

TEST(DtmfDetect, EventsAbove15AreIgnoredAndDoNotHideTheNext) {
  DtmfDetector d;
  EXPECT_FALSE(feed(d, tev(16, true, 400, 500)));   // flash
  EXPECT_FALSE(feed(d, tev(70, true, 400, 600)));
  auto ev = feed(d, tev(15, true, 400, 700));
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->signal, 'D');
}

TEST(DtmfDetect, OtherPayloadTypesAreNotEvents) {
  DtmfDetector d;
  EXPECT_FALSE(feed(d, tev(3, true, 400, 1000, 1, 0)));       // PCMU carrying the same bytes
  EXPECT_FALSE(feed(d, tev(3, true, 400, 1000, 1, 100)));
  EXPECT_FALSE(feed(d, tev(3, true, 400, 1000), -1));         // no telephone-event negotiated
  EXPECT_TRUE(feed(d, tev(3, true, 400, 1000)));
}

TEST(DtmfDetect, MarkerBitDoesNotHideThePayloadType) {
  DtmfDetector d;
  auto p = tev(4, true, 400, 1000);
  p[1] |= 0x80;
  auto ev = feed(d, p);
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->signal, '4');
}

TEST(DtmfDetect, ShortPayloadIsIgnored) {
  DtmfDetector d;
  auto p = tev(4, true, 400, 1000);
  p.resize(15);
  EXPECT_FALSE(feed(d, p));
}

TEST(DtmfDetect, PayloadAfterCsrcsAndExtension) {
  DtmfDetector d;
  // 1 CSRC + a one-word header extension, then the event.
  std::vector<uint8_t> p = rtp(0x5eed, 1, 4000, kDtmfPt, 4 + 8 + 4);
  p[0] = 0x80 | 0x10 | 1;
  p[16] = 0xbe, p[17] = 0xde, p[18] = 0, p[19] = 1;
  p[24] = 9;
  p[25] = 0x80;
  put16(&p[26], 640);
  auto ev = feed(d, p);
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->signal, '9');
  EXPECT_EQ(ev->duration, 640);
}

TEST(DtmfDetect, ResetForgetsTheLastEvent) {
  DtmfDetector d;
  EXPECT_TRUE(feed(d, tev(7, true, 400, 1000)));
  d.reset();
  EXPECT_TRUE(feed(d, tev(7, true, 400, 1000)));
}

// In the relay (bridge thread): audio only, reported once, and the packet still goes to
// the browser.
struct RelayProbe {
  int relayed = 0;
  std::vector<DtmfEvent> events;
};

void count_relayed(void* ctx, bool, bool, char*, uint16_t) { static_cast<RelayProbe*>(ctx)->relayed++; }
void count_dtmf(void* ctx, const DtmfEvent& ev) { static_cast<RelayProbe*>(ctx)->events.push_back(ev); }

TEST(DtmfDetect, BrowserRelayReportsEndPacketsAndStillRelaysThem) {
  RelayProbe probe;
  BrowserRelay audio(false, count_relayed, &probe);
  audio.set_dtmf_sink(count_dtmf, &probe);
  audio.set_dtmf_pt(kDtmfPt);
  for (int i = 0; i < 3; i++) {
    auto p = tev(8, i > 0, 400, 2000, static_cast<uint16_t>(i + 1));
    audio.on_peer_packet_at(false, p.data(), static_cast<uint16_t>(p.size()), 0);
  }
  auto again = tev(8, true, 400, 2000, 4);
  audio.on_peer_packet_at(false, again.data(), static_cast<uint16_t>(again.size()), 0);
  ASSERT_EQ(probe.events.size(), 1u);
  EXPECT_EQ(probe.events[0].signal, '8');
  EXPECT_EQ(probe.relayed, 4);
  EXPECT_EQ(audio.counters().dtmf_events.load(), 1u);
}

TEST(DtmfDetect, BrowserRelayIgnoresVideoAndHeldMedia) {
  RelayProbe probe;
  BrowserRelay video(true, count_relayed, &probe);
  video.set_dtmf_sink(count_dtmf, &probe);
  video.set_dtmf_pt(kDtmfPt);
  auto p = tev(1, true, 400, 2000);
  video.on_peer_packet_at(false, p.data(), static_cast<uint16_t>(p.size()), 0);
  BrowserRelay held(false, count_relayed, &probe);
  held.set_dtmf_sink(count_dtmf, &probe);
  held.set_dtmf_pt(kDtmfPt);
  held.set_on_hold(true);
  auto q = tev(2, true, 400, 2000);
  held.on_peer_packet_at(false, q.data(), static_cast<uint16_t>(q.size()), 0);
  EXPECT_TRUE(probe.events.empty());
}

}  // namespace
}  // namespace rtpgate::ctl::media
