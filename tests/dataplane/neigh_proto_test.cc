// ARP and IPv6 Neighbour Discovery parsing and frame building (net/neigh_proto.h).
// Reference frames are written byte by byte here, with an independent checksum loop, so the
// parser is not only checked against the builders. Hostile buffers are heap-allocated to
// their exact length so a sanitizer build reports any read past the end.
#include "net/neigh_proto.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace rtpgate::dp {
namespace {

using Bytes = std::vector<uint8_t>;

const uint8_t kOurMac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x10};
const uint8_t kPeerMac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
const uint8_t kOurIp4[4] = {192, 0, 2, 10};
const uint8_t kPeerIp4[4] = {192, 0, 2, 1};
// 2001:db8::10 and 2001:db8::1
const uint8_t kOurIp6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};
const uint8_t kPeerIp6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
const uint8_t kUnspec6[16] = {};
const uint8_t kAllNodes6[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
// ff02::1:ff00:10, the solicited-node address of kOurIp6.
const uint8_t kOurSolNode6[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0x00, 0x00, 0x10};

// --- Independent helpers -------------------------------------------------------------

// Parses a copy of the first `n` bytes of `f` held in an allocation of exactly `n` bytes.
NeighParse parse_exact(const Bytes& f, size_t n) {
  std::unique_ptr<uint8_t[]> p(new uint8_t[n]);
  if (n != 0) std::memcpy(p.get(), f.data(), n);
  return parse_neigh(p.get(), static_cast<uint32_t>(n));
}
NeighParse parse_exact(const Bytes& f) { return parse_exact(f, f.size()); }

void put(Bytes& v, const uint8_t* p, size_t n) { v.insert(v.end(), p, p + n); }
void put16(Bytes& v, uint16_t x) {
  v.push_back(uint8_t(x >> 8));
  v.push_back(uint8_t(x));
}

// Plain RFC 1071 sum: big-endian words, odd byte padded, carries folded at the end.
uint16_t ref_fold(const Bytes& data) {
  uint64_t acc = 0;
  for (size_t i = 0; i < data.size(); i += 2)
    acc += uint32_t(data[i]) << 8 | (i + 1 < data.size() ? data[i + 1] : 0);
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return static_cast<uint16_t>(acc);
}

// ICMPv6 checksum of the message at `l3 + 40` in `f`, its checksum field taken as zero.
uint16_t ref_icmpv6_csum(const Bytes& f, size_t l3) {
  const size_t icmp = l3 + 40;
  const size_t len = f.size() - icmp;
  Bytes v(f.begin() + l3 + 8, f.begin() + l3 + 40);  // source + destination
  v.insert(v.end(), {uint8_t(len >> 24), uint8_t(len >> 16), uint8_t(len >> 8), uint8_t(len), 0, 0, 0, 58});
  v.insert(v.end(), f.begin() + icmp, f.end());
  v[40 + 2] = v[40 + 3] = 0;
  return static_cast<uint16_t>(~ref_fold(v));
}

void fix_csum(Bytes& f, size_t l3) {
  const uint16_t c = ref_icmpv6_csum(f, l3);
  f[l3 + 42] = uint8_t(c >> 8);
  f[l3 + 43] = uint8_t(c);
}

Bytes eth(const uint8_t dst[6], const uint8_t src[6], uint16_t type, bool vlan = false) {
  Bytes f;
  put(f, dst, 6);
  put(f, src, 6);
  if (vlan) {
    put16(f, 0x8100);
    put16(f, 0x0064);  // VID 100
  }
  put16(f, type);
  return f;
}

struct ArpSpec {
  uint16_t htype = 1, ptype = 0x0800;
  uint8_t hlen = 6, plen = 4;
  uint16_t op = 1;
  const uint8_t* sha = kPeerMac;
  const uint8_t* spa = kPeerIp4;
  const uint8_t* tha = nullptr;  // zeros
  const uint8_t* tpa = kOurIp4;
  bool vlan = false;
};

Bytes make_arp(const ArpSpec& s) {
  static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  static const uint8_t zero[6] = {};
  Bytes f = eth(bcast, s.sha, 0x0806, s.vlan);
  put16(f, s.htype);
  put16(f, s.ptype);
  f.push_back(s.hlen);
  f.push_back(s.plen);
  put16(f, s.op);
  put(f, s.sha, 6);
  put(f, s.spa, 4);
  put(f, s.tha ? s.tha : zero, 6);
  put(f, s.tpa, 4);
  return f;
}

struct NdSpec {
  uint8_t type = 135;
  uint8_t code = 0;
  uint8_t hop_limit = 255;
  uint8_t flags = 0;  // NA R/S/O in the first reserved byte
  const uint8_t* src = kPeerIp6;
  const uint8_t* dst = kOurSolNode6;
  const uint8_t* target = kOurIp6;
  Bytes options = {1, 1, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01};  // source LL = kPeerMac
  bool vlan = false;
};

// Ethernet + IPv6 + ICMPv6 NS/NA with a correct checksum.
Bytes make_nd(const NdSpec& s) {
  const uint8_t mcast_mac[6] = {0x33, 0x33, s.dst[12], s.dst[13], s.dst[14], s.dst[15]};
  Bytes f = eth(mcast_mac, kPeerMac, 0x86dd, s.vlan);
  const size_t l3 = f.size();
  const size_t icmp_len = 24 + s.options.size();
  f.insert(f.end(), {0x60, 0, 0, 0});
  put16(f, uint16_t(icmp_len));
  f.push_back(58);
  f.push_back(s.hop_limit);
  put(f, s.src, 16);
  put(f, s.dst, 16);
  f.insert(f.end(), {s.type, s.code, 0, 0, s.flags, 0, 0, 0});
  put(f, s.target, 16);
  f.insert(f.end(), s.options.begin(), s.options.end());
  fix_csum(f, l3);
  return f;
}

NdSpec na_spec() {
  NdSpec s;
  s.type = 136;
  s.flags = 0x60;  // solicited + override
  s.src = kPeerIp6;
  s.dst = kOurIp6;
  s.target = kPeerIp6;
  s.options = {2, 1, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01};  // target LL = kPeerMac
  return s;
}

void expect_mac(const uint8_t* got, const uint8_t* want) { EXPECT_EQ(0, std::memcmp(got, want, 6)); }
void expect_ip(const uint8_t* got, const uint8_t* want, size_t n) { EXPECT_EQ(0, std::memcmp(got, want, n)); }

void expect_malformed(const NeighParse& p, uint8_t family) {
  EXPECT_EQ(p.msg, NeighMsg::None);
  EXPECT_TRUE(p.malformed);
  EXPECT_EQ(p.family, family);
  EXPECT_FALSE(p.has_sender_mac);
}

void expect_not_neigh(const NeighParse& p) {
  EXPECT_EQ(p.msg, NeighMsg::None);
  EXPECT_FALSE(p.malformed);
}

// Builder output in a 128-byte buffer pre-filled with a canary.
struct Out {
  uint8_t buf[128];
  uint32_t len = 0;
  Out() { std::memset(buf, 0xa5, sizeof buf); }
  Bytes bytes() const { return Bytes(buf, buf + len); }
  bool tail_untouched() const {
    for (size_t i = len; i < sizeof buf; i++)
      if (buf[i] != 0xa5) return false;
    return true;
  }
};

// --- Hand-written frames ------------------------------------------------------------

TEST(NeighProto, ArpRequestForOurAddressParses) {
  // who-has 192.0.2.10 tell 192.0.2.1 (RFC 826 layout), padded to the 60-byte minimum.
  const Bytes f = {
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // Ethernet destination: broadcast
      0x02, 0x00, 0x00, 0x00, 0x00, 0x01,  // Ethernet source
      0x08, 0x06,                          // ethertype ARP
      0x00, 0x01,                          // ar$hrd: Ethernet
      0x08, 0x00,                          // ar$pro: IPv4
      0x06,                                // ar$hln
      0x04,                                // ar$pln
      0x00, 0x01,                          // ar$op: request
      0x02, 0x00, 0x00, 0x00, 0x00, 0x01,  // ar$sha
      192,  0,    2,    1,                 // ar$spa
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // ar$tha
      192,  0,    2,    10,                // ar$tpa
      0,    0,    0,    0,    0,    0,    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // padding
  };
  ASSERT_EQ(f.size(), 60u);
  const NeighParse p = parse_exact(f);
  EXPECT_EQ(p.msg, NeighMsg::ArpRequest);
  EXPECT_FALSE(p.malformed);
  EXPECT_EQ(p.family, 4);
  EXPECT_TRUE(p.has_sender_mac);
  expect_mac(p.sender_mac, kPeerMac);
  expect_mac(p.eth_src, kPeerMac);
  expect_ip(p.sender_ip, kPeerIp4, 4);
  expect_ip(p.target_ip, kOurIp4, 4);
  // Only the address bytes are filled in.
  for (int i = 4; i < 16; i++) EXPECT_EQ(p.sender_ip[i], 0) << i;
  for (int i = 4; i < 16; i++) EXPECT_EQ(p.target_ip[i], 0) << i;
}

TEST(NeighProto, ArpRequestWithVlanTagParses) {
  ArpSpec s;
  s.vlan = true;
  const NeighParse p = parse_exact(make_arp(s));
  EXPECT_EQ(p.msg, NeighMsg::ArpRequest);
  expect_ip(p.sender_ip, kPeerIp4, 4);
  expect_ip(p.target_ip, kOurIp4, 4);
}

TEST(NeighProto, ArpReplyParses) {
  ArpSpec s;
  s.op = 2;
  s.tha = kOurMac;
  const NeighParse p = parse_exact(make_arp(s));
  EXPECT_EQ(p.msg, NeighMsg::ArpReply);
  EXPECT_FALSE(p.malformed);
  expect_mac(p.sender_mac, kPeerMac);
  expect_ip(p.sender_ip, kPeerIp4, 4);
  expect_ip(p.target_ip, kOurIp4, 4);
}

TEST(NeighProto, GratuitousArpIsReportedAsReply) {
  for (uint16_t op : {1, 2}) {
    ArpSpec s;
    s.op = op;
    s.tpa = kPeerIp4;  // sender == target
    const NeighParse p = parse_exact(make_arp(s));
    EXPECT_EQ(p.msg, NeighMsg::ArpReply) << op;
    EXPECT_TRUE(p.has_sender_mac);
    expect_mac(p.sender_mac, kPeerMac);
    expect_ip(p.sender_ip, kPeerIp4, 4);
    expect_ip(p.target_ip, kPeerIp4, 4);
  }
}

TEST(NeighProto, NeighbourSolicitationFromRfcBytesParses) {
  // 2001:db8::1 asks for 2001:db8::10 (RFC 4861 4.3 layout, source LL option).
  const Bytes f = {
      0x33, 0x33, 0xff, 0x00, 0x00, 0x10,  // Ethernet destination: 33:33 + solicited-node
      0x02, 0x00, 0x00, 0x00, 0x00, 0x01,  // Ethernet source
      0x86, 0xdd,                          // ethertype IPv6
      0x60, 0x00, 0x00, 0x00,              // version 6, class 0, flow 0
      0x00, 0x20,                          // payload length 32
      0x3a,                                // next header ICMPv6
      0xff,                                // hop limit 255
      0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,     // source 2001:db8::1
      0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0x00, 0x00, 0x10,  // ff02::1:ff00:10
      0x87,                                // type 135 NS
      0x00,                                // code
      0x1c, 0x0b,                          // checksum (computed offline)
      0x00, 0x00, 0x00, 0x00,              // reserved
      0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,     // target 2001:db8::10
      0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,  // source LL option, 1 x 8 bytes
  };
  ASSERT_EQ(f.size(), 86u);
  EXPECT_EQ(ref_icmpv6_csum(f, 14), 0x1c0b);
  const NeighParse p = parse_exact(f);
  EXPECT_EQ(p.msg, NeighMsg::NdSolicit);
  EXPECT_FALSE(p.malformed);
  EXPECT_EQ(p.family, 6);
  EXPECT_TRUE(p.has_sender_mac);
  expect_mac(p.sender_mac, kPeerMac);
  expect_mac(p.eth_src, kPeerMac);
  expect_ip(p.sender_ip, kPeerIp6, 16);
  expect_ip(p.target_ip, kOurIp6, 16);
  EXPECT_EQ(make_nd(NdSpec{}), f);  // the test's own frame helper agrees
}

TEST(NeighProto, NeighbourSolicitationWithVlanTagParses) {
  NdSpec s;
  s.vlan = true;
  const NeighParse p = parse_exact(make_nd(s));
  EXPECT_EQ(p.msg, NeighMsg::NdSolicit);
  expect_ip(p.target_ip, kOurIp6, 16);
}

TEST(NeighProto, DadProbeFromUnspecifiedSourceParsesWithoutMac) {
  NdSpec s;
  s.src = kUnspec6;
  s.options.clear();
  const NeighParse p = parse_exact(make_nd(s));
  EXPECT_EQ(p.msg, NeighMsg::NdSolicit);
  EXPECT_FALSE(p.has_sender_mac);
  expect_ip(p.sender_ip, kUnspec6, 16);
  expect_ip(p.target_ip, kOurIp6, 16);
}

TEST(NeighProto, UnicastNsWithoutOptionParses) {
  NdSpec s;
  s.dst = kOurIp6;
  s.options.clear();
  const NeighParse p = parse_exact(make_nd(s));
  EXPECT_EQ(p.msg, NeighMsg::NdSolicit);
  EXPECT_FALSE(p.has_sender_mac);
  expect_mac(p.eth_src, kPeerMac);
}

TEST(NeighProto, NeighbourAdvertisementParsesTargetLlOption) {
  const NeighParse p = parse_exact(make_nd(na_spec()));
  EXPECT_EQ(p.msg, NeighMsg::NdAdvert);
  EXPECT_FALSE(p.malformed);
  EXPECT_EQ(p.family, 6);
  EXPECT_TRUE(p.has_sender_mac);
  expect_mac(p.sender_mac, kPeerMac);
  expect_ip(p.sender_ip, kPeerIp6, 16);
  expect_ip(p.target_ip, kPeerIp6, 16);
}

TEST(NeighProto, LinkLayerOptionOfTheOtherKindIsIgnored) {
  NdSpec ns;
  ns.options = {2, 1, 1, 2, 3, 4, 5, 6};  // target LL in an NS
  NeighParse p = parse_exact(make_nd(ns));
  EXPECT_EQ(p.msg, NeighMsg::NdSolicit);
  EXPECT_FALSE(p.has_sender_mac);
  NdSpec na = na_spec();
  na.options = {1, 1, 1, 2, 3, 4, 5, 6};  // source LL in an NA
  p = parse_exact(make_nd(na));
  EXPECT_EQ(p.msg, NeighMsg::NdAdvert);
  EXPECT_FALSE(p.has_sender_mac);
}

TEST(NeighProto, UnknownOptionsAreSkipped) {
  NdSpec s;
  s.options = {14, 1, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,     // nonce
               99, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // unknown, 16 bytes
               1, 1, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01};     // source LL last
  const NeighParse p = parse_exact(make_nd(s));
  EXPECT_EQ(p.msg, NeighMsg::NdSolicit);
  EXPECT_TRUE(p.has_sender_mac);
  expect_mac(p.sender_mac, kPeerMac);
}

TEST(NeighProto, TrailingEthernetBytesAfterNsAreAllowed) {
  Bytes f = make_nd(NdSpec{});
  f.insert(f.end(), 6, 0xee);
  EXPECT_EQ(parse_exact(f).msg, NeighMsg::NdSolicit);
}

// --- Round trips ------------------------------------------------------------------------

TEST(NeighProto, ArpReplyRoundTrip) {
  Out o;
  o.len = build_arp_reply(o.buf, kOurMac, kOurIp4, kPeerMac, kPeerIp4);
  ASSERT_EQ(o.len, 42u);
  EXPECT_TRUE(o.tail_untouched());
  expect_mac(o.buf, kPeerMac);
  expect_mac(o.buf + 6, kOurMac);
  EXPECT_EQ(o.buf[12], 0x08);
  EXPECT_EQ(o.buf[13], 0x06);
  expect_mac(o.buf + 32, kPeerMac);  // target hardware address
  const NeighParse p = parse_exact(o.bytes());
  EXPECT_EQ(p.msg, NeighMsg::ArpReply);
  EXPECT_FALSE(p.malformed);
  EXPECT_EQ(p.family, 4);
  expect_mac(p.sender_mac, kOurMac);
  expect_mac(p.eth_src, kOurMac);
  expect_ip(p.sender_ip, kOurIp4, 4);
  expect_ip(p.target_ip, kPeerIp4, 4);
}

TEST(NeighProto, ArpRequestRoundTrip) {
  Out o;
  o.len = build_arp_request(o.buf, kOurMac, kOurIp4, kPeerIp4);
  ASSERT_EQ(o.len, 42u);
  EXPECT_TRUE(o.tail_untouched());
  ArpSpec s;  // the same frame written independently
  s.sha = kOurMac;
  s.spa = kOurIp4;
  s.tpa = kPeerIp4;
  EXPECT_EQ(o.bytes(), make_arp(s));
  const NeighParse p = parse_exact(o.bytes());
  EXPECT_EQ(p.msg, NeighMsg::ArpRequest);
  expect_mac(p.sender_mac, kOurMac);
  expect_ip(p.sender_ip, kOurIp4, 4);
  expect_ip(p.target_ip, kPeerIp4, 4);
}

TEST(NeighProto, GratuitousArpRoundTrip) {
  Out o;
  o.len = build_gratuitous_arp(o.buf, kOurMac, kOurIp4);
  ASSERT_EQ(o.len, 42u);
  EXPECT_TRUE(o.tail_untouched());
  ArpSpec s;  // request, broadcast, sender IP == target IP, target hw zero
  s.sha = kOurMac;
  s.spa = kOurIp4;
  s.tpa = kOurIp4;
  EXPECT_EQ(o.bytes(), make_arp(s));
  const NeighParse p = parse_exact(o.bytes());
  EXPECT_EQ(p.msg, NeighMsg::ArpReply);
  expect_mac(p.sender_mac, kOurMac);
  expect_ip(p.sender_ip, kOurIp4, 4);
  expect_ip(p.target_ip, kOurIp4, 4);
}

TEST(NeighProto, NdAdvertRoundTrip) {
  for (bool solicited : {true, false}) {
    Out o;
    o.len = build_nd_advert(o.buf, kOurMac, kOurIp6, kPeerMac, kPeerIp6, solicited);
    ASSERT_EQ(o.len, 86u);
    EXPECT_TRUE(o.tail_untouched());
    expect_mac(o.buf, kPeerMac);
    expect_mac(o.buf + 6, kOurMac);
    EXPECT_EQ(o.buf[21], 255);                            // hop limit
    expect_ip(o.buf + 38, kPeerIp6, 16);                  // IPv6 destination
    EXPECT_EQ(o.buf[58], solicited ? 0x60 : 0x20);        // R=0, S, O=1
    EXPECT_EQ(ref_icmpv6_csum(o.bytes(), 14), o.buf[56] << 8 | o.buf[57]);
    const NeighParse p = parse_exact(o.bytes());
    EXPECT_EQ(p.msg, NeighMsg::NdAdvert);
    EXPECT_FALSE(p.malformed);
    EXPECT_EQ(p.family, 6);
    EXPECT_TRUE(p.has_sender_mac);
    expect_mac(p.sender_mac, kOurMac);
    expect_ip(p.sender_ip, kOurIp6, 16);
    expect_ip(p.target_ip, kOurIp6, 16);
  }
}

TEST(NeighProto, NdAdvertToUnspecifiedSolicitorGoesToAllNodesUnsolicited) {
  Out o;
  o.len = build_nd_advert(o.buf, kOurMac, kOurIp6, kPeerMac, kUnspec6, true);
  ASSERT_EQ(o.len, 86u);
  const uint8_t all_nodes_mac[6] = {0x33, 0x33, 0, 0, 0, 1};
  expect_mac(o.buf, all_nodes_mac);
  expect_ip(o.buf + 38, kAllNodes6, 16);
  EXPECT_EQ(o.buf[58], 0x20);  // solicited cleared, override set
  EXPECT_EQ(ref_icmpv6_csum(o.bytes(), 14), o.buf[56] << 8 | o.buf[57]);
  const NeighParse p = parse_exact(o.bytes());
  EXPECT_EQ(p.msg, NeighMsg::NdAdvert);
  expect_ip(p.target_ip, kOurIp6, 16);
}

TEST(NeighProto, NdSolicitRoundTrip) {
  Out o;
  o.len = build_nd_solicit(o.buf, kPeerMac, kPeerIp6, kOurIp6);
  ASSERT_EQ(o.len, 86u);
  EXPECT_TRUE(o.tail_untouched());
  // Byte for byte the hand-written NS of NeighbourSolicitationFromRfcBytesParses.
  EXPECT_EQ(o.bytes(), make_nd(NdSpec{}));
  const NeighParse p = parse_exact(o.bytes());
  EXPECT_EQ(p.msg, NeighMsg::NdSolicit);
  EXPECT_TRUE(p.has_sender_mac);
  expect_mac(p.sender_mac, kPeerMac);
  expect_ip(p.sender_ip, kPeerIp6, 16);
  expect_ip(p.target_ip, kOurIp6, 16);
}

TEST(NeighProto, NdSolicitUsesSolicitedNodeAddressOfTarget) {
  const uint8_t target[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0};
  Out o;
  o.len = build_nd_solicit(o.buf, kOurMac, kOurIp6, target);
  const uint8_t mac[6] = {0x33, 0x33, 0xff, 0xbc, 0xde, 0xf0};
  const uint8_t ip[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0xbc, 0xde, 0xf0};
  expect_mac(o.buf, mac);
  expect_ip(o.buf + 38, ip, 16);
  EXPECT_EQ(o.buf[21], 255);
  EXPECT_EQ(o.buf[54], 135);
  EXPECT_EQ(o.buf[78], 1);  // source LL option
  EXPECT_EQ(o.buf[79], 1);
  expect_mac(o.buf + 80, kOurMac);
  EXPECT_EQ(ref_icmpv6_csum(o.bytes(), 14), o.buf[56] << 8 | o.buf[57]);
  EXPECT_EQ(parse_exact(o.bytes()).msg, NeighMsg::NdSolicit);
}

TEST(NeighProto, NdSolicitFromUnspecifiedOmitsSourceLlOption) {
  Out o;
  o.len = build_nd_solicit(o.buf, kOurMac, kUnspec6, kOurIp6);
  ASSERT_EQ(o.len, 78u);
  EXPECT_TRUE(o.tail_untouched());
  const NeighParse p = parse_exact(o.bytes());
  EXPECT_EQ(p.msg, NeighMsg::NdSolicit);
  EXPECT_FALSE(p.has_sender_mac);
}

TEST(NeighProto, UnsolicitedNaRoundTrip) {
  Out o;
  o.len = build_unsolicited_na(o.buf, kOurMac, kOurIp6);
  ASSERT_EQ(o.len, 86u);
  EXPECT_TRUE(o.tail_untouched());
  const uint8_t all_nodes_mac[6] = {0x33, 0x33, 0, 0, 0, 1};
  expect_mac(o.buf, all_nodes_mac);
  expect_ip(o.buf + 22, kOurIp6, 16);
  expect_ip(o.buf + 38, kAllNodes6, 16);
  EXPECT_EQ(o.buf[58], 0x20);  // override only
  EXPECT_EQ(ref_icmpv6_csum(o.bytes(), 14), o.buf[56] << 8 | o.buf[57]);
  const NeighParse p = parse_exact(o.bytes());
  EXPECT_EQ(p.msg, NeighMsg::NdAdvert);
  EXPECT_TRUE(p.has_sender_mac);
  expect_mac(p.sender_mac, kOurMac);
  expect_ip(p.sender_ip, kOurIp6, 16);
  expect_ip(p.target_ip, kOurIp6, 16);
}

TEST(NeighProto, BuildersMayAnswerInPlace) {
  // The reply's addresses point into the received request that `out` overwrites.
  ArpSpec s;
  Bytes req = make_arp(s);
  req.resize(128);
  uint8_t* a = req.data() + 14;
  const uint32_t n = build_arp_reply(req.data(), kOurMac, a + 24, a + 8, a + 14);
  const NeighParse p = parse_exact(req, n);
  EXPECT_EQ(p.msg, NeighMsg::ArpReply);
  expect_ip(p.sender_ip, kOurIp4, 4);
  expect_ip(p.target_ip, kPeerIp4, 4);
  expect_mac(req.data(), kPeerMac);

  Bytes ns = make_nd(NdSpec{});
  ns.resize(128);
  const uint8_t* ip = ns.data() + 14;
  const uint32_t m = build_nd_advert(ns.data(), kOurMac, ip + 48, ip + 66, ip + 8, true);
  const NeighParse q = parse_exact(ns, m);
  EXPECT_EQ(q.msg, NeighMsg::NdAdvert);
  expect_ip(q.target_ip, kOurIp6, 16);
  expect_mac(ns.data(), kPeerMac);
  expect_ip(ns.data() + 38, kPeerIp6, 16);
}

// --- Checksum ------------------------------------------------------------------------

TEST(NeighProto, NdAdvertChecksumKnownAnswer) {
  // NA from 2001:db8::10 to 2001:db8::1, S+O, target LL 02:00:00:00:00:10.
  const Bytes want = {
      0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x10, 0x86, 0xdd,
      0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0xff,
      0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
      0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
      0x88, 0x00, 0x8a, 0x47,  // type 136, code 0, checksum
      0x60, 0x00, 0x00, 0x00,  // S, O
      0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
      0x02, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x10,
  };
  // Straightforward 16-bit one's-complement sum over pseudo-header + message.
  uint32_t sum = 0;
  for (size_t i = 22; i < 54; i += 2) sum += uint32_t(want[i]) << 8 | want[i + 1];  // addresses
  sum += 32;                                                                     // length
  sum += 58;                                                                     // next header
  for (size_t i = 54; i < want.size(); i += 2)
    if (i != 56) sum += uint32_t(want[i]) << 8 | want[i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  const uint16_t csum = static_cast<uint16_t>(~sum);
  EXPECT_EQ(csum, 0x8a47);

  Out o;
  o.len = build_nd_advert(o.buf, kOurMac, kOurIp6, kPeerMac, kPeerIp6, true);
  EXPECT_EQ(o.bytes(), want);
  EXPECT_EQ(icmpv6_csum(kOurIp6, kPeerIp6, want.data() + 54, 32), 0x8a47);
}

TEST(NeighProto, Icmpv6CsumTreatsChecksumFieldAsZero) {
  Bytes f = make_nd(NdSpec{});
  const uint16_t c = icmpv6_csum(kPeerIp6, kOurSolNode6, f.data() + 54, 32);
  EXPECT_EQ(c, 0x1c0b);
  f[56] = 0x12;
  f[57] = 0x34;
  EXPECT_EQ(icmpv6_csum(kPeerIp6, kOurSolNode6, f.data() + 54, 32), c);
}

TEST(NeighProto, Icmpv6CsumPadsOddLength) {
  Bytes f = make_nd(NdSpec{});
  f.push_back(0xab);  // 33-byte message: the last byte is the high half of a word
  EXPECT_EQ(icmpv6_csum(kPeerIp6, kOurSolNode6, f.data() + 54, 33), ref_icmpv6_csum(f, 14));
  for (uint32_t n = 0; n < 4; n++) {  // shorter than the header: no read past n
    std::unique_ptr<uint8_t[]> p(new uint8_t[n]);
    std::memset(p.get(), 0x11, n);
    Bytes v(kPeerIp6, kPeerIp6 + 16);
    v.insert(v.end(), kOurIp6, kOurIp6 + 16);
    v.insert(v.end(), {0, 0, 0, uint8_t(n), 0, 0, 0, 58});
    if (n >= 1) v.push_back(0x11);
    if (n >= 2) v.push_back(0x11);
    EXPECT_EQ(icmpv6_csum(kPeerIp6, kOurIp6, p.get(), n), uint16_t(~ref_fold(v))) << n;
  }
}

TEST(NeighProto, AllOnesChecksumIsAcceptedAsZero) {
  // Choose the NS reserved word so that the checksum comes out 0x0000, then send it as the
  // equivalent 0xffff (both are one's-complement zero).
  NdSpec s;
  Bytes f = make_nd(s);
  bool found = false;
  for (uint32_t x = 0; x <= 0xffff && !found; x++) {
    f[58] = uint8_t(x >> 8);
    f[59] = uint8_t(x);
    if (ref_icmpv6_csum(f, 14) == 0) found = true;
  }
  ASSERT_TRUE(found);
  f[56] = f[57] = 0x00;
  EXPECT_EQ(parse_exact(f).msg, NeighMsg::NdSolicit);
  f[56] = f[57] = 0xff;
  EXPECT_EQ(parse_exact(f).msg, NeighMsg::NdSolicit);
}

// --- Hostile input ---------------------------------------------------------------------

void expect_every_truncation_rejected(const Bytes& f, size_t malformed_from, uint8_t family) {
  for (size_t n = 0; n < f.size(); n++) {
    const NeighParse p = parse_exact(f, n);
    EXPECT_EQ(p.msg, NeighMsg::None) << "length " << n;
    EXPECT_FALSE(p.has_sender_mac) << "length " << n;
    if (n >= malformed_from) {
      EXPECT_TRUE(p.malformed) << "length " << n;
      EXPECT_EQ(p.family, family) << "length " << n;
    } else {
      EXPECT_FALSE(p.malformed) << "length " << n;
    }
  }
  EXPECT_NE(parse_exact(f).msg, NeighMsg::None);
}

TEST(NeighProto, TruncatedArpIsRejectedAtEveryLength) {
  // From the ethertype on the frame is known to be ARP; shorter ones are not classified.
  expect_every_truncation_rejected(make_arp(ArpSpec{}), 14, 4);
  ArpSpec s;
  s.vlan = true;
  expect_every_truncation_rejected(make_arp(s), 18, 4);
}

TEST(NeighProto, TruncatedNsIsRejectedAtEveryLength) {
  // Recognised as ND once the ICMPv6 type byte is inside the frame.
  expect_every_truncation_rejected(make_nd(NdSpec{}), 14 + 40 + 1, 6);
  NdSpec s;
  s.vlan = true;
  expect_every_truncation_rejected(make_nd(s), 18 + 40 + 1, 6);
}

TEST(NeighProto, TruncatedNaIsRejectedAtEveryLength) {
  expect_every_truncation_rejected(make_nd(na_spec()), 14 + 40 + 1, 6);
  Out o;
  o.len = build_unsolicited_na(o.buf, kOurMac, kOurIp6);
  expect_every_truncation_rejected(o.bytes(), 14 + 40 + 1, 6);
}

TEST(NeighProto, NullOrEmptyFrameIsNotNeighbour) {
  expect_not_neigh(parse_neigh(nullptr, 0));
  expect_not_neigh(parse_neigh(nullptr, 60));
}

TEST(NeighProto, ArpWithHlen8IsMalformed) {
  ArpSpec s;
  s.hlen = 8;
  expect_malformed(parse_exact(make_arp(s)), 4);
}

TEST(NeighProto, ArpWithWrongFieldsIsMalformed) {
  ArpSpec a;
  a.htype = 6;  // IEEE 802
  expect_malformed(parse_exact(make_arp(a)), 4);
  ArpSpec b;
  b.ptype = 0x86dd;
  expect_malformed(parse_exact(make_arp(b)), 4);
  ArpSpec c;
  c.plen = 16;
  expect_malformed(parse_exact(make_arp(c)), 4);
  for (uint16_t op : {0, 3, 4, 8, 0x0100}) {  // RARP, InARP, byte-swapped request
    ArpSpec d;
    d.op = op;
    expect_malformed(parse_exact(make_arp(d)), 4);
  }
}

TEST(NeighProto, WrongHopLimitIsMalformed) {
  for (uint8_t hl : {0, 1, 64, 254}) {
    NdSpec s;
    s.hop_limit = hl;
    expect_malformed(parse_exact(make_nd(s)), 6);
    NdSpec a = na_spec();
    a.hop_limit = hl;
    expect_malformed(parse_exact(make_nd(a)), 6);
  }
}

TEST(NeighProto, BadChecksumIsMalformed) {
  Bytes f = make_nd(NdSpec{});
  f[57] ^= 0x01;
  expect_malformed(parse_exact(f), 6);
  Bytes g = make_nd(na_spec());
  g[70] ^= 0x80;  // target byte changed, checksum not updated
  expect_malformed(parse_exact(g), 6);
  Bytes h = make_nd(NdSpec{});
  h[18] = 0;
  h[19] = 0x1e;  // payload length 30 < 32: the checksum covers fewer bytes
  expect_malformed(parse_exact(h), 6);
}

TEST(NeighProto, NonzeroCodeIsMalformed) {
  NdSpec s;
  s.code = 1;
  expect_malformed(parse_exact(make_nd(s)), 6);
}

TEST(NeighProto, PayloadLengthPastFrameIsMalformed) {
  Bytes f = make_nd(NdSpec{});
  f[19] = 0x28;  // 40 > 32 available
  expect_malformed(parse_exact(f), 6);
}

TEST(NeighProto, ShortNdBodyIsMalformed) {
  // ICMPv6 length 20: the 16-byte target does not fit (checksum made valid).
  Bytes f = make_nd(NdSpec{});
  f.resize(14 + 40 + 20);
  f[18] = 0;
  f[19] = 20;
  fix_csum(f, 14);
  expect_malformed(parse_exact(f), 6);
}

TEST(NeighProto, OptionLengthZeroIsMalformed) {
  NdSpec s;
  s.options = {1, 0, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
  expect_malformed(parse_exact(make_nd(s)), 6);
  NdSpec t;
  t.options = {14, 1, 0, 0, 0, 0, 0, 0, 99, 0, 0, 0, 0, 0, 0, 0};  // second option
  expect_malformed(parse_exact(make_nd(t)), 6);
  NdSpec a = na_spec();
  a.options = {2, 0, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
  expect_malformed(parse_exact(make_nd(a)), 6);
}

TEST(NeighProto, OptionRunningPastEndIsMalformed) {
  NdSpec s;
  s.options = {1, 2, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01};  // claims 16 bytes, 8 present
  expect_malformed(parse_exact(make_nd(s)), 6);
  NdSpec t;
  t.options = {1, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
  expect_malformed(parse_exact(make_nd(t)), 6);
  NdSpec u;
  u.options = {1, 1, 0x02, 0x00, 0x00, 0x00};  // 6 of 8 bytes
  expect_malformed(parse_exact(make_nd(u)), 6);
  NdSpec v;
  v.options = {1, 1, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 14};  // one stray byte
  expect_malformed(parse_exact(make_nd(v)), 6);
}

TEST(NeighProto, OptionPastPayloadLengthIsNotRead) {
  // The option sits in the frame but past the IPv6 payload length: trailing bytes, ignored.
  Bytes f = make_nd(NdSpec{});
  f[19] = 24;
  Bytes g(f.begin(), f.begin() + 14 + 40 + 24);
  fix_csum(g, 14);  // over the 24-byte message only
  f[56] = g[56];
  f[57] = g[57];
  const NeighParse p = parse_exact(f);
  EXPECT_EQ(p.msg, NeighMsg::NdSolicit);
  EXPECT_FALSE(p.has_sender_mac);
}

TEST(NeighProto, NsWithMulticastTargetIsMalformed) {
  NdSpec s;
  s.target = kAllNodes6;
  expect_malformed(parse_exact(make_nd(s)), 6);
  NdSpec t;
  t.target = kOurSolNode6;
  expect_malformed(parse_exact(make_nd(t)), 6);
}

// The checks below are RFC 4861 7.1.1/7.1.2 receipt validation beyond the basic list.

TEST(NeighProto, NaWithMulticastTargetIsMalformed) {
  NdSpec a = na_spec();
  a.target = kAllNodes6;
  expect_malformed(parse_exact(make_nd(a)), 6);
}

TEST(NeighProto, MulticastSourceAddressIsMalformed) {
  NdSpec s;
  s.src = kAllNodes6;
  expect_malformed(parse_exact(make_nd(s)), 6);
}

TEST(NeighProto, DadProbeWithSourceLlOptionIsMalformed) {
  NdSpec s;
  s.src = kUnspec6;
  expect_malformed(parse_exact(make_nd(s)), 6);
}

TEST(NeighProto, DadProbeToNonSolicitedNodeAddressIsMalformed) {
  NdSpec s;
  s.src = kUnspec6;
  s.dst = kOurIp6;
  s.options.clear();
  expect_malformed(parse_exact(make_nd(s)), 6);
}

TEST(NeighProto, SolicitedNaToMulticastIsMalformed) {
  NdSpec a = na_spec();
  a.dst = kAllNodes6;
  expect_malformed(parse_exact(make_nd(a)), 6);
  a.flags = 0x20;  // override only: a valid unsolicited NA
  EXPECT_EQ(parse_exact(make_nd(a)).msg, NeighMsg::NdAdvert);
}

TEST(NeighProto, UdpFrameIsNotNeighbour) {
  for (bool v6 : {false, true}) {
    Bytes f = eth(kOurMac, kPeerMac, v6 ? 0x86dd : 0x0800);
    if (v6) {
      f.insert(f.end(), {0x60, 0, 0, 0, 0, 12, 17, 64});
      put(f, kPeerIp6, 16);
      put(f, kOurIp6, 16);
    } else {
      f.insert(f.end(), {0x45, 0, 0, 32, 0, 0, 0, 0, 64, 17, 0, 0});
      put(f, kPeerIp4, 4);
      put(f, kOurIp4, 4);
    }
    f.insert(f.end(), {0x13, 0x8c, 0x4e, 0x20, 0, 12, 0, 0, 0x80, 0, 0, 1});
    const NeighParse p = parse_exact(f);
    expect_not_neigh(p);
    expect_mac(p.eth_src, kPeerMac);
  }
}

TEST(NeighProto, Icmpv6EchoIsNotNeighbour) {
  NdSpec s;
  s.type = 128;  // echo request, otherwise a well-formed ICMPv6 message
  s.dst = kOurIp6;
  s.hop_limit = 64;
  expect_not_neigh(parse_exact(make_nd(s)));
  s.type = 134;  // router advertisement: ND, but not a neighbour message
  expect_not_neigh(parse_exact(make_nd(s)));
}

TEST(NeighProto, NsBehindExtensionHeaderIsNotRecognised) {
  Bytes f = make_nd(NdSpec{});
  f[20] = 0;  // next header hop-by-hop
  expect_not_neigh(parse_exact(f));
  Bytes g = make_nd(NdSpec{});
  g[14] = 0x40;  // IP version 4 under the IPv6 ethertype
  expect_not_neigh(parse_exact(g));
}

TEST(NeighProto, DoubleVlanTagIsNotRecognised) {
  ArpSpec s;
  s.vlan = true;
  Bytes f = make_arp(s);
  f.insert(f.begin() + 12, {0x81, 0x00, 0x00, 0x65});  // second 802.1Q tag
  expect_not_neigh(parse_exact(f));
}

}  // namespace
}  // namespace rtpgate::dp
