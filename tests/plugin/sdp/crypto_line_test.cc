// parse_crypto(): the strict SDES a=crypto parser, and the static payload-type table.
#include "sdp/crypto_line.h"

#include <gtest/gtest.h>

#include "sdp/codec_table.h"

namespace rtpgate::ctl::sdp {
namespace {

constexpr const char* kKey = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz";

TEST(ParseCrypto, AcceptsTagProfileAndInlineKey) {
  Crypto c;
  ASSERT_TRUE(parse_crypto(std::string("1 AES_CM_128_HMAC_SHA1_80 inline:") + kKey, &c));
  EXPECT_EQ(c.tag, 1);
  EXPECT_EQ(c.profile, "AES_CM_128_HMAC_SHA1_80");
  EXPECT_EQ(c.key_b64, kKey);
}

TEST(ParseCrypto, AcceptsPaddedGcmKeysAndExtraSpaces) {
  Crypto c;
  ASSERT_TRUE(parse_crypto(
      "12  AEAD_AES_256_GCM   inline:YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY3ODkwYWJjZGVmZ2g=", &c));
  EXPECT_EQ(c.tag, 12);
  EXPECT_EQ(c.key_b64, "YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY3ODkwYWJjZGVmZ2g=");
}

TEST(ParseCrypto, DropsALifetime) {
  Crypto c;
  ASSERT_TRUE(parse_crypto(std::string("2 AES_CM_128_HMAC_SHA1_32 inline:") + kKey + "|2^31", &c));
  EXPECT_EQ(c.key_b64, kKey);
  ASSERT_TRUE(parse_crypto(std::string("2 AES_CM_128_HMAC_SHA1_32 inline:") + kKey + "|1048576", &c));
  EXPECT_EQ(c.key_b64, kKey);
}

class ParseCryptoRefusedTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ParseCryptoRefusedTest, LineIsIgnored) {
  Crypto c;
  EXPECT_FALSE(parse_crypto(GetParam(), &c));
}

INSTANTIATE_TEST_SUITE_P(
    Values, ParseCryptoRefusedTest,
    ::testing::Values(std::string(), std::string("1"), std::string("1 AES_CM_128_HMAC_SHA1_80"),
                      std::string("1 AES_CM_128_HMAC_SHA1_80 inline:") + kKey + "|2^20|1:32",  // MKI
                      std::string("1 AES_CM_128_HMAC_SHA1_80 inline:") + kKey + "|1:4",    // MKI, no lifetime
                      std::string("1 AES_CM_128_HMAC_SHA1_80 inline:") + kKey + " KDR=1",  // session param
                      std::string("1 AES_CM_128_HMAC_SHA1_80 inline:") + kKey + ";inline:" + kKey,
                      std::string("1 AES_CM_128_HMAC_SHA1_80 uri:") + kKey,
                      std::string("x AES_CM_128_HMAC_SHA1_80 inline:") + kKey,
                      std::string("1234567890 AES_CM_128_HMAC_SHA1_80 inline:") + kKey,
                      std::string("1 AES-CM inline:") + kKey,
                      std::string("1 AES_CM_128_HMAC_SHA1_80 inline:"),
                      std::string("1 AES_CM_128_HMAC_SHA1_80 inline:abc$def"),
                      std::string("1 AES_CM_128_HMAC_SHA1_80 inline:ab=c"),
                      std::string("1 AES_CM_128_HMAC_SHA1_80 inline:===="),
                      std::string("1 AES_CM_128_HMAC_SHA1_80 inline:") + std::string(200, 'A')));

TEST(StaticPayloadType, KnowsRfc3551Assignments) {
  ASSERT_NE(static_payload_type(0), nullptr);
  EXPECT_EQ(static_payload_type(0)->name, "pcmu");
  EXPECT_EQ(static_payload_type(8)->name, "pcma");
  EXPECT_EQ(static_payload_type(9)->name, "g722");
  EXPECT_EQ(static_payload_type(9)->clock_rate, 8000u);
  EXPECT_EQ(static_payload_type(18)->name, "g729");
  EXPECT_EQ(static_payload_type(3)->name, "gsm");
  EXPECT_EQ(static_payload_type(4)->name, "g723");
  EXPECT_EQ(static_payload_type(34)->clock_rate, 90000u);
  EXPECT_EQ(static_payload_type(2), nullptr);
  EXPECT_EQ(static_payload_type(96), nullptr);
  EXPECT_EQ(static_payload_type(-1), nullptr);
}

TEST(CodecKey, IgnoresNameCaseButNotClockOrChannels) {
  EXPECT_EQ(codec_key("H264", 90000, ""), codec_key("h264", 90000, ""));
  EXPECT_NE(codec_key("telephone-event", 8000, ""), codec_key("telephone-event", 48000, ""));
  EXPECT_NE(codec_key("opus", 48000, "2"), codec_key("opus", 48000, ""));
}

}  // namespace
}  // namespace rtpgate::ctl::sdp
