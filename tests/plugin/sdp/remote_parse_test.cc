// parse_remote(): the SIP side's SDP -> RemoteMedia (spec §9.2).
#include <gtest/gtest.h>

#include <tuple>

#include "sdp/sdp.h"
#include "sdp_fixtures.h"

namespace rtpgate::ctl::sdp {
namespace {

using fixtures::crlf;

RemoteMedia parse(std::string_view sdp, SdpType type = SdpType::Offer) {
  RemoteMedia rm;
  std::string why;
  EXPECT_TRUE(parse_remote(crlf(sdp), type, &rm, &why)) << why;
  return rm;
}

std::string minimal(std::string_view media_lines, std::string_view session_extra = "") {
  std::string s = "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nc=IN IP4 192.0.2.1\nt=0 0\n";
  s += session_extra;
  s += media_lines;
  return s;
}

TEST(ParseRemote, SippOfferGivesPcmuOnSessionAddress) {
  const RemoteMedia rm = parse(fixtures::kSippOffer);
  EXPECT_FALSE(rm.srtp_mandatory);
  const RemoteMedium& a = rm.audio;
  EXPECT_TRUE(a.present);
  EXPECT_EQ(a.addr, "192.0.2.10");
  EXPECT_EQ(a.family, 4);
  EXPECT_FALSE(a.on_hold_addr);
  EXPECT_EQ(a.port, 6000);
  EXPECT_EQ(a.rtcp_port, 6001);
  EXPECT_FALSE(a.rtcp_mux);
  EXPECT_EQ(a.direction, Direction::SendRecv);
  EXPECT_TRUE(a.send);
  EXPECT_TRUE(a.recv);
  EXPECT_FALSE(a.savp);
  EXPECT_EQ(a.pt, 0);
  EXPECT_EQ(a.red_pt, -1);
  EXPECT_EQ(a.codec, "pcmu");
  EXPECT_EQ(a.clock_rate, 8000u);
  EXPECT_EQ(a.dtmf_pt, -1);
  EXPECT_TRUE(a.crypto.empty());
  EXPECT_FALSE(rm.video.present);
}

TEST(ParseRemote, BaresipOfferHasOpusAndAvpfVideoWithWildcardPli) {
  const RemoteMedia rm = parse(fixtures::kBaresipOffer);
  EXPECT_EQ(rm.audio.pt, 96);
  EXPECT_EQ(rm.audio.codec, "opus");
  EXPECT_EQ(rm.audio.clock_rate, 48000u);
  EXPECT_EQ(rm.audio.dtmf_pt, 101);
  EXPECT_FALSE(rm.audio.pli);
  ASSERT_TRUE(rm.video.present);
  EXPECT_EQ(rm.video.port, 10002);
  EXPECT_EQ(rm.video.pt, 100);
  EXPECT_EQ(rm.video.codec, "h264");
  EXPECT_EQ(rm.video.clock_rate, 90000u);
  EXPECT_TRUE(rm.video.pli);
  EXPECT_FALSE(rm.video.savp);
}

TEST(ParseRemote, AsteriskSdesOfferMakesSrtpMandatoryAndKeepsUsableCryptoLines) {
  const RemoteMedia rm = parse(fixtures::kAsteriskSrtpOffer);
  EXPECT_TRUE(rm.srtp_mandatory);
  EXPECT_TRUE(rm.audio.savp);
  EXPECT_EQ(rm.audio.pt, 8);
  EXPECT_EQ(rm.audio.codec, "pcma");
  EXPECT_EQ(rm.audio.dtmf_pt, 101);
  ASSERT_EQ(rm.audio.crypto.size(), 2u);  // the MKI line is ignored
  EXPECT_EQ(rm.audio.crypto[0].tag, 1);
  EXPECT_EQ(rm.audio.crypto[0].profile, "AES_CM_128_HMAC_SHA1_80");
  EXPECT_EQ(rm.audio.crypto[0].key_b64, "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz");  // lifetime dropped
  EXPECT_EQ(rm.audio.crypto[1].tag, 2);
  EXPECT_EQ(rm.audio.crypto[1].profile, "AES_CM_128_HMAC_SHA1_32");
}

TEST(ParseRemote, HoldOfferIsOnHoldSendOnlyWithExplicitRtcp) {
  const RemoteMedia rm = parse(fixtures::kHoldOffer);
  const RemoteMedium& a = rm.audio;
  EXPECT_TRUE(a.present);
  EXPECT_EQ(a.addr, "0.0.0.0");
  EXPECT_TRUE(a.on_hold_addr);
  EXPECT_EQ(a.rtcp_port, 20011);
  EXPECT_TRUE(a.rtcp_mux);
  EXPECT_EQ(a.direction, Direction::SendOnly);
  EXPECT_FALSE(a.send);
  EXPECT_TRUE(a.recv);
  EXPECT_EQ(a.codec, "pcma");
}

TEST(ParseRemote, Ipv6SessionDirectionIsDefaultAndMediaOverrides) {
  const RemoteMedia rm = parse(fixtures::kIpv6Offer);
  EXPECT_EQ(rm.audio.addr, "2001:db8::10");
  EXPECT_EQ(rm.audio.family, 6);
  EXPECT_EQ(rm.audio.direction, Direction::Inactive);
  EXPECT_FALSE(rm.audio.send);
  EXPECT_FALSE(rm.audio.recv);
  EXPECT_EQ(rm.audio.pt, 9);
  EXPECT_EQ(rm.audio.codec, "g722");  // static PT, no rtpmap
  EXPECT_EQ(rm.audio.clock_rate, 8000u);
  EXPECT_EQ(rm.video.addr, "2001:db8::20");  // m-line c= overrides the session's
  EXPECT_EQ(rm.video.family, 6);
  EXPECT_EQ(rm.video.direction, Direction::RecvOnly);
  EXPECT_TRUE(rm.video.send);
  EXPECT_FALSE(rm.video.recv);
}

TEST(ParseRemote, OpusRedAnswerUsesTheCodecAfterRed) {
  const RemoteMedia rm = parse(fixtures::kOpusRedAnswer, SdpType::Answer);
  EXPECT_EQ(rm.audio.red_pt, 63);
  EXPECT_EQ(rm.audio.pt, 111);
  EXPECT_EQ(rm.audio.codec, "opus");
  EXPECT_EQ(rm.audio.clock_rate, 48000u);
  EXPECT_EQ(rm.audio.dtmf_pt, 110);  // the telephone-event with the codec's clock
  EXPECT_FALSE(rm.video.present);    // port 0
}

TEST(ParseRemote, TelephoneEventFallsBackToTheFirstOne) {
  const RemoteMedia rm =
      parse(minimal("m=audio 5000 RTP/AVP 0 97 98\na=rtpmap:97 telephone-event/16000\na=rtpmap:98 "
                    "telephone-event/48000\n"));
  EXPECT_EQ(rm.audio.dtmf_pt, 97);
}

TEST(ParseRemote, RedAloneLeavesNoCodec) {
  const RemoteMedia rm = parse(minimal("m=audio 5000 RTP/AVP 63\na=rtpmap:63 red/48000/2\n"));
  EXPECT_EQ(rm.audio.red_pt, 63);
  EXPECT_EQ(rm.audio.pt, -1);
}

TEST(ParseRemote, PliMustMatchTheNegotiatedPayloadType) {
  EXPECT_FALSE(parse(minimal("m=video 5000 RTP/AVP 96 97\na=rtpmap:96 VP8/90000\na=rtpmap:97 H264/90000\n"
                             "a=rtcp-fb:97 nack pli\na=rtcp-fb:96 nack\na=rtcp-fb:96 ccm fir\n"))
                   .video.pli);
  EXPECT_TRUE(parse(minimal("m=video 5000 RTP/AVP 96\na=rtpmap:96 VP8/90000\na=rtcp-fb:96 pli\n")).video.pli);
  EXPECT_TRUE(
      parse(minimal("m=video 5000 RTP/AVP 96\na=rtpmap:96 VP8/90000\na=rtcp-fb:96 nack pli\n")).video.pli);
}

TEST(ParseRemote, SavpOnAnyLineMakesSrtpMandatory) {
  const RemoteMedia rm =
      parse(minimal("m=audio 5000 RTP/AVP 0\nm=video 5002 RTP/SAVPF 96\na=rtpmap:96 VP8/90000\n"));
  EXPECT_TRUE(rm.srtp_mandatory);
  EXPECT_FALSE(rm.audio.savp);
  EXPECT_TRUE(rm.video.savp);
}

TEST(ParseRemote, MissingConnectionLeavesAddressEmpty) {
  const RemoteMedia rm = parse("v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nt=0 0\nm=audio 5000 RTP/AVP 0\n");
  EXPECT_TRUE(rm.audio.present);
  EXPECT_EQ(rm.audio.addr, "");
  EXPECT_EQ(rm.audio.family, 0);
}

TEST(ParseRemote, Ipv6UnspecifiedAddressIsOnHold) {
  const RemoteMedia rm = parse("v=0\no=- 1 1 IN IP6 ::1\ns=-\nc=IN IP6 ::\nt=0 0\nm=audio 5000 RTP/AVP 0\n");
  EXPECT_TRUE(rm.audio.on_hold_addr);
  EXPECT_EQ(rm.audio.family, 6);
}

TEST(ParseRemote, UnusableProfilesAndPortZeroAreNotPresent) {
  const RemoteMedia rm =
      parse(minimal("m=audio 0 RTP/AVP 0\nm=audio 5000 TCP/RTP/AVP 0\nm=audio 5004 RTP/AVP 8\n"
                    "m=video 9 UDP/TLS/RTP/SAVPF 96\na=rtpmap:96 VP8/90000\n"));
  EXPECT_TRUE(rm.audio.present);
  EXPECT_EQ(rm.audio.port, 5004);  // first audio m-line with a port and a plain/SDES profile
  EXPECT_FALSE(rm.video.present);  // DTLS-SRTP is not something we can do with a SIP peer
}

TEST(ParseRemote, BrowserOfferIsParsedToo) {
  const RemoteMedia rm = parse(fixtures::kChromeOffer);
  EXPECT_FALSE(rm.audio.present);  // UDP/TLS/RTP/SAVPF
  BrowserSdpInfo info;
  std::string why;
  EXPECT_TRUE(inspect_browser(crlf(fixtures::kChromeOffer), &info, &why));
}

TEST(ParseRemote, RtcpPortFallsBackWhenAttributeIsInvalid) {
  EXPECT_EQ(parse(minimal("m=audio 5000 RTP/AVP 0\na=rtcp:junk\n")).audio.rtcp_port, 5001);
  EXPECT_EQ(parse(minimal("m=audio 5000 RTP/AVP 0\na=rtcp:70000\n")).audio.rtcp_port, 5001);
  EXPECT_EQ(parse(minimal("m=audio 5000 RTP/AVP 0\na=rtcp:5009 IN IP4 192.0.2.99\n")).audio.rtcp_port, 5009);
  EXPECT_EQ(parse(minimal("m=audio 65535 RTP/AVP 0\n")).audio.rtcp_port, 0);
}

// Direction attribute -> (direction, send, recv), from the peer's point of view.
class ParseRemoteDirectionTest
    : public ::testing::TestWithParam<std::tuple<const char*, Direction, bool, bool>> {};

TEST_P(ParseRemoteDirectionTest, MapsToSendAndRecv) {
  const auto& [attr, dir, send, recv] = GetParam();
  const RemoteMedia rm = parse(minimal("m=audio 5000 RTP/AVP 0\n" + std::string(attr)));
  EXPECT_EQ(rm.audio.direction, dir);
  EXPECT_EQ(rm.audio.send, send);
  EXPECT_EQ(rm.audio.recv, recv);
}

INSTANTIATE_TEST_SUITE_P(Attributes, ParseRemoteDirectionTest,
                         ::testing::Values(std::make_tuple("", Direction::SendRecv, true, true),
                                           std::make_tuple("a=sendrecv\n", Direction::SendRecv, true, true),
                                           std::make_tuple("a=sendonly\n", Direction::SendOnly, false, true),
                                           std::make_tuple("a=recvonly\n", Direction::RecvOnly, true, false),
                                           std::make_tuple("a=inactive\n", Direction::Inactive, false,
                                                           false)));

TEST(ParseRemote, MediaLinesWithExtraSpacesAreAccepted) {
  const RemoteMedia rm = parse(minimal("m=audio  5000 RTP/AVP 8  0 \n"));
  EXPECT_EQ(rm.audio.port, 5000);
  EXPECT_EQ(rm.audio.pt, 8);
}

TEST(ParseRemote, ResultIsResetOnFailure) {
  RemoteMedia rm;
  rm.audio.present = true;
  rm.srtp_mandatory = true;
  std::string why;
  EXPECT_FALSE(parse_remote("v=0\r\n", SdpType::Offer, &rm, &why));
  EXPECT_FALSE(why.empty());
  EXPECT_FALSE(rm.audio.present);
  EXPECT_FALSE(rm.srtp_mandatory);
}

class ParseRemoteMalformedTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ParseRemoteMalformedTest, FailsWithReason) {
  RemoteMedia rm;
  std::string why;
  EXPECT_FALSE(parse_remote(GetParam(), SdpType::Answer, &rm, &why));
  EXPECT_FALSE(why.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, ParseRemoteMalformedTest,
    ::testing::Values(
        std::string(), std::string("\r\n"), std::string("v=0\r\n"), std::string("not an sdp at all"),
        std::string("v=0") + std::string(1, '\0') + "\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n",
        std::string("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 99999 "
                    "RTP/AVP 0\r\n"),
        std::string(
            "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 5000 RTP/AVP\r\n"),
        std::string("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 5000 "
                    "RTP/AVP x\r\n"),
        std::string("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 5000 "
                    "RTP/AVPF 96\r\na=rtpmap:96 opus\r\n"),
        std::string(70 * 1024, 'a'),
        // Sofia 1.12.11 loops forever on these formats: refused before parsing.
        std::string("v=0\nm=audio 8 p:\xe1"), std::string("v=0\nm=a 8 b \x01"),
        std::string("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 5000 "
                    "RTP/AVP 0\t8\r\n"),
        // Parsed by Sofia, refused by its printer.
        std::string("v=0\ro=- 3 8 IN IP4 /2\rs=-\rt=0 0\r")));

}  // namespace
}  // namespace rtpgate::ctl::sdp
