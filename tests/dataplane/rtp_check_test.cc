// check_rtp, check_rtcp and the RFC 5761 demultiplexing rule on byte arrays. Every
// buffer is exactly as long as the packet so a sanitizer build catches over-reads.
#include "rtp/rtp_check.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace rtpgate::dp {
namespace {

using Bytes = std::vector<uint8_t>;

RtpCheck rtp(const Bytes& b, size_t len) {
  std::unique_ptr<uint8_t[]> p(new uint8_t[len]);
  if (len != 0) std::memcpy(p.get(), b.data(), len);
  return check_rtp(p.get(), static_cast<uint32_t>(len));
}
RtpCheck rtp(const Bytes& b) { return rtp(b, b.size()); }

RtcpCheck rtcp(const Bytes& b, size_t len) {
  std::unique_ptr<uint8_t[]> p(new uint8_t[len]);
  if (len != 0) std::memcpy(p.get(), b.data(), len);
  return check_rtcp(p.get(), static_cast<uint32_t>(len));
}
RtcpCheck rtcp(const Bytes& b) { return rtcp(b, b.size()); }

// V=2 RTP header with `cc` CSRCs, optional extension of `ext_words` words, `payload`
// bytes and, when `pad` > 0, `pad` padding bytes (the last one holding the count).
Bytes make_rtp(uint8_t cc = 0, int ext_words = -1, size_t payload = 20, uint8_t pad = 0) {
  Bytes b = {uint8_t(0x80 | cc), 96, 0x12, 0x34, 0, 0, 0x03, 0xe8, 0xde, 0xad, 0xbe, 0xef};
  if (pad != 0) b[0] |= 0x20;
  for (int i = 0; i < cc * 4; i++) b.push_back(uint8_t(0xc0 + i));
  if (ext_words >= 0) {
    b[0] |= 0x10;
    b.insert(b.end(), {0xbe, 0xde, uint8_t(ext_words >> 8), uint8_t(ext_words)});
    for (int i = 0; i < ext_words * 4; i++) b.push_back(0x11);
  }
  for (size_t i = 0; i < payload; i++) b.push_back(uint8_t(i));
  for (int i = 0; i < pad; i++) b.push_back(i == pad - 1 ? pad : 0);
  return b;
}

TEST(RtpCheck, AcceptsMinimalHeader) {
  EXPECT_EQ(rtp(make_rtp(0, -1, 0)), RtpCheck::Ok);
  EXPECT_EQ(rtp(make_rtp()), RtpCheck::Ok);
}

TEST(RtpCheck, RejectsShorterThanFixedHeader) {
  const Bytes b = make_rtp();
  for (size_t n = 0; n < kRtpHeaderLen; n++) EXPECT_EQ(rtp(b, n), RtpCheck::TooShort) << n;
}

TEST(RtpCheck, RejectsVersionOtherThanTwo) {
  for (uint8_t v : {0, 1, 3}) {
    Bytes b = make_rtp();
    b[0] = uint8_t((b[0] & 0x3f) | v << 6);
    EXPECT_EQ(rtp(b), RtpCheck::BadVersion) << int{v};
  }
}

TEST(RtpCheck, AcceptsCsrcListInsidePacket) {
  EXPECT_EQ(rtp(make_rtp(15, -1, 0)), RtpCheck::Ok);
  EXPECT_EQ(rtp(make_rtp(3)), RtpCheck::Ok);
}

TEST(RtpCheck, RejectsCsrcListPastEnd) {
  const Bytes b = make_rtp(15, -1, 0);  // 12 + 60 bytes
  for (size_t n = kRtpHeaderLen; n < b.size(); n++) EXPECT_EQ(rtp(b, n), RtpCheck::BadCsrc) << n;
}

TEST(RtpCheck, AcceptsExtensionInsidePacket) {
  EXPECT_EQ(rtp(make_rtp(0, 0, 0)), RtpCheck::Ok);   // empty extension body
  EXPECT_EQ(rtp(make_rtp(0, 2, 10)), RtpCheck::Ok);
  EXPECT_EQ(rtp(make_rtp(2, 3, 0)), RtpCheck::Ok);   // after CSRCs
}

TEST(RtpCheck, RejectsExtensionHeaderMissing) {
  const Bytes b = make_rtp(0, 0, 0);  // 12 + 4 bytes
  for (size_t n = kRtpHeaderLen; n < b.size(); n++) EXPECT_EQ(rtp(b, n), RtpCheck::BadExtension) << n;
}

TEST(RtpCheck, RejectsExtensionPastEnd) {
  const Bytes b = make_rtp(1, 3, 0);  // 12 + 4 + 4 + 12
  for (size_t n = 20; n < b.size(); n++) EXPECT_EQ(rtp(b, n), RtpCheck::BadExtension) << n;
  Bytes huge = make_rtp(0, 0, 8);
  huge[14] = 0xff;  // extension length 65535 words
  huge[15] = 0xff;
  EXPECT_EQ(rtp(huge), RtpCheck::BadExtension);
}

TEST(RtpCheck, AcceptsValidPadding) {
  EXPECT_EQ(rtp(make_rtp(0, -1, 20, 1)), RtpCheck::Ok);
  EXPECT_EQ(rtp(make_rtp(0, -1, 20, 4)), RtpCheck::Ok);
  EXPECT_EQ(rtp(make_rtp(2, 1, 7, 255)), RtpCheck::Ok);
  // All of the payload is padding.
  EXPECT_EQ(rtp(make_rtp(0, -1, 0, 8)), RtpCheck::Ok);
}

TEST(RtpCheck, RejectsZeroPaddingCount) {
  Bytes b = make_rtp(0, -1, 20, 4);
  b.back() = 0;
  EXPECT_EQ(rtp(b), RtpCheck::BadPadding);
}

TEST(RtpCheck, RejectsPaddingLargerThanPayload) {
  Bytes b = make_rtp(0, -1, 3, 4);  // 7 bytes after the header
  b.back() = 8;
  EXPECT_EQ(rtp(b), RtpCheck::BadPadding);
  b.back() = 7;
  EXPECT_EQ(rtp(b), RtpCheck::Ok);
  // Padding may not reach back into the extension or CSRCs.
  Bytes e = make_rtp(1, 1, 0, 2);
  e.back() = 3;
  EXPECT_EQ(rtp(e), RtpCheck::BadPadding);
}

TEST(RtpCheck, RejectsPaddingBitOnBareHeader) {
  Bytes b = make_rtp(0, -1, 0);
  b[0] |= 0x20;
  b[11] = 1;  // last SSRC byte read as the count: no room for padding
  EXPECT_EQ(rtp(b), RtpCheck::BadPadding);
  b[11] = 0;
  EXPECT_EQ(rtp(b), RtpCheck::BadPadding);
}

// --- RTCP ---

// SR with no report blocks (28 bytes) followed by SDES with one CNAME chunk (16 bytes).
Bytes sr_sdes() {
  Bytes b = {0x80, 200, 0x00, 0x06,                          // V=2 RC=0 PT=SR length=6
             0xde, 0xad, 0xbe, 0xef,                         // SSRC
             0xe9, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, // NTP
             0x00, 0x00, 0x03, 0xe8,                         // RTP ts
             0x00, 0x00, 0x00, 0x0a,                         // packets
             0x00, 0x00, 0x06, 0x40};                        // octets
  const Bytes sdes = {0x81, 202, 0x00, 0x03,        // V=2 SC=1 PT=SDES length=3
                      0xde, 0xad, 0xbe, 0xef,       // chunk SSRC
                      0x01, 0x04, 'a', 'b', 'c', 'd', 0x00, 0x00};  // CNAME + end + pad
  b.insert(b.end(), sdes.begin(), sdes.end());
  return b;
}

TEST(RtcpCheck, AcceptsCompoundSrSdes) {
  const Bytes b = sr_sdes();
  ASSERT_EQ(b.size(), 44u);
  EXPECT_EQ(rtcp(b), RtcpCheck::Ok);
  EXPECT_EQ(rtcp(b, 28), RtcpCheck::Ok);  // the SR alone is a valid packet
}

TEST(RtcpCheck, AcceptsEveryTypeInRange) {
  for (int pt = 192; pt <= 223; pt++) {
    const Bytes b = {0x80, uint8_t(pt), 0x00, 0x01, 1, 2, 3, 4};
    EXPECT_EQ(rtcp(b), RtcpCheck::Ok) << pt;
  }
}

TEST(RtcpCheck, RejectsShorterThanEightBytes) {
  const Bytes b = sr_sdes();
  for (size_t n = 0; n < 8; n++) EXPECT_EQ(rtcp(b, n), RtcpCheck::TooShort) << n;
}

TEST(RtcpCheck, RejectsBadVersionInAnySubPacket) {
  Bytes b = sr_sdes();
  b[0] = 0x40;
  EXPECT_EQ(rtcp(b), RtcpCheck::BadVersion);
  b = sr_sdes();
  b[28] = 0xc1;  // version 3 on the SDES
  EXPECT_EQ(rtcp(b), RtcpCheck::BadVersion);
}

TEST(RtcpCheck, RejectsTypeOutsideRtcpRange) {
  for (uint8_t pt : {uint8_t{0}, uint8_t{96}, uint8_t{191}, uint8_t{224}, uint8_t{255}}) {
    Bytes b = sr_sdes();
    b[29] = pt;
    EXPECT_EQ(rtcp(b), RtcpCheck::BadType) << int{pt};
    b = sr_sdes();
    b[1] = pt;
    EXPECT_EQ(rtcp(b), RtcpCheck::BadType) << int{pt};
  }
}

TEST(RtcpCheck, RejectsLengthPastEnd) {
  Bytes b = sr_sdes();
  b[31] = 0x04;  // SDES claims 20 bytes, 16 present
  EXPECT_EQ(rtcp(b), RtcpCheck::BadLength);
  b = sr_sdes();
  b[2] = 0xff;  // SR claims 256K
  b[3] = 0xff;
  EXPECT_EQ(rtcp(b), RtcpCheck::BadLength);
  // Every truncation inside the second packet.
  const Bytes full = sr_sdes();
  for (size_t n = 29; n < full.size(); n++) EXPECT_EQ(rtcp(full, n), RtcpCheck::BadLength) << n;
}

TEST(RtcpCheck, RejectsTrailingGarbage) {
  for (size_t extra = 1; extra <= 3; extra++) {
    Bytes b = sr_sdes();
    b.insert(b.end(), extra, 0x80);
    EXPECT_EQ(rtcp(b), RtcpCheck::BadLength) << extra;
  }
  Bytes zeros = sr_sdes();
  zeros.insert(zeros.end(), 4, 0x00);
  EXPECT_EQ(rtcp(zeros), RtcpCheck::BadVersion);
  Bytes rtp_tail = sr_sdes();
  rtp_tail.insert(rtp_tail.end(), {0x80, 96, 0x00, 0x00});
  EXPECT_EQ(rtcp(rtp_tail), RtcpCheck::BadType);
}

TEST(RtcpCheck, RejectsLengthShorterThanContent) {
  // SR says length 5 (24 bytes): the remaining 4 bytes then parse as a header with V=0.
  Bytes b = sr_sdes();
  b[3] = 0x05;
  EXPECT_NE(rtcp(b), RtcpCheck::Ok);
}

// --- RFC 5761 demultiplexing ---

TEST(RtcpDemux, SecondByteBoundaries) {
  auto two = [](uint8_t second) { return Bytes{0x80, second}; };
  EXPECT_FALSE(looks_like_rtcp(two(191).data(), 2));
  EXPECT_TRUE(looks_like_rtcp(two(192).data(), 2));
  EXPECT_TRUE(looks_like_rtcp(two(200).data(), 2));
  EXPECT_TRUE(looks_like_rtcp(two(223).data(), 2));
  EXPECT_FALSE(looks_like_rtcp(two(224).data(), 2));
  // RTP payload types 0..127 with or without the marker bit stay RTP except M=1 with
  // PT 64..95, which RFC 5761 section 4 tells you not to use on a multiplexed port.
  EXPECT_FALSE(looks_like_rtcp(two(96).data(), 2));
  EXPECT_FALSE(looks_like_rtcp(two(0x80 | 111).data(), 2));
  EXPECT_TRUE(looks_like_rtcp(two(0x80 | 72).data(), 2));
}

TEST(RtcpDemux, ShortBufferIsNotRtcp) {
  const Bytes b = {0x80, 200};
  EXPECT_FALSE(looks_like_rtcp(nullptr, 0));
  std::unique_ptr<uint8_t[]> one(new uint8_t[1]{0x80});
  EXPECT_FALSE(looks_like_rtcp(one.get(), 1));
  EXPECT_TRUE(looks_like_rtcp(b.data(), 2));
}

TEST(RtcpDemux, RealPacketsDemultiplex) {
  const Bytes sr = sr_sdes();
  const Bytes media = make_rtp();
  EXPECT_TRUE(looks_like_rtcp(sr.data(), static_cast<uint32_t>(sr.size())));
  EXPECT_FALSE(looks_like_rtcp(media.data(), static_cast<uint32_t>(media.size())));
}

}  // namespace
}  // namespace rtpgate::dp
