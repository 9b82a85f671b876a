// parse_frame on valid and hostile frames. Buffers are heap-allocated to their exact
// length so a sanitizer build reports any read past the end.
#include "net/pkt_parse.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "frame_builder.h"

namespace rtpgate::dp {
namespace {

using test::build_frame;
using test::FrameSpec;
using test::put16;
using test::v6_spec;

// A copy of `len` bytes of `f` in an allocation of exactly `len` bytes.
struct ExactBuf {
  std::unique_ptr<uint8_t[]> p;
  uint32_t len;
  ExactBuf(const std::vector<uint8_t>& f, size_t n) : p(new uint8_t[n]), len(static_cast<uint32_t>(n)) {
    if (n != 0) std::memcpy(p.get(), f.data(), n);
  }
};

ParseStatus parse(const std::vector<uint8_t>& f, ParsedPkt* out, size_t len) {
  ExactBuf b(f, len);
  return parse_frame(b.p.get(), b.len, out);
}
ParseStatus parse(const std::vector<uint8_t>& f, ParsedPkt* out) { return parse(f, out, f.size()); }

uint16_t be16(uint16_t host) { return __builtin_bswap16(host); }

void expect_fields(const FrameSpec& s, const std::vector<uint8_t>& f, const ParsedPkt& pp) {
  const size_t alen = s.family == 4 ? 4 : 16;
  EXPECT_EQ(pp.key.family, s.family);
  EXPECT_EQ(pp.key.pad, 0);
  EXPECT_EQ(pp.key.port_be, be16(s.dport));
  EXPECT_EQ(std::memcmp(pp.key.addr, s.dst, alen), 0);
  for (size_t i = alen; i < 16; i++) EXPECT_EQ(pp.key.addr[i], 0) << "key.addr[" << i << "] not zeroed";
  EXPECT_EQ(std::memcmp(pp.src_addr, s.src, alen), 0);
  EXPECT_EQ(pp.src_port_be, be16(s.sport));
  EXPECT_EQ(pp.l3_off, test::l3_offset(s));
  EXPECT_EQ(pp.l4_off, test::l4_offset(s));
  EXPECT_EQ(pp.payload_off, test::l4_offset(s) + 8);
  EXPECT_EQ(pp.payload_len, s.payload.size());
  EXPECT_EQ(pp.l2_len_trailer, s.trailer);
  EXPECT_EQ(pp.payload_off + pp.payload_len + pp.l2_len_trailer, f.size());
  EXPECT_EQ(std::memcmp(f.data() + pp.payload_off, s.payload.data(), s.payload.size()), 0);
}

ParsedPkt garbage() {
  ParsedPkt pp;
  std::memset(&pp, 0x5a, sizeof(pp));  // parse must set every field it reports
  return pp;
}

TEST(PktParse, ParsesIpv4Udp) {
  FrameSpec s;
  const auto f = build_frame(s);
  ParsedPkt pp = garbage();
  ASSERT_EQ(parse(f, &pp), ParseStatus::Ok);
  expect_fields(s, f, pp);
}

TEST(PktParse, ParsesIpv6Udp) {
  FrameSpec s = v6_spec();
  const auto f = build_frame(s);
  ParsedPkt pp = garbage();
  ASSERT_EQ(parse(f, &pp), ParseStatus::Ok);
  expect_fields(s, f, pp);
}

TEST(PktParse, ParsesVlanTaggedIpv4AndIpv6) {
  for (FrameSpec s : {FrameSpec{}, v6_spec()}) {
    s.vlan = true;
    const auto f = build_frame(s);
    ParsedPkt pp = garbage();
    ASSERT_EQ(parse(f, &pp), ParseStatus::Ok) << "family " << s.family;
    expect_fields(s, f, pp);
    EXPECT_EQ(pp.l3_off, 18);
  }
}

TEST(PktParse, ParsesIpv4WithOptions) {
  FrameSpec s;
  s.ihl_words = 15;  // 40 bytes of options
  const auto f = build_frame(s);
  ParsedPkt pp = garbage();
  ASSERT_EQ(parse(f, &pp), ParseStatus::Ok);
  expect_fields(s, f, pp);
  EXPECT_EQ(pp.l4_off, 14 + 60);
}

TEST(PktParse, ReportsEthernetPaddingAsTrailer) {
  FrameSpec s;
  s.payload.assign(4, 1);  // 14 + 20 + 8 + 4 = 46 bytes: padded to the 60-byte minimum
  s.trailer = 14;
  const auto f = build_frame(s);
  ASSERT_EQ(f.size(), 60u);
  ParsedPkt pp = garbage();
  ASSERT_EQ(parse(f, &pp), ParseStatus::Ok);
  expect_fields(s, f, pp);
  EXPECT_EQ(pp.l2_len_trailer, 14);

  FrameSpec s6 = v6_spec();
  s6.payload.clear();
  s6.trailer = 3;
  const auto f6 = build_frame(s6);
  ASSERT_EQ(parse(f6, &pp), ParseStatus::Ok);
  expect_fields(s6, f6, pp);
}

TEST(PktParse, AcceptsEmptyUdpPayload) {
  FrameSpec s;
  s.payload.clear();
  const auto f = build_frame(s);
  ParsedPkt pp = garbage();
  ASSERT_EQ(parse(f, &pp), ParseStatus::Ok);
  expect_fields(s, f, pp);
}

TEST(PktParse, UdpLengthShorterThanIpPayloadLimitsPayload) {
  FrameSpec s;
  auto f = build_frame(s);
  put16(f, 14 + 20 + 4, 8 + 5);  // UDP says 5 payload bytes, IP carries 20
  ParsedPkt pp = garbage();
  ASSERT_EQ(parse(f, &pp), ParseStatus::Ok);
  EXPECT_EQ(pp.payload_len, 5);
  EXPECT_EQ(pp.l2_len_trailer, 0);  // trailer is after the IP datagram, not after UDP
}

TEST(PktParse, EveryTruncationOfIpv4FrameFailsWithoutOverread) {
  FrameSpec s;
  const auto f = build_frame(s);
  ParsedPkt pp;
  for (size_t n = 0; n < f.size(); n++) {
    const ParseStatus st = parse(f, &pp, n);
    if (n < 14) {
      EXPECT_EQ(st, ParseStatus::NotIp) << n;
    } else {
      EXPECT_EQ(st, ParseStatus::BadL3) << n;
    }
  }
  EXPECT_EQ(parse(f, &pp, f.size()), ParseStatus::Ok);
}

TEST(PktParse, EveryTruncationOfVlanIpv6FrameFailsWithoutOverread) {
  FrameSpec s = v6_spec();
  s.vlan = true;
  const auto f = build_frame(s);
  ParsedPkt pp;
  for (size_t n = 0; n < f.size(); n++) {
    const ParseStatus st = parse(f, &pp, n);
    if (n < 18) {
      EXPECT_EQ(st, ParseStatus::NotIp) << n;
    } else {
      EXPECT_EQ(st, ParseStatus::BadL3) << n;
    }
  }
  EXPECT_EQ(parse(f, &pp, f.size()), ParseStatus::Ok);
}

TEST(PktParse, TruncationInsidePaddingShrinksTrailer) {
  FrameSpec s;
  s.trailer = 10;
  const auto f = build_frame(s);
  ParsedPkt pp;
  for (size_t cut = 0; cut <= 10; cut++) {
    ASSERT_EQ(parse(f, &pp, f.size() - cut), ParseStatus::Ok) << cut;
    EXPECT_EQ(pp.l2_len_trailer, 10 - cut);
  }
  EXPECT_EQ(parse(f, &pp, f.size() - 11), ParseStatus::BadL3);
}

TEST(PktParse, EveryTruncationOfEveryFrameKindNeverReadsPastEnd) {
  std::vector<FrameSpec> specs;
  for (bool vlan : {false, true}) {
    for (FrameSpec s : {FrameSpec{}, v6_spec()}) {
      s.vlan = vlan;
      specs.push_back(s);
      s.trailer = 6;
      specs.push_back(s);
      s.payload.clear();
      specs.push_back(s);
    }
  }
  FrameSpec opt;
  opt.ihl_words = 15;
  specs.push_back(opt);
  ParsedPkt pp;
  for (const auto& s : specs) {
    const auto f = build_frame(s);
    for (size_t n = 0; n <= f.size(); n++) {
      const ParseStatus st = parse(f, &pp, n);
      if (st == ParseStatus::Ok) {
        EXPECT_LE(pp.payload_off + pp.payload_len + pp.l2_len_trailer, n);
      }
    }
  }
}

TEST(PktParse, RejectsNonIpEtherTypes) {
  ParsedPkt pp;
  auto f = build_frame(FrameSpec{});
  put16(f, 12, 0x0806);  // ARP
  EXPECT_EQ(parse(f, &pp), ParseStatus::NotIp);
  put16(f, 12, 0x88a8);  // 802.1ad outer tag: not supported
  EXPECT_EQ(parse(f, &pp), ParseStatus::NotIp);
  FrameSpec s;
  s.vlan = true;
  auto q = build_frame(s);
  put16(q, 16, 0x8100);  // a second 802.1Q tag
  EXPECT_EQ(parse(q, &pp), ParseStatus::NotIp);
}

TEST(PktParse, RejectsIhlBelowFive) {
  ParsedPkt pp;
  for (uint8_t ihl = 0; ihl < 5; ihl++) {
    auto f = build_frame(FrameSpec{});
    f[14] = uint8_t(0x40 | ihl);
    EXPECT_EQ(parse(f, &pp), ParseStatus::BadL3) << int{ihl};
  }
}

TEST(PktParse, RejectsWrongIpVersion) {
  ParsedPkt pp;
  auto f4 = build_frame(FrameSpec{});
  f4[14] = 0x65;  // version 6 under the IPv4 EtherType
  EXPECT_EQ(parse(f4, &pp), ParseStatus::BadL3);
  auto f6 = build_frame(v6_spec());
  f6[14] = 0x40;
  EXPECT_EQ(parse(f6, &pp), ParseStatus::BadL3);
}

TEST(PktParse, RejectsIpv4TotalLengthBeyondBuffer) {
  ParsedPkt pp;
  auto f = build_frame(FrameSpec{});
  put16(f, 16, uint16_t(f.size() - 14 + 1));
  EXPECT_EQ(parse(f, &pp), ParseStatus::BadL3);
  put16(f, 16, 0xffff);
  EXPECT_EQ(parse(f, &pp), ParseStatus::BadL3);
}

TEST(PktParse, RejectsIpv4TotalLengthBelowHeaderLength) {
  ParsedPkt pp;
  auto f = build_frame(FrameSpec{});
  put16(f, 16, 19);
  EXPECT_EQ(parse(f, &pp), ParseStatus::BadL3);
  FrameSpec s;
  s.ihl_words = 6;
  auto g = build_frame(s);
  put16(g, 16, 20);
  EXPECT_EQ(parse(g, &pp), ParseStatus::BadL3);
}

TEST(PktParse, RejectsIpv6PayloadLengthBeyondBuffer) {
  ParsedPkt pp;
  auto f = build_frame(v6_spec());
  put16(f, 14 + 4, uint16_t(f.size() - 14 - 40 + 1));
  EXPECT_EQ(parse(f, &pp), ParseStatus::BadL3);
}

TEST(PktParse, RejectsIpv4Fragments) {
  ParsedPkt pp;
  for (uint16_t frag : {uint16_t{0x2000}, uint16_t{0x0001}, uint16_t{0x2005}, uint16_t{0x1fff}}) {
    FrameSpec s;
    s.frag = frag;
    EXPECT_EQ(parse(build_frame(s), &pp), ParseStatus::BadL3) << std::hex << frag;
  }
  FrameSpec df;
  df.frag = 0x4000;  // don't-fragment is not a fragment
  EXPECT_EQ(parse(build_frame(df), &pp), ParseStatus::Ok);
}

TEST(PktParse, RejectsNonUdp) {
  ParsedPkt pp;
  for (uint8_t proto : {uint8_t{6}, uint8_t{1}, uint8_t{132}}) {
    FrameSpec s;
    s.proto = proto;
    EXPECT_EQ(parse(build_frame(s), &pp), ParseStatus::NotUdp) << int{proto};
    FrameSpec s6 = v6_spec();
    s6.proto = proto;
    EXPECT_EQ(parse(build_frame(s6), &pp), ParseStatus::NotUdp) << int{proto};
  }
  FrameSpec hbh = v6_spec();
  hbh.proto = 0;  // extension headers are not walked
  EXPECT_EQ(parse(build_frame(hbh), &pp), ParseStatus::NotUdp);
}

TEST(PktParse, RejectsUdpLengthBelowEight) {
  ParsedPkt pp;
  for (FrameSpec s : {FrameSpec{}, v6_spec()}) {
    const size_t l4 = test::l4_offset(s);
    for (uint16_t ulen = 0; ulen < 8; ulen++) {
      auto f = build_frame(s);
      put16(f, l4 + 4, ulen);
      EXPECT_EQ(parse(f, &pp), ParseStatus::BadUdp) << "family " << s.family << " ulen " << ulen;
    }
  }
}

TEST(PktParse, RejectsUdpLengthBeyondIpPayload) {
  ParsedPkt pp;
  for (FrameSpec s : {FrameSpec{}, v6_spec()}) {
    s.trailer = 8;  // the bytes exist in the frame but are not part of the IP datagram
    const size_t l4 = test::l4_offset(s);
    auto f = build_frame(s);
    put16(f, l4 + 4, uint16_t(8 + s.payload.size() + 1));
    EXPECT_EQ(parse(f, &pp), ParseStatus::BadUdp) << "family " << s.family;
    put16(f, l4 + 4, 0xffff);
    EXPECT_EQ(parse(f, &pp), ParseStatus::BadUdp) << "family " << s.family;
  }
}

TEST(PktParse, RejectsIpDatagramTooShortForUdpHeader) {
  ParsedPkt pp;
  auto f = build_frame(FrameSpec{});
  put16(f, 16, 20 + 7);  // the UDP header bytes are in the frame, but not in the datagram
  EXPECT_EQ(parse(f, &pp), ParseStatus::BadUdp);
  auto f6 = build_frame(v6_spec());
  put16(f6, 18, 7);
  EXPECT_EQ(parse(f6, &pp), ParseStatus::BadUdp);
}

}  // namespace
}  // namespace rtpgate::dp
