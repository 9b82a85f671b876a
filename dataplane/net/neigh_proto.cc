// ARP (RFC 826) and IPv6 Neighbour Discovery (RFC 4861): parsing and frame building over
// plain byte buffers. No DPDK, no allocation; the parser never reads past `len`.
#include "net/neigh_proto.h"

#include <cstddef>
#include <cstring>

#include "net/checksum.h"

namespace rtpgate::dp {
namespace {

constexpr uint16_t kEthIpv4 = 0x0800;
constexpr uint16_t kEthIpv6 = 0x86DD;
constexpr uint16_t kEthVlan = 0x8100;
constexpr uint32_t kEthHdr = 14;
constexpr uint32_t kVlanTag = 4;

constexpr uint32_t kArpLen = 28;  // Ethernet/IPv4 ARP body
constexpr uint16_t kArpHtypeEth = 1;
constexpr uint16_t kArpOpRequest = 1;
constexpr uint16_t kArpOpReply = 2;

constexpr uint32_t kIp6Hdr = 40;
constexpr uint8_t kIpProtoIcmpv6 = 58;
constexpr uint8_t kNdHopLimit = 255;
constexpr uint8_t kIcmpNs = 135;
constexpr uint8_t kIcmpNa = 136;
constexpr uint32_t kNdMinLen = 24;  // ICMPv6 header (4) + reserved/flags (4) + target (16)
constexpr uint8_t kOptSrcLl = 1;
constexpr uint8_t kOptTgtLl = 2;
constexpr uint8_t kNaFlagRouter = 0x80;
constexpr uint8_t kNaFlagSolicited = 0x40;
constexpr uint8_t kNaFlagOverride = 0x20;

constexpr uint8_t kBroadcastMac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
constexpr uint8_t kZeroMac[6] = {0, 0, 0, 0, 0, 0};
constexpr uint8_t kAllNodesMac[6] = {0x33, 0x33, 0x00, 0x00, 0x00, 0x01};
constexpr uint8_t kAllNodesIp[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};

inline uint16_t rd16(const uint8_t* p) noexcept { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline void wr16(uint8_t* p, uint16_t v) noexcept {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

inline bool ip6_is_multicast(const uint8_t* a) noexcept { return a[0] == 0xff; }
inline bool ip6_is_unspecified(const uint8_t* a) noexcept {
  for (int i = 0; i < 16; i++)
    if (a[i] != 0) return false;
  return true;
}
// ff02::1:ffXX:XXXX (RFC 4291 2.7.1).
inline bool ip6_is_solicited_node(const uint8_t* a) noexcept {
  static constexpr uint8_t kPrefix[13] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff};
  return std::memcmp(a, kPrefix, sizeof kPrefix) == 0;
}

uint32_t write_eth(uint8_t* out, const uint8_t dst[6], const uint8_t src[6], uint16_t type) noexcept {
  std::memcpy(out, dst, 6);
  std::memcpy(out + 6, src, 6);
  wr16(out + 12, type);
  return kEthHdr;
}

// Ethernet + ARP frame; every argument is a private copy, so callers may alias `out`.
uint32_t write_arp(uint8_t* out, const uint8_t eth_dst[6], uint16_t op, const uint8_t sha[6],
                   const uint8_t spa[4], const uint8_t tha[6], const uint8_t tpa[4]) noexcept {
  uint32_t off = write_eth(out, eth_dst, sha, kEtherTypeArp);
  uint8_t* a = out + off;
  wr16(a, kArpHtypeEth);
  wr16(a + 2, kEthIpv4);
  a[4] = 6;
  a[5] = 4;
  wr16(a + 6, op);
  std::memcpy(a + 8, sha, 6);
  std::memcpy(a + 14, spa, 4);
  std::memcpy(a + 18, tha, 6);
  std::memcpy(a + 24, tpa, 4);
  return off + kArpLen;
}

// Ethernet + IPv6 + NS/NA (+ one link-layer option carrying our_mac unless opt_type is 0).
uint32_t write_nd(uint8_t* out, const uint8_t eth_dst[6], const uint8_t our_mac[6],
                  const uint8_t src_ip[16], const uint8_t dst_ip[16], uint8_t type, uint8_t flags,
                  const uint8_t target[16], uint8_t opt_type) noexcept {
  const uint32_t icmp_len = kNdMinLen + (opt_type != 0 ? 8u : 0u);
  uint32_t off = write_eth(out, eth_dst, our_mac, kEthIpv6);
  uint8_t* ip = out + off;
  ip[0] = 0x60;  // version 6, traffic class 0, flow label 0
  ip[1] = ip[2] = ip[3] = 0;
  wr16(ip + 4, static_cast<uint16_t>(icmp_len));
  ip[6] = kIpProtoIcmpv6;
  ip[7] = kNdHopLimit;
  std::memcpy(ip + 8, src_ip, 16);
  std::memcpy(ip + 24, dst_ip, 16);
  uint8_t* icmp = ip + kIp6Hdr;
  icmp[0] = type;
  icmp[1] = 0;
  icmp[2] = icmp[3] = 0;
  icmp[4] = flags;
  icmp[5] = icmp[6] = icmp[7] = 0;
  std::memcpy(icmp + 8, target, 16);
  if (opt_type != 0) {
    icmp[24] = opt_type;
    icmp[25] = 1;  // in units of 8 bytes
    std::memcpy(icmp + 26, our_mac, 6);
  }
  wr16(icmp + 2, icmpv6_csum(src_ip, dst_ip, icmp, icmp_len));
  return off + kIp6Hdr + icmp_len;
}

NeighParse malformed(uint8_t family, const uint8_t eth_src[6]) noexcept {
  NeighParse r;
  r.malformed = true;
  r.family = family;
  std::memcpy(r.eth_src, eth_src, 6);
  return r;
}

// `a` points at the ARP header, `n` bytes of the frame remain from there.
NeighParse parse_arp(const uint8_t* a, uint32_t n, const uint8_t eth_src[6]) noexcept {
  if (n < kArpLen) return malformed(4, eth_src);
  if (rd16(a) != kArpHtypeEth || rd16(a + 2) != kEthIpv4 || a[4] != 6 || a[5] != 4)
    return malformed(4, eth_src);
  const uint16_t op = rd16(a + 6);
  if (op != kArpOpRequest && op != kArpOpReply) return malformed(4, eth_src);
  NeighParse r;
  r.family = 4;
  std::memcpy(r.eth_src, eth_src, 6);
  std::memcpy(r.sender_mac, a + 8, 6);
  r.has_sender_mac = true;
  std::memcpy(r.sender_ip, a + 14, 4);
  std::memcpy(r.target_ip, a + 24, 4);
  const bool gratuitous = std::memcmp(a + 14, a + 24, 4) == 0;
  r.msg = (op == kArpOpReply || gratuitous) ? NeighMsg::ArpReply : NeighMsg::ArpRequest;
  return r;
}

// `ip` points at the IPv6 header, `n` bytes of the frame remain from there.
NeighParse parse_nd(const uint8_t* ip, uint32_t n, const uint8_t eth_src[6]) noexcept {
  NeighParse none;
  std::memcpy(none.eth_src, eth_src, 6);
  // ND-shaped: a whole IPv6 header, next header ICMPv6, and an NS/NA type byte in the frame.
  if (n <= kIp6Hdr || (ip[0] >> 4) != 6 || ip[6] != kIpProtoIcmpv6) return none;
  const uint8_t* icmp = ip + kIp6Hdr;
  const uint8_t type = icmp[0];
  if (type != kIcmpNs && type != kIcmpNa) return none;

  const uint32_t plen = rd16(ip + 4);
  if (plen > n - kIp6Hdr) return malformed(6, eth_src);  // trailing bytes (padding) allowed
  if (ip[7] != kNdHopLimit || plen < kNdMinLen || icmp[1] != 0) return malformed(6, eth_src);
  const uint8_t* src = ip + 8;
  const uint8_t* dst = ip + 24;
  // Whole sum including the checksum field must be 0xffff (accepts 0x0000 and 0xffff for -0).
  uint32_t acc = csum_add_bytes(0, src, 32);
  acc += plen + kIpProtoIcmpv6;
  acc = csum_add_bytes(acc, icmp, plen);
  if (csum_fold(acc) != 0xffff) return malformed(6, eth_src);

  const uint8_t* target = icmp + 8;
  // RFC 4861 7.1.1/7.1.2: target not multicast; an IPv6 source is never multicast (RFC 4291).
  if (ip6_is_multicast(target) || ip6_is_multicast(src)) return malformed(6, eth_src);

  const uint8_t want_opt = type == kIcmpNs ? kOptSrcLl : kOptTgtLl;
  bool has_ll = false, has_src_ll = false;
  uint8_t ll[6]{};
  for (uint32_t o = kNdMinLen; o < plen;) {
    if (plen - o < 2) return malformed(6, eth_src);
    const uint32_t olen = uint32_t{icmp[o + 1]} * 8u;
    if (olen == 0 || olen > plen - o) return malformed(6, eth_src);
    if (icmp[o] == kOptSrcLl) has_src_ll = true;
    if (icmp[o] == want_opt && !has_ll) {  // first one wins
      std::memcpy(ll, icmp + o + 2, 6);
      has_ll = true;
    }
    o += olen;
  }

  if (type == kIcmpNs) {
    // DAD probe (source ::) goes to a solicited-node address and carries no source LL option.
    if (ip6_is_unspecified(src) && (!ip6_is_solicited_node(dst) || has_src_ll))
      return malformed(6, eth_src);
  } else if (ip6_is_multicast(dst) && (icmp[4] & kNaFlagSolicited) != 0) {
    return malformed(6, eth_src);  // a solicited NA is unicast
  }

  NeighParse r = none;
  r.msg = type == kIcmpNs ? NeighMsg::NdSolicit : NeighMsg::NdAdvert;
  r.family = 6;
  std::memcpy(r.sender_ip, src, 16);
  std::memcpy(r.target_ip, target, 16);
  if (has_ll) {
    std::memcpy(r.sender_mac, ll, 6);
    r.has_sender_mac = true;
  }
  return r;
}

}  // namespace

NeighParse parse_neigh(const uint8_t* frame, uint32_t len) noexcept {
  if (frame == nullptr || len < kEthHdr) return NeighParse{};
  uint32_t off = kEthHdr;
  uint16_t et = rd16(frame + 12);
  if (et == kEthVlan) {
    if (len < kEthHdr + kVlanTag) return NeighParse{};
    et = rd16(frame + 16);
    off += kVlanTag;
  }
  if (et == kEtherTypeArp) return parse_arp(frame + off, len - off, frame + 6);
  if (et == kEthIpv6) return parse_nd(frame + off, len - off, frame + 6);
  NeighParse r;
  std::memcpy(r.eth_src, frame + 6, 6);
  return r;
}

// The builders copy their inputs first: a caller may answer in place, passing addresses
// that point into `out` (e.g. the request's sender fields).

uint32_t build_arp_reply(uint8_t* out, const uint8_t our_mac[6], const uint8_t our_ip[4],
                         const uint8_t peer_mac[6], const uint8_t peer_ip[4]) noexcept {
  uint8_t om[6], oi[4], pm[6], pi[4];
  std::memcpy(om, our_mac, 6);
  std::memcpy(oi, our_ip, 4);
  std::memcpy(pm, peer_mac, 6);
  std::memcpy(pi, peer_ip, 4);
  return write_arp(out, pm, kArpOpReply, om, oi, pm, pi);
}

uint32_t build_arp_request(uint8_t* out, const uint8_t our_mac[6], const uint8_t our_ip[4],
                           const uint8_t target_ip[4]) noexcept {
  uint8_t om[6], oi[4], ti[4];
  std::memcpy(om, our_mac, 6);
  std::memcpy(oi, our_ip, 4);
  std::memcpy(ti, target_ip, 4);
  return write_arp(out, kBroadcastMac, kArpOpRequest, om, oi, kZeroMac, ti);
}

uint32_t build_gratuitous_arp(uint8_t* out, const uint8_t our_mac[6], const uint8_t our_ip[4]) noexcept {
  uint8_t om[6], oi[4];
  std::memcpy(om, our_mac, 6);
  std::memcpy(oi, our_ip, 4);
  return write_arp(out, kBroadcastMac, kArpOpRequest, om, oi, kZeroMac, oi);
}

uint32_t build_nd_advert(uint8_t* out, const uint8_t our_mac[6], const uint8_t our_ip[16],
                         const uint8_t peer_mac[6], const uint8_t peer_ip[16], bool solicited) noexcept {
  uint8_t om[6], oi[16], pm[6], pi[16];
  std::memcpy(om, our_mac, 6);
  std::memcpy(oi, our_ip, 16);
  std::memcpy(pm, peer_mac, 6);
  std::memcpy(pi, peer_ip, 16);
  uint8_t flags = kNaFlagOverride;
  if (ip6_is_unspecified(pi)) {
    // RFC 4861 7.2.4: answer to a DAD probe goes to all-nodes, solicited flag clear.
    std::memcpy(pm, kAllNodesMac, 6);
    std::memcpy(pi, kAllNodesIp, 16);
  } else if (solicited) {
    flags |= kNaFlagSolicited;
  }
  static_assert((kNaFlagOverride & kNaFlagRouter) == 0);
  return write_nd(out, pm, om, oi, pi, kIcmpNa, flags, oi, kOptTgtLl);
}

uint32_t build_nd_solicit(uint8_t* out, const uint8_t our_mac[6], const uint8_t our_ip[16],
                          const uint8_t target_ip[16]) noexcept {
  uint8_t om[6], oi[16], ti[16];
  std::memcpy(om, our_mac, 6);
  std::memcpy(oi, our_ip, 16);
  std::memcpy(ti, target_ip, 16);
  uint8_t dst_ip[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, ti[13], ti[14], ti[15]};
  const uint8_t dst_mac[6] = {0x33, 0x33, 0xff, ti[13], ti[14], ti[15]};
  // From :: (duplicate address detection) the source LL option must be absent (RFC 4861 4.3).
  const uint8_t opt = ip6_is_unspecified(oi) ? 0 : kOptSrcLl;
  return write_nd(out, dst_mac, om, oi, dst_ip, kIcmpNs, 0, ti, opt);
}

uint32_t build_unsolicited_na(uint8_t* out, const uint8_t our_mac[6], const uint8_t our_ip[16]) noexcept {
  uint8_t om[6], oi[16];
  std::memcpy(om, our_mac, 6);
  std::memcpy(oi, our_ip, 16);
  return write_nd(out, kAllNodesMac, om, oi, kAllNodesIp, kIcmpNa, kNaFlagOverride, oi, kOptTgtLl);
}

uint16_t icmpv6_csum(const uint8_t src[16], const uint8_t dst[16], const uint8_t* icmp, uint32_t len) noexcept {
  // Pseudo-header (RFC 8200 8.1): source, destination, 32-bit length, next header 58.
  uint32_t acc = csum_add_bytes(0, src, 16);
  acc = csum_add_bytes(acc, dst, 16);
  acc += (len >> 16) + (len & 0xffffu) + kIpProtoIcmpv6;
  // The checksum field (bytes 2..3) is treated as zero.
  acc = csum_add_bytes(acc, icmp, len < 2 ? len : 2);
  if (len > 4) {
    // Even-sized chunks, folded in between, so the 32-bit accumulator cannot overflow.
    const uint8_t* p = icmp + 4;
    size_t left = len - 4;
    while (left > 0) {
      const size_t chunk = left < 65536 ? left : 65536;
      acc = csum_add_bytes(csum_fold(acc), p, chunk);
      p += chunk;
      left -= chunk;
    }
  }
  return csum_finish(acc);
}

}  // namespace rtpgate::dp
