// Packets toward a next hop that is not resolved yet wait for ARP instead of being lost:
// relayed media, control's packets (the browser's media on its way to the SIP peer) and
// rtp_forward copies are held, the exception thread probes, and once the peer answers they
// leave in the order they were sent, addressed to the learnt MAC. A Runtime on a net_ring
// port (dp_test_env.h) with its own exception thread started on the runtime's context (the
// test drives worker 0: process_burst, drain_ctl_rings, drain_kernel_tx). The EAL is
// started by main() in flow_table_test.cc.
#include <gtest/gtest.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ring.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "dp_test_env.h"
#include "exception/exc_worker.h"
#include "exception/exception_thread.h"
#include "net/neigh_proto.h"

namespace rtpgate::dp {
namespace {

namespace test = rtpgate::dp::test;
using test::Bytes;

constexpr uint8_t kLocal[4] = {10, 97, 0, 1};
constexpr uint8_t kPeer[4] = {10, 97, 0, 2};      // static neighbour (base_config)
constexpr uint8_t kNewPeer[4] = {10, 97, 0, 3};   // learnt by ARP during the test
constexpr uint8_t kNewPeerMac[6] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x03};
constexpr char kVdev[] = "net_ring_nbrhold0";

test::DpEnv* g = nullptr;
std::string g_setup_error;

DpContext& dp() { return g->rt.dp(); }
LcoreCtx& lc() { return g->rt.lcore(0); }
uint64_t ctr(int id) { return lc().ctr[id]; }

struct Flow {
  uint32_t id;
  uint16_t port;
};

Flow add_flow(rtpgate_shm_flow_params p) {
  Flow f{g->cc->alloc_flow().value(), g->next_port++};
  EXPECT_TRUE(g->cc->claim_port(0, f.port));
  p.local_port = p.out_src_port = f.port;
  g->cc->write_params(f.id, p);
  EXPECT_EQ(test::finish(*g, g->cc->submit(RTPGATE_CMD_FLOW_INSTALL, f.id)), Errc::Ok);
  return f;
}
rtpgate_shm_flow_params to_new_peer(uint8_t action, uint16_t dst_port) {
  rtpgate_shm_flow_params p = test::flow_params(*g, action, 0, dst_port);
  p.out_dst = test::addr4(kNewPeer);
  return p;
}

std::vector<Bytes> rtp_run(uint16_t seq0, uint32_t n, uint32_t ssrc) {
  std::vector<Bytes> v;
  for (uint32_t i = 0; i < n; i++) v.push_back(test::make_rtp(static_cast<uint16_t>(seq0 + i), ssrc));
  return v;
}

// What left on the port: per destination UDP port, the RTP sequence numbers in order of
// arrival; every frame's destination MAC must be `mac`.
using Sent = std::map<uint16_t, std::vector<uint16_t>>;
void collect(Sent* out, const uint8_t mac[6]) {
  test::for_each_tx_ipv4(*g, [&](const uint8_t* p, const ParsedPkt& pp) {
    EXPECT_EQ(std::memcmp(p, mac, 6), 0) << "a frame left without the next hop's MAC";
    const uint8_t* rtp = p + pp.payload_off;
    (*out)[uint16_t(p[pp.l4_off + 2] << 8 | p[pp.l4_off + 3])].push_back(uint16_t(rtp[2] << 8 | rtp[3]));
  });
}

// The peer's ARP reply to our media address, received by worker 0.
void answer_arp() {
  uint8_t frame[128];
  const uint32_t len = build_arp_reply(frame, kNewPeerMac, kNewPeer, dp().port_mac[g->port], kLocal);
  rte_mbuf* m = rte_pktmbuf_alloc(g->pool);
  ASSERT_NE(m, nullptr);
  std::memcpy(rte_pktmbuf_append(m, static_cast<uint16_t>(len)), frame, len);
  m->port = g->port;
  process_burst(dp(), lc(), &m, 1, rte_rdtsc());
}

class NeighbourHoldDp : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    auto env = std::make_unique<test::DpEnv>();
    if (!test::open_vdev(*env, kVdev, "neighbour_hold_eal_test", kLocal, kPeer, &g_setup_error)) return;
    Config c = test::base_config(*env, "/rtpgate-nbrhold-" + std::to_string(getpid()), env->port);
    c.flow_capacity = 16;
    c.srtp_capacity = 0;
    c.mbufs = 1023;
    c.mbuf_cache = 0;  // exact pool counts
    c.resolve_queue = 256;
    c.resolve_hold_ms = 5000;
    g_setup_error = test::start_env(*env, c, "nbrhold_in", 511);
    if (!g_setup_error.empty()) return;
    g = env.release();
  }
  static void TearDownTestSuite() { test::end_suite(g, kVdev); }

 protected:
  void SetUp() override {
    if (!g_setup_error.empty()) FAIL() << g_setup_error;
    if (g == nullptr) GTEST_SKIP() << "no EAL or no net_ring vdev";
  }
};

