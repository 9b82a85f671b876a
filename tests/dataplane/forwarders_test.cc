// fwd_build (dataplane/flow/forwarders.cc): the forwarder fields of a flow's parameters as
// the command lcore turns them into its action (layout 1.3, shm/forwarder.h). Pure; runs in
// the EAL test binary because the header pulls DPDK types.
#include "flow/forwarders.h"

#include <gtest/gtest.h>

#include <cstring>

namespace rtpgate::dp {
namespace {

constexpr uint32_t kCap = 64;

rtpgate_shm_flow_params params(uint8_t action) {
  rtpgate_shm_flow_params p;
  std::memset(&p, 0, sizeof p);
  p.action = action;
  return p;
}

TEST(Forwarders, ZeroedFieldsMeanNoForwarder) {
  FlowAction a{};
  ASSERT_EQ(fwd_build(3, kCap, params(RTPGATE_ACT_TO_CTL), &a), Errc::Ok);
  EXPECT_EQ(a.fwd_rx, kNoFlow);
  EXPECT_EQ(a.fwd_tx, kNoFlow);
  EXPECT_EQ(a.fwd_next, kNoFlow);
  EXPECT_EQ(a.fwd_flags, 0);
}

TEST(Forwarders, MediaFlowNamesBothChainHeads) {
  rtpgate_shm_flow_params p = params(RTPGATE_ACT_TO_CTL);
  p.fwd.flags = RTPGATE_FWD_F_RX | RTPGATE_FWD_F_TX;
  p.fwd.rx_head = 10;
  p.fwd.tx_head = 0;  // flow 0 is a valid flow id: the flag decides
  FlowAction a{};
  ASSERT_EQ(fwd_build(3, kCap, p, &a), Errc::Ok);
  EXPECT_EQ(a.fwd_rx, 10u);
  EXPECT_EQ(a.fwd_tx, 0u);
  EXPECT_EQ(a.fwd_next, kNoFlow);
}

TEST(Forwarders, ForwarderKeepsItsLinkAndRewrites) {
  rtpgate_shm_flow_params p = params(RTPGATE_ACT_FORWARD);
  p.fwd.flags = RTPGATE_FWD_F_NEXT | RTPGATE_FWD_F_SSRC | RTPGATE_FWD_F_PT;
  p.fwd.next = 11;
  p.fwd.ssrc = 0xdeadbeef;
  p.fwd.pt = 99;
  FlowAction a{};
  ASSERT_EQ(fwd_build(10, kCap, p, &a), Errc::Ok);
  EXPECT_EQ(a.fwd_next, 11u);
  EXPECT_EQ(a.fwd_ssrc, 0xdeadbeefu);
  EXPECT_EQ(a.fwd_pt, 99);
  EXPECT_EQ(a.fwd_flags, RTPGATE_FWD_F_SSRC | RTPGATE_FWD_F_PT);
}

TEST(Forwarders, LinksOutsideTheTableOrToItselfAreRefused) {
  for (uint8_t flag : {RTPGATE_FWD_F_RX, RTPGATE_FWD_F_TX, RTPGATE_FWD_F_NEXT}) {
    rtpgate_shm_flow_params p = params(RTPGATE_ACT_FORWARD);
    p.fwd.flags = flag;
    p.fwd.rx_head = p.fwd.tx_head = p.fwd.next = kCap;
    FlowAction a{};
    EXPECT_EQ(fwd_build(5, kCap, p, &a), Errc::BadParam) << int(flag);
    p.fwd.rx_head = p.fwd.tx_head = p.fwd.next = 5;
    EXPECT_EQ(fwd_build(5, kCap, p, &a), Errc::BadParam) << int(flag);
  }
}

TEST(Forwarders, PayloadTypeAbove127IsRefused) {
  rtpgate_shm_flow_params p = params(RTPGATE_ACT_FORWARD);
  p.fwd.flags = RTPGATE_FWD_F_PT;
  p.fwd.pt = 128;
  FlowAction a{};
  EXPECT_EQ(fwd_build(5, kCap, p, &a), Errc::BadParam);
}

// Only a flow with an output (FORWARD) can be a forwarder.
TEST(Forwarders, ForwarderFieldsNeedTheForwardAction) {
  for (uint8_t flag : {RTPGATE_FWD_F_NEXT, RTPGATE_FWD_F_SSRC, RTPGATE_FWD_F_PT}) {
    rtpgate_shm_flow_params p = params(RTPGATE_ACT_TO_CTL);
    p.fwd.flags = flag;
    p.fwd.next = 7;
    FlowAction a{};
    EXPECT_EQ(fwd_build(5, kCap, p, &a), Errc::BadParam) << int(flag);
  }
}

}  // namespace
}  // namespace rtpgate::dp
