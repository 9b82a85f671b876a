// rewrite_for_sip(): browser SDP -> SDP for the SIP peer (spec §9.1).
#include <gtest/gtest.h>

#include "sdp/sdp.h"
#include "sdp_fixtures.h"
#include "sdp_test_util.h"

namespace rtpgate::ctl::sdp {
namespace {

using fixtures::crlf;
using testing::count_prefix;
using testing::has_line;
using testing::lines_of;
using testing::section;

constexpr std::string_view kKey = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz";

LocalMedia plain_media() {
  LocalMedia lm;
  lm.sdp_ip = "198.51.100.1";
  lm.audio.port = 40000;
  lm.video.port = 40002;
  return lm;
}

std::string rewrite(std::string_view browser, SdpType type, const LocalMedia& lm, bool bump = false) {
  std::string out, why;
  EXPECT_TRUE(rewrite_for_sip(crlf(browser), type, lm, bump, &out, &why)) << why;
  return out;
}

class RewriteChromeOfferTest : public ::testing::Test {
 protected:
  void SetUp() override { out_ = rewrite(fixtures::kChromeOffer, SdpType::Offer, plain_media()); }
  std::string out_;
};

TEST_F(RewriteChromeOfferTest, MediaLinesUseLocalPortsAndRtpAvp) {
  const auto audio = section(out_, 0);
  const auto video = section(out_, 1);
  ASSERT_FALSE(audio.empty());
  ASSERT_FALSE(video.empty());
  EXPECT_EQ(audio[0], "m=audio 40000 RTP/AVP 111 63 9 0 8 13 110 126");
  EXPECT_EQ(video[0], "m=video 40002 RTP/AVP 96 97 102 103");
}

TEST_F(RewriteChromeOfferTest, EveryMediaLineGetsSdpIp) {
  EXPECT_TRUE(has_line(section(out_, 0), "c=IN IP4 198.51.100.1"));
  EXPECT_TRUE(has_line(section(out_, 1), "c=IN IP4 198.51.100.1"));
  EXPECT_EQ(count_prefix(section(out_, -1), "c="), 0u);  // none in the browser's session part
  EXPECT_EQ(out_.find("0.0.0.0"), std::string::npos);
}

TEST_F(RewriteChromeOfferTest, WebRtcTransportAttributesAreStripped) {
  const auto lines = lines_of(out_);
  for (std::string_view prefix : {"a=mid", "a=msid", "a=group", "a=ice-", "a=candidate",
                                  "a=end-of-candidates", "a=fingerprint", "a=setup", "a=rtcp:", "a=rtcp-mux",
                                  "a=rtcp-rsize", "a=extmap-allow-mixed", "a=ssrc", "a=bundle-only"})
    EXPECT_EQ(count_prefix(lines, prefix), 0u) << prefix;
}

TEST_F(RewriteChromeOfferTest, OnlyNackPliFeedbackSurvives) {
  const auto lines = lines_of(out_);
  EXPECT_EQ(count_prefix(lines, "a=rtcp-fb:"), 2u);
  EXPECT_TRUE(has_line(lines, "a=rtcp-fb:96 nack pli"));
  EXPECT_TRUE(has_line(lines, "a=rtcp-fb:102 nack pli"));
}

TEST_F(RewriteChromeOfferTest, OnlyAudioLevelAndVideoOrientationExtmapsSurvive) {
  const auto lines = lines_of(out_);
  EXPECT_EQ(count_prefix(lines, "a=extmap:"), 2u);
  EXPECT_TRUE(has_line(section(out_, 0), "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level"));
  EXPECT_TRUE(has_line(section(out_, 1), "a=extmap:13 urn:3gpp:video-orientation"));
}

TEST_F(RewriteChromeOfferTest, CodecsDirectionAndFmtpAreKept) {
  const auto audio = section(out_, 0);
  for (std::string_view l : {"a=rtpmap:111 opus/48000/2", "a=fmtp:111 minptime=10;useinbandfec=1",
                             "a=rtpmap:63 red/48000/2", "a=rtpmap:110 telephone-event/48000",
                             "a=rtpmap:126 telephone-event/8000", "a=rtpmap:0 PCMU/8000", "a=sendrecv"})
    EXPECT_TRUE(has_line(audio, l)) << l;
  const auto video = section(out_, 1);
  for (std::string_view l :
       {"a=rtpmap:96 VP8/90000", "a=rtpmap:97 rtx/90000", "a=fmtp:97 apt=96",
        "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f"})
    EXPECT_TRUE(has_line(video, l)) << l;
}

TEST_F(RewriteChromeOfferTest, OutputIsCrlfTerminatedSdp) {
  ASSERT_GE(out_.size(), 2u);
  EXPECT_EQ(out_.substr(out_.size() - 2), "\r\n");
  EXPECT_EQ(out_.rfind("v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", 0), 0u);
  for (size_t i = 0; i < out_.size(); i++) {
    if (out_[i] == '\n') {
      EXPECT_EQ(out_[i - 1], '\r');
    }
  }
}

TEST_F(RewriteChromeOfferTest, NoCryptoWithoutLocalKeys) {
  EXPECT_EQ(count_prefix(lines_of(out_), "a=crypto"), 0u);
}

TEST(RewriteForSip, SrtpMandatoryUsesSavpAndAppendsCrypto) {
  LocalMedia lm = plain_media();
  lm.srtp_mandatory = true;
  lm.audio.crypto = "1 AES_CM_128_HMAC_SHA1_80 inline:" + std::string(kKey);
  lm.video.crypto = "1 AES_CM_128_HMAC_SHA1_32 inline:" + std::string(kKey);
  const std::string out = rewrite(fixtures::kChromeOffer, SdpType::Offer, lm);
  const auto audio = section(out, 0);
  const auto video = section(out, 1);
  EXPECT_EQ(audio[0].rfind("m=audio 40000 RTP/SAVP ", 0), 0u);
  EXPECT_EQ(video[0].rfind("m=video 40002 RTP/SAVP ", 0), 0u);
  EXPECT_TRUE(has_line(audio, "a=crypto:" + lm.audio.crypto));
  EXPECT_TRUE(has_line(video, "a=crypto:" + lm.video.crypto));
  EXPECT_EQ(count_prefix(lines_of(out), "a=crypto:"), 2u);
}

TEST(RewriteForSip, OptionalSrtpKeepsAvpWithCrypto) {
  LocalMedia lm = plain_media();
  lm.audio.crypto = "1 AES_CM_128_HMAC_SHA1_80 inline:" + std::string(kKey);
  const std::string out = rewrite(fixtures::kChromeOffer, SdpType::Offer, lm);
  EXPECT_EQ(section(out, 0)[0].rfind("m=audio 40000 RTP/AVP ", 0), 0u);
  EXPECT_TRUE(has_line(section(out, 0), "a=crypto:" + lm.audio.crypto));
  EXPECT_EQ(count_prefix(section(out, 1), "a=crypto"), 0u);
}

TEST(RewriteForSip, ZeroLocalPortDisablesMedium) {
  LocalMedia lm = plain_media();
  lm.video.port = 0;
  lm.video.crypto = "1 AES_CM_128_HMAC_SHA1_80 inline:" + std::string(kKey);
  const std::string out = rewrite(fixtures::kChromeOffer, SdpType::Offer, lm);
  const auto video = section(out, 1);
  ASSERT_FALSE(video.empty());
  EXPECT_EQ(video[0], "m=video 0 RTP/AVP 96 97 102 103");
  EXPECT_EQ(count_prefix(video, "a=crypto"), 0u);
  EXPECT_EQ(count_prefix(video, "a=sendrecv"), 0u);
  EXPECT_EQ(section(out, 0)[0].rfind("m=audio 40000 ", 0), 0u);
}

TEST(RewriteForSip, Ipv6SdpIpWritesIp6) {
  LocalMedia lm = plain_media();
  lm.sdp_ip = "2001:db8::1";
  const std::string sdp = crlf(
      "v=0\no=- 1 2 IN IP4 127.0.0.1\ns=-\nc=IN IP4 0.0.0.0\nt=0 0\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 111\na=rtpmap:111 opus/48000/2\n");
  std::string out, why;
  ASSERT_TRUE(rewrite_for_sip(sdp, SdpType::Offer, lm, false, &out, &why)) << why;
  EXPECT_TRUE(has_line(section(out, -1), "c=IN IP6 2001:db8::1"));
  EXPECT_TRUE(has_line(section(out, 0), "c=IN IP6 2001:db8::1"));
}

TEST(RewriteForSip, VersionIsBumpedOnlyWhenAsked) {
  const LocalMedia lm = plain_media();
  EXPECT_TRUE(has_line(lines_of(rewrite(fixtures::kChromeOffer, SdpType::Offer, lm, false)),
                       "o=- 4611731400430051336 2 IN IP4 127.0.0.1"));
  EXPECT_TRUE(has_line(lines_of(rewrite(fixtures::kChromeOffer, SdpType::Offer, lm, true)),
                       "o=- 4611731400430051336 3 IN IP4 127.0.0.1"));
}

TEST(RewriteForSip, AnswerDropsDuplicateCodecPayloadTypes) {
  const std::string out = rewrite(fixtures::kChromeAnswer, SdpType::Answer, plain_media());
  const auto audio = section(out, 0);
  const auto video = section(out, 1);
  EXPECT_EQ(audio[0], "m=audio 40000 RTP/AVP 0 8 101");
  EXPECT_TRUE(has_line(audio, "a=fmtp:101 0-15"));
  EXPECT_EQ(count_prefix(audio, "a=rtpmap:102"), 0u);
  EXPECT_EQ(video[0], "m=video 40002 RTP/AVP 104 105");
  EXPECT_TRUE(has_line(video, "a=rtcp-fb:104 nack pli"));
  EXPECT_EQ(count_prefix(video, "a=rtcp-fb:106"), 0u);
  EXPECT_EQ(count_prefix(video, "a=rtcp-fb:108"), 0u);
  EXPECT_EQ(count_prefix(video, "a=fmtp:106"), 0u);
  EXPECT_TRUE(has_line(video, "a=recvonly"));
}

TEST(RewriteForSip, AnswerKeepsTelephoneEventsOfDifferentClocks) {
  const std::string out = rewrite(fixtures::kChromeOffer, SdpType::Answer, plain_media());
  EXPECT_EQ(section(out, 0)[0], "m=audio 40000 RTP/AVP 111 63 9 0 8 13 110 126");
  EXPECT_EQ(section(out, 1)[0], "m=video 40002 RTP/AVP 96 97 102");  // 103 = second rtx/90000
}

TEST(RewriteForSip, OfferKeepsDuplicateCodecPayloadTypes) {
  const std::string out = rewrite(fixtures::kChromeAnswer, SdpType::Offer, plain_media());
  EXPECT_EQ(section(out, 1)[0], "m=video 40002 RTP/AVP 104 106 108 105 107");
}

TEST(RewriteForSip, OnlyAsAndCtBandwidthsAreKept) {
  const std::string out = rewrite(fixtures::kChromeAnswer, SdpType::Answer, plain_media());
  const auto video = section(out, 1);
  EXPECT_TRUE(has_line(video, "b=AS:2000"));
  EXPECT_EQ(count_prefix(video, "b="), 1u);
}

TEST(RewriteForSip, FirefoxOfferDisablesDataChannelAndFiltersDirectionalExtmaps) {
  const std::string out = rewrite(fixtures::kFirefoxOfferWithData, SdpType::Offer, plain_media());
  const auto audio = section(out, 0);
  EXPECT_EQ(audio[0], "m=audio 40000 RTP/AVP 109 9 0 8 101");
  EXPECT_TRUE(has_line(audio, "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level"));
  EXPECT_EQ(count_prefix(audio, "a=extmap:"), 1u);
  EXPECT_TRUE(has_line(audio, "a=rtpmap:101 telephone-event/8000/1"));
  EXPECT_TRUE(has_line(section(out, 1), "a=extmap:7 urn:3gpp:video-orientation"));
  const auto app = section(out, 2);
  ASSERT_FALSE(app.empty());
  EXPECT_EQ(app[0], "m=application 0 UDP/DTLS/SCTP webrtc-datachannel");
  EXPECT_EQ(count_prefix(app, "a="), 0u);
  const auto session = section(out, -1);
  EXPECT_EQ(count_prefix(session, "a="), 0u);  // fingerprint, group, ice-options, msid-semantic
}

TEST(RewriteForSip, OnlyFirstActiveAudioLineGetsMedia) {
  const std::string sdp = crlf(
      "v=0\no=- 1 2 IN IP4 127.0.0.1\ns=-\nt=0 0\n"
      "m=audio 0 UDP/TLS/RTP/SAVPF 0\nc=IN IP4 0.0.0.0\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 111\nc=IN IP4 0.0.0.0\na=rtpmap:111 opus/48000/2\na=mid:1\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 111\nc=IN IP4 0.0.0.0\na=rtpmap:111 opus/48000/2\na=mid:2\n");
  const std::string out = rewrite(sdp, SdpType::Offer, plain_media());
  EXPECT_EQ(section(out, 0)[0], "m=audio 0 RTP/AVP 0");
  EXPECT_EQ(section(out, 1)[0], "m=audio 40000 RTP/AVP 111");
  EXPECT_EQ(section(out, 2)[0], "m=audio 0 RTP/AVP 111");
}

TEST(RewriteForSip, MissingSessionNameAndTimeAreAdded) {
  const std::string sdp = crlf("v=0\no=- 1 2 IN IP4 127.0.0.1\nm=audio 9 RTP/AVP 0\nc=IN IP4 0.0.0.0\n");
  const auto session = section(rewrite(sdp, SdpType::Offer, plain_media()), -1);
  EXPECT_TRUE(has_line(session, "s=-"));
  EXPECT_TRUE(has_line(session, "t=0 0"));
}

TEST(RewriteForSip, StaticPayloadTypesGetExplicitRtpmaps) {
  const std::string sdp =
      crlf("v=0\no=- 1 2 IN IP4 127.0.0.1\ns=-\nt=0 0\nm=audio 9 RTP/AVP 8 0\nc=IN IP4 0.0.0.0\n");
  const auto audio = section(rewrite(sdp, SdpType::Offer, plain_media()), 0);
  EXPECT_TRUE(has_line(audio, "a=rtpmap:8 PCMA/8000"));
  EXPECT_TRUE(has_line(audio, "a=rtpmap:0 PCMU/8000"));
}

TEST(RewriteForSip, DynamicPayloadTypeWithoutRtpmapGetsNoRtpmapLine) {
  const std::string sdp =
      crlf("v=0\no=- 1 2 IN IP4 127.0.0.1\ns=-\nt=0 0\nm=video 9 RTP/AVP 96\nc=IN IP4 0.0.0.0\n");
  LocalMedia lm = plain_media();
  const auto video = section(rewrite(sdp, SdpType::Offer, lm), 0);
  EXPECT_EQ(video[0], "m=video 40002 RTP/AVP 96");
  EXPECT_EQ(count_prefix(video, "a=rtpmap"), 0u);
  lm.video.port = 0;
  EXPECT_EQ(count_prefix(section(rewrite(sdp, SdpType::Offer, lm), 0), "a=rtpmap"), 0u);
}

TEST(RewriteForSip, OutputParsesBackAsTheMediaWeAnnounced) {
  LocalMedia lm = plain_media();
  lm.srtp_mandatory = true;
  lm.audio.crypto = "1 AES_CM_128_HMAC_SHA1_80 inline:" + std::string(kKey);
  const std::string out = rewrite(fixtures::kChromeOffer, SdpType::Answer, lm);
  RemoteMedia rm;
  std::string why;
  ASSERT_TRUE(parse_remote(out, SdpType::Answer, &rm, &why)) << why;
  EXPECT_TRUE(rm.srtp_mandatory);
  EXPECT_EQ(rm.audio.addr, "198.51.100.1");
  EXPECT_EQ(rm.audio.port, 40000);
  EXPECT_EQ(rm.audio.pt, 111);
  EXPECT_EQ(rm.audio.red_pt, -1);  // 111 is first in Chrome's offer
  EXPECT_EQ(rm.audio.codec, "opus");
  EXPECT_EQ(rm.audio.dtmf_pt, 110);
  EXPECT_FALSE(rm.audio.rtcp_mux);
  ASSERT_EQ(rm.audio.crypto.size(), 1u);
  EXPECT_EQ(rm.audio.crypto[0].key_b64, kKey);
  EXPECT_EQ(rm.video.port, 40002);
  EXPECT_EQ(rm.video.codec, "vp8");
  EXPECT_TRUE(rm.video.pli);
}

TEST(RewriteForSip, MissingSdpIpFails) {
  LocalMedia lm = plain_media();
  lm.sdp_ip.clear();
  std::string out = "stale", why;
  EXPECT_FALSE(rewrite_for_sip(crlf(fixtures::kChromeOffer), SdpType::Offer, lm, false, &out, &why));
  EXPECT_FALSE(why.empty());
  EXPECT_TRUE(out.empty());
}

class RewriteMalformedTest : public ::testing::TestWithParam<const char*> {};

TEST_P(RewriteMalformedTest, FailsWithReason) {
  std::string out, why;
  EXPECT_FALSE(rewrite_for_sip(GetParam(), SdpType::Offer, plain_media(), true, &out, &why));
  EXPECT_FALSE(why.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, RewriteMalformedTest,
    ::testing::Values(
        "", "v=0\r\n", "garbage\r\nmore garbage",
        "v=0\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\nc=IN IP4 0.0.0.0\r\n",
        "v=0\r\no=- 1 2 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF\r\nc=IN IP4 "
        "0.0.0.0\r\n",
        "v=0\r\no=- 1 2 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 "
        "0.0.0.0\r\na=rtpmap:96\r\n",
        "v=0\r\no=- 1 2 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 70000 RTP/AVP 0\r\nc=IN IP4 0.0.0.0\r\n",
        "v=0\r\no=- 1 2 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 300\r\nc=IN IP4 0.0.0.0\r\n",
        "v=0\r\no=- 1 2 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\nc=IN IP7 0.0.0.0\r\n"));

}  // namespace
}  // namespace rtpgate::ctl::sdp
