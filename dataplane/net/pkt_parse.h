// Ethernet/IPv4/IPv6/UDP parsing of one received frame (plain bytes; any thread).
// The parser validates every length against the buffer and never reads past `len`.
#pragma once
#include <cstdint>
#include <cstring>

#include "net/flow_key.h"

namespace rtpgate::dp {

enum class ParseStatus : uint8_t { Ok, NotIp, BadL3, NotUdp, BadUdp };

struct ParsedPkt {
  FlowKey key;          // destination (local) address + port
  uint8_t src_addr[16]; // source address (IPv4 in [0..3])
  uint16_t src_port_be;
  uint16_t l3_off;      // offset of the IP header
  uint16_t l4_off;      // offset of the UDP header
  uint16_t payload_off; // offset of the UDP payload
  uint16_t payload_len; // UDP payload bytes
  uint16_t l2_len_trailer; // frame bytes after the IP datagram (Ethernet padding)
  uint8_t ip_proto;        // IP protocol / IPv6 next header (also set for NotUdp)
};

constexpr uint16_t kEtherTypeIpv4 = 0x0800;
constexpr uint16_t kEtherTypeIpv6 = 0x86DD;
constexpr uint16_t kEtherTypeVlan = 0x8100;
constexpr uint8_t kIpProtoUdp = 17;

namespace detail {
inline uint16_t rd16(const uint8_t* p) noexcept { return uint16_t(p[0] << 8 | p[1]); }
}  // namespace detail

// Parses Ethernet (optionally one 802.1Q tag), then IPv4 or IPv6 (no extension headers),
// then UDP. IPv4 fragments, bad header checksums are not checked here (NIC or kernel did),
// but every length is.
[[gnu::always_inline]] inline ParseStatus parse_frame(const uint8_t* p, uint32_t len,
                                                      ParsedPkt* out) noexcept {
  using detail::rd16;
  if (len < 14) [[unlikely]] return ParseStatus::NotIp;
  uint32_t off = 12;
  uint16_t et = rd16(p + off);
  off += 2;
  if (et == kEtherTypeVlan) {
    if (len < off + 4) return ParseStatus::NotIp;
    et = rd16(p + off + 2);
    off += 4;
  }
  uint32_t l4, ip_end;
  if (et == kEtherTypeIpv4) {
    if (len < off + 20) [[unlikely]] return ParseStatus::BadL3;
    const uint8_t* ip = p + off;
    const uint32_t ihl = (ip[0] & 0x0fu) * 4u;
    const uint32_t tot = rd16(ip + 2);
    if ((ip[0] >> 4) != 4 || ihl < 20 || tot < ihl || off + tot > len) [[unlikely]]
      return ParseStatus::BadL3;
    if ((rd16(ip + 6) & 0x3fffu) != 0) [[unlikely]] return ParseStatus::BadL3;  // fragment
    out->key.family = 4;
    out->key.pad = 0;
    std::memcpy(out->key.addr, ip + 16, 4);
    std::memset(out->key.addr + 4, 0, 12);
    std::memcpy(out->src_addr, ip + 12, 4);
    out->l3_off = static_cast<uint16_t>(off);
    out->ip_proto = ip[9];
    if (ip[9] != kIpProtoUdp) return ParseStatus::NotUdp;
    l4 = off + ihl;
    ip_end = off + tot;
  } else if (et == kEtherTypeIpv6) {
    if (len < off + 40) [[unlikely]] return ParseStatus::BadL3;
    const uint8_t* ip = p + off;
    const uint32_t plen = rd16(ip + 4);
    if ((ip[0] >> 4) != 6 || off + 40 + plen > len) [[unlikely]] return ParseStatus::BadL3;
    out->key.family = 6;
    out->key.pad = 0;
    std::memcpy(out->key.addr, ip + 24, 16);
    std::memcpy(out->src_addr, ip + 8, 16);
    out->l3_off = static_cast<uint16_t>(off);
    out->ip_proto = ip[6];
    if (ip[6] != kIpProtoUdp) return ParseStatus::NotUdp;
    l4 = off + 40;
    ip_end = off + 40 + plen;
  } else {
    return ParseStatus::NotIp;
  }
  if (ip_end < l4 + 8) [[unlikely]] return ParseStatus::BadUdp;
  const uint8_t* udp = p + l4;
  const uint32_t ulen = rd16(udp + 4);
  if (ulen < 8 || l4 + ulen > ip_end) [[unlikely]] return ParseStatus::BadUdp;
  std::memcpy(&out->src_port_be, udp, 2);
  std::memcpy(&out->key.port_be, udp + 2, 2);
  out->l3_off = static_cast<uint16_t>(off);
  out->l4_off = static_cast<uint16_t>(l4);
  out->payload_off = static_cast<uint16_t>(l4 + 8);
  out->payload_len = static_cast<uint16_t>(ulen - 8);
  out->l2_len_trailer = static_cast<uint16_t>(len - ip_end);
  return ParseStatus::Ok;
}

}  // namespace rtpgate::dp
