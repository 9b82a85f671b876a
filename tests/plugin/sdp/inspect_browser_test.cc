// inspect_browser(): what the browser SDP asks for (spec §4.3 checks).
#include <gtest/gtest.h>

#include "sdp/sdp.h"
#include "sdp_fixtures.h"

namespace rtpgate::ctl::sdp {
namespace {

using fixtures::crlf;

TEST(InspectBrowser, ChromeOfferHasAudioAndVideo) {
  BrowserSdpInfo info;
  std::string why;
  ASSERT_TRUE(inspect_browser(crlf(fixtures::kChromeOffer), &info, &why)) << why;
  EXPECT_TRUE(info.has_audio);
  EXPECT_TRUE(info.has_video);
  EXPECT_FALSE(info.has_application);
}

TEST(InspectBrowser, DataChannelIsReported) {
  BrowserSdpInfo info;
  std::string why;
  ASSERT_TRUE(inspect_browser(crlf(fixtures::kFirefoxOfferWithData), &info, &why)) << why;
  EXPECT_TRUE(info.has_audio);
  EXPECT_TRUE(info.has_video);
  EXPECT_TRUE(info.has_application);
}

TEST(InspectBrowser, RejectedDataChannelIsStillReported) {
  BrowserSdpInfo info;
  std::string why;
  const std::string sdp = crlf(
      "v=0\no=- 1 2 IN IP4 127.0.0.1\ns=-\nt=0 0\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 111\nc=IN IP4 0.0.0.0\na=rtpmap:111 opus/48000/2\n"
      "m=application 0 UDP/DTLS/SCTP webrtc-datachannel\nc=IN IP4 0.0.0.0\n");
  ASSERT_TRUE(inspect_browser(sdp, &info, &why)) << why;
  EXPECT_TRUE(info.has_application);
}

TEST(InspectBrowser, PortZeroMediumIsNotCounted) {
  BrowserSdpInfo info;
  std::string why;
  const std::string sdp = crlf(
      "v=0\no=- 1 2 IN IP4 127.0.0.1\ns=-\nt=0 0\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 111\nc=IN IP4 0.0.0.0\na=rtpmap:111 opus/48000/2\n"
      "m=video 0 UDP/TLS/RTP/SAVPF 96\nc=IN IP4 0.0.0.0\na=rtpmap:96 VP8/90000\n");
  ASSERT_TRUE(inspect_browser(sdp, &info, &why)) << why;
  EXPECT_TRUE(info.has_audio);
  EXPECT_FALSE(info.has_video);
}

TEST(InspectBrowser, LfOnlySdpIsAccepted) {
  BrowserSdpInfo info;
  std::string why;
  ASSERT_TRUE(inspect_browser(std::string(fixtures::kChromeOffer), &info, &why)) << why;
  EXPECT_TRUE(info.has_audio);
}

TEST(InspectBrowser, GarbageFailsWithReason) {
  BrowserSdpInfo info;
  info.has_audio = true;
  std::string why;
  EXPECT_FALSE(inspect_browser("hello world", &info, &why));
  EXPECT_FALSE(why.empty());
  EXPECT_FALSE(info.has_audio);  // reset even on failure
}

}  // namespace
}  // namespace rtpgate::ctl::sdp
