// Direction and o= version edits of our SIP-side SDP (control/sdp/hold_rewrite.*): the hold
// rule of spec §4.8, answers to re-INVITE offers, and what survives a rewrite.
#include "sdp/hold_rewrite.h"

#include <gtest/gtest.h>

#include "sdp_test_util.h"

namespace rtpgate::ctl::sdp {
namespace {

using testing::has_line;
using testing::section;

// What rewrite_for_sip() produces from a browser offer with audio and video.
constexpr const char* kLocal =
    "v=0\r\n"
    "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "m=audio 40000 RTP/AVP 111 0\r\n"
    "c=IN IP4 10.0.0.1\r\n"
    "a=rtpmap:111 opus/48000/2\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=sendrecv\r\n"
    "a=rtcp-mux\r\n"
    "m=video 40002 RTP/AVP 96\r\n"
    "c=IN IP4 10.0.0.1\r\n"
    "a=rtpmap:96 VP8/90000\r\n"
    "a=recvonly\r\n";

TEST(HoldRewrite, HeldDirectionFollowsTheSpecRule) {
  using D = Direction;
  EXPECT_EQ(held_direction(D::SendRecv, D::SendOnly), D::SendOnly);
  EXPECT_EQ(held_direction(D::SendRecv, D::RecvOnly), D::RecvOnly);
  EXPECT_EQ(held_direction(D::SendRecv, D::Inactive), D::Inactive);
  EXPECT_EQ(held_direction(D::SendOnly, D::SendOnly), D::SendOnly);  // already that: kept
  EXPECT_EQ(held_direction(D::RecvOnly, D::SendOnly), D::Inactive);  // any other: inactive
  EXPECT_EQ(held_direction(D::SendOnly, D::RecvOnly), D::Inactive);
  EXPECT_EQ(held_direction(D::Inactive, D::SendOnly), D::Inactive);
}

TEST(HoldRewrite, AnswerDirectionMirrorsTheOffer) {
  using D = Direction;
  EXPECT_EQ(answer_direction(D::SendRecv, D::SendRecv), D::SendRecv);
  EXPECT_EQ(answer_direction(D::SendRecv, D::SendOnly), D::RecvOnly);   // peer holds us
  EXPECT_EQ(answer_direction(D::SendRecv, D::RecvOnly), D::SendOnly);
  EXPECT_EQ(answer_direction(D::SendRecv, D::Inactive), D::Inactive);
  EXPECT_EQ(answer_direction(D::SendOnly, D::SendRecv), D::SendOnly);   // our hold stays
  EXPECT_EQ(answer_direction(D::SendOnly, D::SendOnly), D::Inactive);
  EXPECT_EQ(answer_direction(D::RecvOnly, D::SendOnly), D::RecvOnly);
  EXPECT_EQ(answer_direction(D::Inactive, D::SendRecv), D::Inactive);
}

TEST(HoldRewrite, DirectionNamesRoundTrip) {
  for (Direction d : {Direction::SendRecv, Direction::SendOnly, Direction::RecvOnly, Direction::Inactive})
    EXPECT_EQ(parse_direction(direction_name(d)), d);
  EXPECT_EQ(parse_direction("SendOnly"), Direction::SendOnly);
  EXPECT_FALSE(parse_direction("hold"));
  EXPECT_FALSE(parse_direction(""));
}

TEST(HoldRewrite, ReadsDirectionsAndVersion) {
  MediaDirections d;
  uint64_t v = 0;
  std::string why;
  ASSERT_TRUE(read_directions(kLocal, &d, &v, &why)) << why;
  EXPECT_EQ(d.audio, Direction::SendRecv);
  EXPECT_EQ(d.video, Direction::RecvOnly);
  EXPECT_EQ(v, 2u);
}

TEST(HoldRewrite, SessionLevelDirectionAppliesWhenTheMediumHasNone) {
  const std::string sdp =
      "v=0\r\no=- 1 7 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=inactive\r\n"
      "m=audio 5000 RTP/AVP 0\r\nc=IN IP4 10.0.0.2\r\n"
      "m=video 0 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n";
  MediaDirections d;
  uint64_t v = 0;
  std::string why;
  ASSERT_TRUE(read_directions(sdp, &d, &v, &why)) << why;
  EXPECT_EQ(d.audio, Direction::Inactive);
  EXPECT_FALSE(d.video) << "a port-0 m-line is not a medium we use";
  EXPECT_EQ(v, 7u);
}

TEST(HoldRewrite, RewriteReplacesDirectionsInPlaceAndSetsTheVersion) {
  MediaDirections want;
  want.audio = Direction::SendOnly;
  want.video = Direction::Inactive;
  std::string out, why;
  ASSERT_TRUE(rewrite_session(kLocal, want, 3, &out, &why)) << why;
  const auto audio = section(out, 0);
  const auto video = section(out, 1);
  EXPECT_TRUE(has_line(audio, "a=sendonly")) << out;
  EXPECT_FALSE(has_line(audio, "a=sendrecv")) << out;
  EXPECT_TRUE(has_line(video, "a=inactive")) << out;
  EXPECT_FALSE(has_line(video, "a=recvonly")) << out;
  // Order kept: the direction stays before a=rtcp-mux.
  const auto dir = std::find(audio.begin(), audio.end(), "a=sendonly");
  const auto mux = std::find(audio.begin(), audio.end(), "a=rtcp-mux");
  EXPECT_LT(dir, mux) << out;
  EXPECT_TRUE(has_line(section(out, -1), "o=- 4611731400430051336 3 IN IP4 127.0.0.1")) << out;
  // Everything else as it was.
  EXPECT_TRUE(has_line(audio, "m=audio 40000 RTP/AVP 111 0"));
  EXPECT_TRUE(has_line(audio, "a=rtpmap:111 opus/48000/2"));
  EXPECT_TRUE(has_line(video, "c=IN IP4 10.0.0.1"));
}

TEST(HoldRewrite, UnsetDirectionsLeaveTheMLineAlone) {
  MediaDirections want;
  want.audio = Direction::RecvOnly;
  std::string out, why;
  ASSERT_TRUE(rewrite_session(kLocal, want, 9, &out, &why)) << why;
  EXPECT_TRUE(has_line(section(out, 0), "a=recvonly"));
  EXPECT_TRUE(has_line(section(out, 1), "a=recvonly")) << "video untouched";
  MediaDirections back;
  uint64_t v = 0;
  ASSERT_TRUE(read_directions(out, &back, &v, &why)) << why;
  EXPECT_EQ(v, 9u);
}

TEST(HoldRewrite, AMediumWithoutDirectionGetsOneAndDuplicatesGo) {
  const std::string sdp =
      "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
      "m=audio 5000 RTP/AVP 0\r\nc=IN IP4 10.0.0.2\r\na=ptime:20\r\n"
      "m=video 5002 RTP/AVP 96\r\nc=IN IP4 10.0.0.2\r\na=rtpmap:96 VP8/90000\r\na=sendrecv\r\na=sendonly\r\n";
  MediaDirections want;
  want.audio = Direction::Inactive;
  want.video = Direction::SendRecv;
  std::string out, why;
  ASSERT_TRUE(rewrite_session(sdp, want, 2, &out, &why)) << why;
  EXPECT_TRUE(has_line(section(out, 0), "a=inactive")) << out;
  EXPECT_TRUE(has_line(section(out, 0), "a=ptime:20")) << out;
  EXPECT_EQ(testing::count_prefix(section(out, 1), "a=send"), 1u) << out;
  EXPECT_TRUE(has_line(section(out, 1), "a=sendrecv")) << out;
}

TEST(HoldRewrite, HoldThenUnholdGivesBackTheSdpWithAHigherVersion) {
  MediaDirections before;
  uint64_t v = 0;
  std::string why, held, resumed;
  ASSERT_TRUE(read_directions(kLocal, &before, &v, &why)) << why;
  MediaDirections hold;
  hold.audio = held_direction(*before.audio, Direction::SendOnly);
  hold.video = held_direction(*before.video, Direction::SendOnly);
  ASSERT_TRUE(rewrite_session(kLocal, hold, v + 1, &held, &why)) << why;
  EXPECT_TRUE(has_line(section(held, 0), "a=sendonly"));
  EXPECT_TRUE(has_line(section(held, 1), "a=inactive"));
  ASSERT_TRUE(rewrite_session(held, before, v + 2, &resumed, &why)) << why;
  std::string expected;
  ASSERT_TRUE(rewrite_session(kLocal, MediaDirections{}, v + 2, &expected, &why)) << why;
  EXPECT_EQ(resumed, expected);
}

TEST(HoldRewrite, UnparsableSdpIsRefused) {
  MediaDirections d;
  std::string out, why;
  EXPECT_FALSE(read_directions("hello", &d, nullptr, &why));
  EXPECT_FALSE(why.empty());
  EXPECT_FALSE(rewrite_session("", MediaDirections{}, 1, &out, &why));
}

}  // namespace
}  // namespace rtpgate::ctl::sdp