TEST_F(NeighbourHoldDp, PacketsForAPeerStillResolvingWaitAndLeaveInOrder) {
  // Flows toward a peer the data plane has never heard from: a SIP-side flow sending the
  // browser's media from control (a TO_CTL flow sends what control gives it), with an
  // rtp_forward of that media to the same peer (its tx chain), and a relayed flow.
  rtpgate_shm_flow_params wp = to_new_peer(RTPGATE_ACT_FORWARD, 31402);
  wp.direction = RTPGATE_DIR_INACTIVE;
  const Flow fwd = add_flow(wp);
  rtpgate_shm_flow_params cp = to_new_peer(RTPGATE_ACT_TO_CTL, 31400);
  cp.fwd.flags = RTPGATE_FWD_F_TX;
  cp.fwd.tx_head = fwd.id;
  const Flow ctl = add_flow(cp);
  const Flow relay = add_flow(to_new_peer(RTPGATE_ACT_FORWARD, 31401));
  const uint16_t nb = dp().nbrs.find(4, kNewPeer);
  ASSERT_NE(nb, NeighbourTable::kNone);
  ASSERT_FALSE(dp().nbrs.at(nb).resolved);

  rtpgate_shm_lcore_stats exc_stats{};
  ExceptionThread exc(dp(), &exc_stats);
  ASSERT_TRUE(exc.start());
  const uint64_t held0 = ctr(RTPGATE_CTR_nbr_held), nonbr0 = ctr(RTPGATE_CTR_drop_no_neighbour);
  const uint64_t full0 = ctr(RTPGATE_CTR_drop_hold_full);
  constexpr uint32_t kN = 20;
  test::send_from_control(*g, ctl.id, rtp_run(100, kN, 0xc0c0c0c0), false);
  test::inject(*g, relay.port, rtp_run(500, kN, 0x5eed5eed));
  EXPECT_EQ(ctr(RTPGATE_CTR_nbr_held) - held0, 3 * kN) << "control's packets, relayed packets and copies held";
  EXPECT_EQ(ctr(RTPGATE_CTR_drop_no_neighbour), nonbr0);
  EXPECT_EQ(ctr(RTPGATE_CTR_drop_hold_full), full0);

  // The exception thread takes them and probes the next hop; nothing is sent meanwhile.
  Sent sent;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (exc_stats.ctr[RTPGATE_CTR_nbr_probes] == 0 && std::chrono::steady_clock::now() < deadline) {
    drain_kernel_tx(dp(), lc(), 64);  // the probe (an ARP request) and start-up announcements
    flush_all(lc(), dp());
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_GE(exc_stats.ctr[RTPGATE_CTR_nbr_probes], 1u) << "the unresolved next hop was probed";
  collect(&sent, kNewPeerMac);
  EXPECT_TRUE(sent.empty()) << "packets left before the next hop resolved";

  // The peer answers: everything held leaves, to its MAC, each stream in sequence.
  answer_arp();
  EXPECT_TRUE(dp().nbrs.at(nb).resolved);
  size_t got = 0;
  while (got < 3 * kN && std::chrono::steady_clock::now() < deadline + std::chrono::seconds(5)) {
    drain_kernel_tx(dp(), lc(), 64);
    flush_all(lc(), dp());
    collect(&sent, kNewPeerMac);
    got = sent[31400].size() + sent[31401].size() + sent[31402].size();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(exc_stats.ctr[RTPGATE_CTR_nbr_released], 3 * kN);
  EXPECT_EQ(exc_stats.ctr[RTPGATE_CTR_drop_hold_timeout], 0u);
  std::vector<uint16_t> from_ctl, relayed;
  for (uint32_t i = 0; i < kN; i++) from_ctl.push_back(static_cast<uint16_t>(100 + i));
  for (uint32_t i = 0; i < kN; i++) relayed.push_back(static_cast<uint16_t>(500 + i));
  EXPECT_EQ(sent[31400], from_ctl) << "control's packets, in order";
  EXPECT_EQ(sent[31401], relayed) << "relayed packets, in order";
  EXPECT_EQ(sent[31402], from_ctl) << "forwarder copies, in order";

  // Resolved now: the next packets go straight out.
  const uint64_t held1 = ctr(RTPGATE_CTR_nbr_held);
  sent.clear();
  test::send_from_control(*g, ctl.id, rtp_run(200, 3, 0xc0c0c0c0), false);
  collect(&sent, kNewPeerMac);
  EXPECT_EQ(sent[31400].size(), 3u);
  EXPECT_EQ(sent[31402].size(), 3u);
  EXPECT_EQ(ctr(RTPGATE_CTR_nbr_held), held1);

  dp().stop.store(true);  // ends the exception thread's loop (nothing else of the runtime runs)
  exc.stop();
  dp().stop.store(false);
  test::remove_flow(*g, relay.id, relay.port);
  test::remove_flow(*g, fwd.id, fwd.port);
  test::remove_flow(*g, ctl.id, ctl.port);
  EXPECT_EQ(rte_ring_count(dp().hold_ring), 0u);
  EXPECT_EQ(rte_mempool_avail_count(dp().pool), dp().pool->size) << "every buffer back";
}

}  // namespace
}  // namespace rtpgate::dp
