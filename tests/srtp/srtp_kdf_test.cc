// RFC 3711 Appendix B test vectors: B.2 (AES-CM keystream) and B.3 (key derivation).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "srtp/srtp_context.h"
#include "srtp/srtp_kdf.h"

namespace rtpgate::dp::srtp {
namespace {

std::vector<uint8_t> hex(const std::string& s) {
  std::vector<uint8_t> v;
  for (size_t i = 0; i + 1 < s.size(); i += 2) v.push_back(static_cast<uint8_t>(std::stoul(s.substr(i, 2), nullptr, 16)));
  return v;
}

TEST(SrtpKdf, Rfc3711B3KeyDerivation) {
  const auto mk = hex("E1F97A0D3E018BE0D64FA32C06DE4139");
  const auto ms = hex("0EC675AD498AFEEBB6960B3AABE6");
  std::vector<uint8_t> out(20);
  ASSERT_TRUE(srtp_kdf(mk.data(), 16, ms.data(), 14, KdfLabel::kRtpEncryption, out.data(), 16));
  EXPECT_EQ(std::vector<uint8_t>(out.begin(), out.begin() + 16),
            hex("C61E7A93744F39EE10734AFE3FF7A087"));
  ASSERT_TRUE(srtp_kdf(mk.data(), 16, ms.data(), 14, KdfLabel::kRtpSalt, out.data(), 14));
  EXPECT_EQ(std::vector<uint8_t>(out.begin(), out.begin() + 14),
            hex("30CBBC08863D8C85D49DB34A9AE1"));
  ASSERT_TRUE(srtp_kdf(mk.data(), 16, ms.data(), 14, KdfLabel::kRtpAuth, out.data(), 20));
  EXPECT_EQ(out, hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"));
}

TEST(SrtpKdf, Rfc3711B2AesCmKeystream) {
  const auto key = hex("2B7E151628AED2A6ABF7158809CF4F3C");
  const auto iv = hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000");
  std::vector<uint8_t> ks(48);
  ASSERT_TRUE(aes_cm_keystream(key.data(), 16, iv.data(), ks.data(), ks.size()));
  EXPECT_EQ(ks, hex("E03EAD0935C95E80E166B16DD92B4EB4"
                    "D23513162B02D0F72A43A2FE4A5F97AB"
                    "41E95B3BB0A2E8DD477901E4FCA894C0"));
}

TEST(SrtpKdf, RejectsBadLengths) {
  uint8_t k[32] = {}, s[14] = {}, out[16];
  EXPECT_FALSE(srtp_kdf(k, 24, s, 14, KdfLabel::kRtpEncryption, out, 16));
  EXPECT_FALSE(srtp_kdf(k, 16, s, 13, KdfLabel::kRtpEncryption, out, 16));
  SrtpContext c;
  EXPECT_FALSE(c.init(SrtpProfile::kAeadAes128Gcm, SrtpDirection::kProtect, k, 16, s, 14));
  EXPECT_TRUE(c.init(SrtpProfile::kAeadAes256Gcm, SrtpDirection::kProtect, k, 32, s, 12));
  EXPECT_TRUE(c.valid());
  c.wipe();
  EXPECT_FALSE(c.valid());
}

TEST(SrtpReplayWindow, SlidesAndRejects) {
  ReplayWindow w;
  EXPECT_TRUE(w.check(5));
  w.update(5);
  EXPECT_FALSE(w.check(5));
  EXPECT_TRUE(w.check(4));
  w.update(200);
  EXPECT_FALSE(w.check(5));  // fell out of the 128-packet window
  EXPECT_TRUE(w.check(73));
  EXPECT_FALSE(w.check(72));
  w.update(100);
  EXPECT_FALSE(w.check(100));
  w.update(265);  // shift by 65
  EXPECT_FALSE(w.check(200));
  EXPECT_FALSE(w.check(265));
  EXPECT_TRUE(w.check(264));
}

}  // namespace
}  // namespace rtpgate::dp::srtp
