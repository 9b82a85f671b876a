// The forwarding rewrite (dataplane/lcore/packet_handler.h rewrite_headers, with the RTP
// switching context): after addresses, ports, TTL, DSCP and RTP fields change, the IPv4
// header checksum and the UDP checksum must equal a full recomputation. Runs in the EAL
// test binary (DpContext holds DPDK types).
#include <gtest/gtest.h>

#include <memory>
#include <random>

#include "frame_builder.h"
#include "lcore/packet_handler.h"

namespace rtpgate::dp {
namespace {

struct RewriteCase {
  int family;
  bool dscp;
  bool rtp_rewrite;
  bool zero_udp_csum;  // IPv4 "no checksum": must stay 0
};

class PacketRewriteTest : public ::testing::TestWithParam<RewriteCase> {};

uint16_t rd16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }

TEST_P(PacketRewriteTest, ChecksumsEqualAFullRecomputation) {
  const RewriteCase c = GetParam();
  auto dp = std::make_unique<DpContext>();
  const uint8_t mac[6] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
  rtpgate_shm_addr hop{};
  hop.family = static_cast<uint8_t>(c.family);
  hop.addr[0] = 1;
  const uint16_t nbr = dp->nbrs.find_or_add(hop, 0);
  dp->nbrs.set_mac(nbr, mac, 1);
  std::mt19937 rng(c.family * 8 + c.dscp * 4 + c.rtp_rewrite * 2 + c.zero_udp_csum);
  for (int iter = 0; iter < 500; iter++) {
    test::FrameSpec s = c.family == 4 ? test::FrameSpec{} : test::v6_spec();
    s.payload.assign(12 + 160, 0);
    for (auto& b : s.payload) b = uint8_t(rng());
    s.payload[0] = 0x80;
    auto f = test::build_frame(s);
    const size_t l3 = test::l3_offset(s), l4 = test::l4_offset(s);
    const int alen = c.family == 4 ? 4 : 16;
    uint8_t* ip = f.data() + l3;
    uint8_t* udp = f.data() + l4;
    if (c.family == 4) {
      ip[1] = uint8_t(rng());  // some TOS/ECN to preserve
      const uint16_t hc = ipv4_header_csum(ip, 20);
      ip[10] = uint8_t(hc >> 8), ip[11] = uint8_t(hc);
    }
    const uint8_t* src_in = ip + (c.family == 4 ? 12 : 8);
    uint16_t uc = c.zero_udp_csum ? 0 : udp_full_csum(c.family, src_in, src_in + alen, udp, rd16(udp + 4));
    udp[6] = uint8_t(uc >> 8), udp[7] = uint8_t(uc);

    ParsedPkt pp{};
    ASSERT_EQ(parse_frame(f.data(), static_cast<uint32_t>(f.size()), &pp), ParseStatus::Ok);
    FlowAction a{};
    a.alen = static_cast<uint8_t>(alen);
    a.family = static_cast<uint8_t>(c.family);
    a.nbr_idx = nbr;
    a.out_port_id = 0;
    a.flags = c.dscp ? RTPGATE_FLOW_F_DSCP : 0;
    a.dscp = uint8_t(rng() % 64);
    a.out_src_port_be = uint16_t(rng());
    for (int i = 0; i < alen; i++) a.out_src[i] = uint8_t(rng());
    FlowDyn d{};
    uint8_t dst[16];
    for (auto& b : dst) b = uint8_t(rng());
    write_dst(d, dst, uint16_t(rng()));
    uint64_t old_sum = 0, new_sum = 0;
    uint8_t* rtp = f.data() + pp.payload_off;
    if (c.rtp_rewrite) {
      d.rw.started = 1;
      d.rw.in_ssrc = rng();  // force a source change: every field moves
      d.rw.out_ssrc = rng() | 1;
      d.rw.last_out_seq = uint16_t(rng());
      d.rw.last_out_ts = rng();
      old_sum = csum_native(rtp + 2, 10);
      EXPECT_TRUE(rtp_rewrite(d.rw, rtp, 160, &new_sum));
    }
    const uint8_t tos_before = ip[1];
    rewrite_headers(*dp, f.data(), pp, a, d, old_sum, new_sum);

    EXPECT_EQ(std::memcmp(f.data(), mac, 6), 0);
    const uint8_t* s2 = ip + (c.family == 4 ? 12 : 8);
    EXPECT_EQ(std::memcmp(s2, a.out_src, alen), 0);
    EXPECT_EQ(std::memcmp(s2 + alen, dst, alen), 0);
    EXPECT_EQ(rd16(udp + 6) == 0, c.zero_udp_csum);
    if (!c.zero_udp_csum) {
      EXPECT_EQ(rd16(udp + 6), udp_full_csum(c.family, s2, s2 + alen, udp, rd16(udp + 4))) << "iteration " << iter;
    }
    if (c.family == 4) {
      EXPECT_EQ(ip[8], 64);
      EXPECT_EQ(rd16(ip + 10), ipv4_header_csum(ip, 20)) << "iteration " << iter;
      EXPECT_EQ(ip[1], c.dscp ? uint8_t(a.dscp << 2 | (tos_before & 3)) : tos_before);
    } else {
      EXPECT_EQ(ip[7], 64);
      if (c.dscp) {
        EXPECT_EQ(uint8_t((ip[0] & 0x0f) << 4 | ip[1] >> 4) >> 2, a.dscp);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllVariants, PacketRewriteTest,
    ::testing::Values(RewriteCase{4, false, false, false}, RewriteCase{4, true, false, false},
                      RewriteCase{4, false, true, false}, RewriteCase{4, true, true, false},
                      RewriteCase{4, true, true, true}, RewriteCase{6, false, false, false},
                      RewriteCase{6, true, true, false}),
    [](const auto& info) {
      const RewriteCase& c = info.param;
      return std::string(c.family == 4 ? "IPv4" : "IPv6") + (c.dscp ? "Dscp" : "") + (c.rtp_rewrite ? "Rtp" : "") +
             (c.zero_udp_csum ? "NoUdpCsum" : "");
    });

}  // namespace
}  // namespace rtpgate::dp
