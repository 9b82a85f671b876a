// a=crypto and proto edits of our stored SIP-side SDP (control/sdp/crypto_rewrite.*): the
// answers to the peer's re-INVITEs carry the SDES answer's lines; what else is kept.
#include "sdp/crypto_rewrite.h"

#include <gtest/gtest.h>

#include "sdp_test_util.h"

namespace rtpgate::ctl::sdp {
namespace {

using testing::count_prefix;
using testing::has_line;
using testing::section;

// What rewrite_for_sip() produces for an SDES call with audio and video (keys shortened).
constexpr const char* kLocal =
    "v=0\r\n"
    "o=- 4611731400430051336 3 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "m=audio 40000 RTP/AVP 0\r\n"
    "c=IN IP4 10.0.0.1\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=sendrecv\r\n"
    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:QUFB\r\n"
    "m=video 40002 RTP/AVP 96\r\n"
    "c=IN IP4 10.0.0.1\r\n"
    "a=rtpmap:96 VP8/90000\r\n"
    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:QkJC\r\n";

LocalMedia local(const std::string& audio, const std::string& video, bool savp = false) {
  LocalMedia lm;
  lm.srtp_mandatory = savp;
  lm.audio.crypto = audio;
  lm.video.crypto = video;
  return lm;
}

// rewrite_crypto() that must succeed; *changed as it says.
std::string rewritten(const std::string& sdp, const LocalMedia& lm, bool* changed) {
  std::string out, why;
  EXPECT_TRUE(rewrite_crypto(sdp, lm, &out, changed, &why)) << why;
  return out;
}

constexpr const char* kAudioLine = "1 AES_CM_128_HMAC_SHA1_80 inline:QUFB";
constexpr const char* kVideoLine = "1 AES_CM_128_HMAC_SHA1_80 inline:QkJC";

TEST(CryptoRewrite, SameLinesChangeNothing) {
  bool changed = true;
  rewritten(kLocal, local(kAudioLine, kVideoLine), &changed);
  EXPECT_FALSE(changed);
}

TEST(CryptoRewrite, ANewTagOrSuiteReplacesTheLineAndKeepsTheRest) {
  bool changed = false;
  const std::string out = rewritten(kLocal, local("7 AES_CM_128_HMAC_SHA1_32 inline:Q0ND", kVideoLine), &changed);
  EXPECT_TRUE(changed);
  const auto audio = section(out, 0), video = section(out, 1);
  EXPECT_TRUE(has_line(audio, "a=crypto:7 AES_CM_128_HMAC_SHA1_32 inline:Q0ND")) << out;
  EXPECT_EQ(count_prefix(audio, "a=crypto:"), 1u) << out;
  EXPECT_EQ(audio.back(), "a=crypto:7 AES_CM_128_HMAC_SHA1_32 inline:Q0ND") << "written last, as rewrite_for_sip()";
  EXPECT_TRUE(has_line(audio, "a=sendrecv"));
  EXPECT_TRUE(has_line(video, std::string("a=crypto:") + kVideoLine));
  EXPECT_TRUE(has_line(section(out, -1), "o=- 4611731400430051336 3 IN IP4 127.0.0.1")) << "the caller sets o=";
  EXPECT_EQ(audio.front(), "m=audio 40000 RTP/AVP 0");
}

TEST(CryptoRewrite, ProtoFollowsSrtpRequiredAndEmptyRemovesTheLine) {
  bool changed = false;
  const std::string out = rewritten(kLocal, local(kAudioLine, "", /*savp=*/true), &changed);
  EXPECT_TRUE(changed);
  EXPECT_EQ(section(out, 0).front(), "m=audio 40000 RTP/SAVP 0") << out;
  EXPECT_EQ(section(out, 1).front(), "m=video 40002 RTP/SAVP 96") << out;
  EXPECT_EQ(count_prefix(section(out, 1), "a=crypto:"), 0u) << out;
  rewritten(kLocal, local(kAudioLine, kVideoLine, /*savp=*/true), &changed);
  EXPECT_TRUE(changed) << "RTP/SAVP alone is a change too";
}

TEST(CryptoRewrite, RejectedMlinesAreLeftAlone) {
  bool changed = false;
  const std::string sdp = std::string(kLocal) + "m=audio 0 RTP/AVP 0\r\n";
  const std::string out = rewritten(sdp, local("2 AES_CM_128_HMAC_SHA1_80 inline:QUFB", kVideoLine), &changed);
  EXPECT_TRUE(changed);
  EXPECT_EQ(count_prefix(section(out, 2), "a=crypto:"), 0u) << out;
  EXPECT_TRUE(has_line(section(out, 0), "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:QUFB"));
}

TEST(CryptoRewrite, UnparsableSdpFails) {
  std::string out, why;
  bool changed = false;
  EXPECT_FALSE(rewrite_crypto("hello", local("", ""), &out, &changed, &why));
  EXPECT_FALSE(why.empty());
}

}  // namespace
}  // namespace rtpgate::ctl::sdp
