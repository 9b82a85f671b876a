// A new Ethernet / IPv4|IPv6 / UDP frame around a payload, sent on a flow's output (next-hop
// MAC, our port's MAC, the flow's source address and port) toward its current destination:
// what control's packets (ctl_tx.h) and forwarder copies (flow/forwarders.cc) leave as.
// Worker lcores only.
#pragma once
#include <rte_mbuf.h>

#include <cstring>

#include "lcore/lcore_ctx.h"
#include "lcore/srtp_stage.h"
#include "net/checksum.h"

namespace rtpgate::dp {

struct UdpFrame {
  rte_mbuf* m = nullptr;
  FrameLayout layout{};   // offsets for the SRTP stage
  uint8_t* src = nullptr; // IP source address; the destination follows it
  uint8_t* udp = nullptr; // UDP header; the payload follows it
  uint32_t udp_len = 0;
  uint32_t frame_len = 0;
};

enum class UdpFrameResult : uint8_t { Ok, NoMbuf, TooBig };

// Builds the frame from dp.pool; IPv4 header checksum set, UDP checksum field left 0
// (finish_udp_checksum, or the SRTP stage after protecting). `tc` = IP DSCP/TOS byte.
// The destination MAC is `nb`'s current one: a frame for a next hop that is not resolved
// yet is held (tx_or_hold) and gets its MAC when it is released.
inline UdpFrameResult build_udp_frame(DpContext& dp, const FlowAction& a, const Neighbour& nb, const FlowDst& to,
                                      uint8_t tc, const uint8_t* payload, uint32_t len, UdpFrame* f) noexcept {
  rte_mbuf* m = rte_pktmbuf_alloc(dp.pool);
  if (m == nullptr) [[unlikely]]
    return UdpFrameResult::NoMbuf;
  const uint32_t alen = a.alen, ip_len = alen == 4 ? 20 : 40, udp_len = 8u + len;
  auto* p = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(m, static_cast<uint16_t>(14 + ip_len + udp_len)));
  if (p == nullptr) [[unlikely]] {
    rte_pktmbuf_free(m);
    return UdpFrameResult::TooBig;
  }
  nb.mac(p);
  std::memcpy(p + 6, dp.port_mac[a.out_port_id], 6);
  uint8_t* ip = p + 14;
  uint8_t* udp = ip + ip_len;
  if (alen == 4) {
    p[12] = 0x08, p[13] = 0x00;
    const auto tot = static_cast<uint16_t>(ip_len + udp_len);
    const uint8_t h[12] = {0x45, tc, uint8_t(tot >> 8), uint8_t(tot), 0, 0, 0x40, 0, 64, 17, 0, 0};
    std::memcpy(ip, h, 12);
  } else {
    p[12] = 0x86, p[13] = 0xdd;
    const uint8_t h[8] = {uint8_t(0x60 | tc >> 4), uint8_t(tc << 4), 0, 0, uint8_t(udp_len >> 8), uint8_t(udp_len),
                          17, 64};
    std::memcpy(ip, h, 8);
  }
  uint8_t* src = ip + (alen == 4 ? 12 : 8);
  std::memcpy(src, a.out_src, alen);
  std::memcpy(src + alen, to.addr, alen);
  if (alen == 4) {
    const uint16_t c = ipv4_header_csum(ip, 20);
    ip[10] = uint8_t(c >> 8), ip[11] = uint8_t(c);
  }
  std::memcpy(udp, &a.out_src_port_be, 2);
  std::memcpy(udp + 2, &to.port_be, 2);
  udp[4] = uint8_t(udp_len >> 8), udp[5] = uint8_t(udp_len), udp[6] = 0, udp[7] = 0;
  std::memcpy(udp + 8, payload, len);
  f->m = m;
  f->layout = FrameLayout{14, static_cast<uint16_t>(14 + ip_len), static_cast<uint16_t>(14 + ip_len + 8),
                          static_cast<uint8_t>(alen == 4 ? 4 : 6)};
  f->src = src;
  f->udp = udp;
  f->udp_len = udp_len;
  f->frame_len = 14 + ip_len + udp_len;
  return UdpFrameResult::Ok;
}

// The UDP checksum of a frame sent as it is (not through the SRTP stage).
inline void finish_udp_checksum(const UdpFrame& f) noexcept {
  const int family = f.layout.family;
  const uint32_t alen = family == 4 ? 4 : 16;
  const uint16_t c = udp_full_csum(family, f.src, f.src + alen, f.udp, f.udp_len);
  f.udp[6] = uint8_t(c >> 8), f.udp[7] = uint8_t(c);
}

}  // namespace rtpgate::dp
