// ARP (RFC 826) and IPv6 Neighbour Discovery (RFC 4861) frames: parsing what peers send
// and building what the data plane answers or asks. Plain bytes; any thread.
#pragma once
#include <cstdint>

namespace rtpgate::dp {

constexpr uint16_t kEtherTypeArp = 0x0806;

enum class NeighMsg : uint8_t {
  None,          // not ARP/ND (or malformed: see NeighParse::malformed)
  ArpRequest,
  ArpReply,      // includes gratuitous ARP (request or reply announcing sender == target)
  NdSolicit,     // NS
  NdAdvert       // NA
};

struct NeighParse {
  NeighMsg msg = NeighMsg::None;
  bool malformed = false;   // ARP/ICMPv6-ND that failed a length/field/checksum/hop-limit check
  uint8_t family = 0;       // 4 or 6
  uint8_t sender_mac[6]{};  // ARP sender hw / ND link-layer option (source LL for NS, target LL for NA)
  bool has_sender_mac = false;
  uint8_t sender_ip[16]{};  // ARP sender IP / IPv6 source address
  uint8_t target_ip[16]{};  // ARP target IP / ND target address
  uint8_t eth_src[6]{};
};

// Classifies a whole Ethernet frame (optional single VLAN tag tolerated).
// For ND: IPv6 next header 58, ICMPv6 type 135/136, code 0, hop limit 255, checksum valid,
// options well-formed (length 0 rejected).
NeighParse parse_neigh(const uint8_t* frame, uint32_t len) noexcept;

// Builds frames into `out` (at least 128 bytes); returns the frame length.
uint32_t build_arp_reply(uint8_t* out, const uint8_t our_mac[6], const uint8_t our_ip[4],
                         const uint8_t peer_mac[6], const uint8_t peer_ip[4]) noexcept;
uint32_t build_arp_request(uint8_t* out, const uint8_t our_mac[6], const uint8_t our_ip[4],
                           const uint8_t target_ip[4]) noexcept;  // broadcast
uint32_t build_gratuitous_arp(uint8_t* out, const uint8_t our_mac[6], const uint8_t our_ip[4]) noexcept;
// NA answering an NS (solicited, override flags set, target LL option = our_mac), to the
// solicitor's unicast address/MAC (or all-nodes if the NS came from ::).
uint32_t build_nd_advert(uint8_t* out, const uint8_t our_mac[6], const uint8_t our_ip[16],
                         const uint8_t peer_mac[6], const uint8_t peer_ip[16], bool solicited) noexcept;
// NS for `target` to its solicited-node multicast address (33:33:ff:xx:xx:xx), source LL option.
uint32_t build_nd_solicit(uint8_t* out, const uint8_t our_mac[6], const uint8_t our_ip[16],
                          const uint8_t target_ip[16]) noexcept;
// Unsolicited NA to all-nodes (ff02::1) announcing our_ip (the IPv6 counterpart of gratuitous ARP).
uint32_t build_unsolicited_na(uint8_t* out, const uint8_t our_mac[6], const uint8_t our_ip[16]) noexcept;

// ICMPv6 checksum over the IPv6 pseudo-header; `icmp` points at the ICMPv6 header.
uint16_t icmpv6_csum(const uint8_t src[16], const uint8_t dst[16], const uint8_t* icmp, uint32_t len) noexcept;

}  // namespace rtpgate::dp
