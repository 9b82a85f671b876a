// libFuzzer target: parse_neigh on arbitrary frames; answers ARP requests and NSes with
// the matching builder (into a 128-byte buffer) and checks the answer parses back.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "net/neigh_proto.h"

namespace {

using namespace rtpgate::dp;

constexpr uint8_t kOurMac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x10};

void check(bool ok) {
  if (!ok) __builtin_trap();
}

void check_result(const NeighParse& p) {
  switch (p.msg) {
    case NeighMsg::None:
      check(!p.has_sender_mac);
      check(!p.malformed || p.family == 4 || p.family == 6);
      break;
    case NeighMsg::ArpRequest:
    case NeighMsg::ArpReply:
      check(!p.malformed && p.family == 4 && p.has_sender_mac);
      break;
    case NeighMsg::NdSolicit:
    case NeighMsg::NdAdvert:
      check(!p.malformed && p.family == 6 && p.target_ip[0] != 0xff && p.sender_ip[0] != 0xff);
      break;
  }
}

void answer_arp(const NeighParse& req) {
  uint8_t out[128];
  const uint32_t n = build_arp_reply(out, kOurMac, req.target_ip, req.sender_mac, req.sender_ip);
  check(n <= sizeof out);
  const NeighParse r = parse_neigh(out, n);
  check(r.msg == NeighMsg::ArpReply && std::memcmp(r.sender_mac, kOurMac, 6) == 0 &&
        std::memcmp(r.sender_ip, req.target_ip, 4) == 0 && std::memcmp(r.target_ip, req.sender_ip, 4) == 0 &&
        std::memcmp(out, req.sender_mac, 6) == 0);
  // Our own request and announcement for the address asked about.
  const uint32_t m = build_arp_request(out, kOurMac, req.target_ip, req.sender_ip);
  check(m <= sizeof out && parse_neigh(out, m).msg == NeighMsg::ArpRequest);
  const uint32_t g = build_gratuitous_arp(out, kOurMac, req.target_ip);
  check(g <= sizeof out && parse_neigh(out, g).msg == NeighMsg::ArpReply);
}

void answer_ns(const NeighParse& ns) {
  uint8_t out[128];
  const uint8_t* peer_mac = ns.has_sender_mac ? ns.sender_mac : ns.eth_src;
  const uint32_t n = build_nd_advert(out, kOurMac, ns.target_ip, peer_mac, ns.sender_ip, true);
  check(n <= sizeof out);
  const NeighParse r = parse_neigh(out, n);
  check(r.msg == NeighMsg::NdAdvert && r.has_sender_mac && std::memcmp(r.sender_mac, kOurMac, 6) == 0 &&
        std::memcmp(r.target_ip, ns.target_ip, 16) == 0 && std::memcmp(r.sender_ip, ns.target_ip, 16) == 0);
  // Our own solicitation of the solicitor, and an announcement of the target.
  const uint32_t m = build_nd_solicit(out, kOurMac, ns.target_ip, ns.sender_ip);
  check(m <= sizeof out && parse_neigh(out, m).msg == NeighMsg::NdSolicit);
  const uint32_t u = build_unsolicited_na(out, kOurMac, ns.target_ip);
  check(u <= sizeof out && parse_neigh(out, u).msg == NeighMsg::NdAdvert);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 65535) return 0;  // larger than any mbuf
  const NeighParse p = parse_neigh(data, static_cast<uint32_t>(size));
  check_result(p);
  if (p.msg == NeighMsg::ArpRequest) answer_arp(p);
  if (p.msg == NeighMsg::NdSolicit) answer_ns(p);
  return 0;
}
