// Resource exhaustion in the data plane (issue 10): flow table full, packet pool empty,
// recording buffers empty, TX queue full. Each gives a clear error or a counted drop, never a
// crash; established flows keep forwarding; every mbuf comes back. A Runtime on a net_ring
// port (its TX ring, 1023 frames, is what the test drains as RX), commands through the real
// command ring, packets through process_burst / drain_ctl_rings (dp_test_env.h). The EAL is
// started by main() in flow_table_test.cc.
#include <gtest/gtest.h>
#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dp_test_env.h"
#include "rtcp/pli_inject.h"

namespace rtpgate::dp {
namespace {

namespace test = rtpgate::dp::test;
using test::Bytes;

constexpr uint8_t kLocal[4] = {10, 96, 0, 1};
constexpr uint8_t kPeer[4] = {10, 96, 0, 2};
constexpr char kVdev[] = "net_ring_exhaust0";
constexpr uint32_t kFlows = 8;        // flow_capacity
constexpr uint32_t kTestMbufs = 2047;  // the pool injected frames come from

struct Env : test::DpEnv {
  uint64_t raw_seq = 1ull << 48;  // commands pushed without the client
  uint64_t rec_clock = 0;         // what Recorder::poll is told
};
Env* g = nullptr;
std::string g_setup_error;

DpContext& dp() { return g->rt.dp(); }
LcoreCtx& lc() { return g->rt.lcore(0); }
uint64_t ctr(int id) { return lc().ctr[id]; }
Errc finish(Result<uint64_t> seq) { return test::finish(*g, seq); }

uint32_t popcount(const uint64_t* w, uint64_t n) {
  uint32_t c = 0;
  for (uint64_t i = 0; i < n; i++) c += static_cast<uint32_t>(__builtin_popcountll(w[i]));
  return c;
}
uint32_t flows_allocated() { return popcount(dp().region.flow_bitmap(), (kFlows + 63) / 64); }
uint32_t ports_allocated() {
  return popcount(dp().region.port_bitmap(0), dp().region.hdr()->port_bitmap_words_per_addr);
}

struct Flow {
  uint32_t id;
  uint16_t port;
  rtpgate_shm_flow_params p;
};

Flow add_flow(uint8_t action, uint16_t dst_port, uint32_t rec = RTPGATE_REC_NONE) {
  Flow f{};
  f.id = g->cc->alloc_flow().value();
  f.port = g->next_port++;
  EXPECT_TRUE(g->cc->claim_port(0, f.port));
  f.p = test::flow_params(*g, action, f.port, dst_port);
  f.p.record_slot = rec;
  g->cc->write_params(f.id, f.p);
  EXPECT_EQ(finish(g->cc->submit(RTPGATE_CMD_FLOW_INSTALL, f.id)), Errc::Ok);
  return f;
}
void remove_flow(const Flow& f) { test::remove_flow(*g, f.id, f.port); }

std::vector<Bytes> rtp_run(uint16_t seq0, uint32_t n) {
  std::vector<Bytes> v;
  for (uint32_t i = 0; i < n; i++) v.push_back(test::make_rtp(static_cast<uint16_t>(seq0 + i), 0x5eed0000u + seq0));
  return v;
}

// Drains what the worker transmitted; returns how many frames went to each UDP port.
std::map<uint16_t, uint32_t> collect_tx() {
  std::map<uint16_t, uint32_t> n;
  test::for_each_tx_ipv4(*g, [&](const uint8_t* p, const ParsedPkt& pp) {
    n[uint16_t(p[pp.l4_off + 2] << 8 | p[pp.l4_off + 3])]++;
  });
  return n;
}

uint32_t collect_ctl() {
  uint32_t n = 0;
  auto ring = dp().region.pkt_ring_to_ctl(0);
  rtpgate_shm_pkt_slot s;
  while (ring.pop(s)) n++;
  return n;
}

// Takes every buffer left in `pool` (released by the destructor).
class PoolDrain {
 public:
  explicit PoolDrain(rte_mempool* pool) {
    while (rte_mbuf* m = rte_pktmbuf_alloc(pool)) held_.push_back(m);
  }
  ~PoolDrain() { release(); }
  PoolDrain(const PoolDrain&) = delete;
  PoolDrain& operator=(const PoolDrain&) = delete;
  size_t size() const { return held_.size(); }
  void release() {
    for (rte_mbuf* m : held_) rte_pktmbuf_free(m);
    held_.clear();
  }

 private:
  std::vector<rte_mbuf*> held_;
};

bool pool_full(rte_mempool* p) { return rte_mempool_avail_count(p) == p->size; }

class ExhaustionDp : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    auto env = std::make_unique<Env>();
    if (!test::open_vdev(*env, kVdev, "exhaustion_eal_test", kLocal, kPeer, &g_setup_error)) return;
    Config c = test::base_config(*env, "/rtpgate-exhaust-" + std::to_string(getpid()), env->port);
    c.flow_capacity = kFlows;
    c.srtp_capacity = 0;
    c.mbufs = 1023;
    c.mbuf_cache = 0;  // exact pool counts
    c.rec_capacity = 4;
    c.rec_threads = 1;
    c.rec_ring = 64;
    c.rec_mbufs = 255;
    c.rec_buffer_kb = 4;
    c.rec_flush_ms = 10;
    g_setup_error = test::start_env(*env, c, "exhaust_in", kTestMbufs);
    if (!g_setup_error.empty()) return;
    env->rec_clock = shm::monotonic_ns();
    g = env.release();
  }
  static void TearDownTestSuite() { test::end_suite(g, kVdev); }

 protected:
  void SetUp() override {
    if (!g_setup_error.empty()) FAIL() << g_setup_error;
    if (g == nullptr) GTEST_SKIP() << "no EAL or no net_ring vdev";
    collect_tx();
    collect_ctl();
  }
  // Nothing leaks: no flow, slot or port left, every buffer back in its pool.
  void TearDown() override {
    if (g == nullptr) return;
    collect_tx();
    collect_ctl();
    EXPECT_EQ(dp().table.installed(), 0u);
    EXPECT_EQ(flows_allocated(), 0u);
    EXPECT_EQ(ports_allocated(), 0u);
    EXPECT_TRUE(pool_full(dp().pool)) << rte_mempool_avail_count(dp().pool) << " of " << dp().pool->size;
    EXPECT_TRUE(pool_full(dp().rec.pool)) << rte_mempool_avail_count(dp().rec.pool);
    EXPECT_TRUE(pool_full(g->pool)) << rte_mempool_avail_count(g->pool) << " of " << g->pool->size;
  }
};

// Control allocates flow slots: once all `flow_capacity` are taken the next add fails with
// TableFull before any command is sent; a controller that ignores the bitmap gets BadParam
// (counted in cmds_failed). Established flows keep forwarding throughout; a freed slot is
// usable again.
TEST_F(ExhaustionDp, FullFlowTableRefusesNewFlowsAndKeepsForwardingTheOthers) {
  std::vector<Flow> flows;
  for (uint32_t i = 0; i < kFlows; i++) flows.push_back(add_flow(RTPGATE_ACT_FORWARD, uint16_t(31000 + i)));
  EXPECT_EQ(dp().table.installed(), kFlows);
  EXPECT_EQ(flows_allocated(), kFlows);
  const auto extra = g->cc->alloc_flow();
  ASSERT_FALSE(extra);
  EXPECT_EQ(extra.error(), Errc::TableFull);
  EXPECT_EQ(flows_allocated(), kFlows);

  const uint64_t failed0 = ctr(RTPGATE_CTR_cmds_failed);
  rtpgate_shm_cmd c{};
  c.seq = ++g->raw_seq;
  c.op = RTPGATE_CMD_FLOW_INSTALL;
  c.flow_id = kFlows;  // one past the table
  ASSERT_TRUE(g->cc->region().cmd_ring().push(c));
  EXPECT_EQ(test::finish_seq(*g, c.seq), Errc::BadParam);
  EXPECT_EQ(ctr(RTPGATE_CTR_cmds_failed) - failed0, 1u);
  EXPECT_EQ(dp().table.installed(), kFlows);

  const uint64_t fwd0 = ctr(RTPGATE_CTR_fwd_rtp);
  for (const Flow& f : flows) test::inject(*g, f.port, rtp_run(1, 10));
  const auto tx = collect_tx();
  for (uint32_t i = 0; i < kFlows; i++) EXPECT_EQ(tx.count(uint16_t(31000 + i)) ? tx.at(uint16_t(31000 + i)) : 0, 10u);
  EXPECT_EQ(ctr(RTPGATE_CTR_fwd_rtp) - fwd0, 10u * kFlows);

  remove_flow(flows[3]);
  flows[3] = add_flow(RTPGATE_ACT_FORWARD, 31100);
  test::inject(*g, flows[3].port, rtp_run(100, 5));
  EXPECT_EQ(collect_tx()[31100], 5u);
  for (const Flow& f : flows) remove_flow(f);
}

// The action pool behind the table holds `flow_capacity` + kActionSlack entries; old actions
// wait for a grace period. A worker that never reports quiescent (wedged) makes the command
// lcore stop taking commands once kActionSlack (its kMaxDeferred) wait (back-pressure: control sees a timeout)
// instead of running out of actions; forwarding goes on, and everything resumes once it
// reports.
TEST_F(ExhaustionDp, AWedgedReaderStallsCommandsWithoutExhaustingActions) {
  const Flow f = add_flow(RTPGATE_ACT_FORWARD, 31200);
  Flow m = add_flow(RTPGATE_ACT_FORWARD, 31201);
  uint64_t stalled_seq = 0;
  {
    test::QsbrReader reader(dp().qsbr);
    uint32_t applied = 0;
    for (;;) {
      m.p.out_dst_port = uint16_t(31201 + (applied & 1));
      g->cc->write_params(m.id, m.p);
      auto seq = g->cc->submit(RTPGATE_CMD_FLOW_MODIFY, m.id);
      ASSERT_TRUE(seq);
      const Errc e = test::finish_seq(*g, seq.value());
      if (e == Errc::Timeout) {
        stalled_seq = seq.value();
        break;
      }
      ASSERT_EQ(e, Errc::Ok) << "after " << applied << " modifies";
      applied++;
      ASSERT_LE(applied, FlowTable::kActionSlack);
    }
    EXPECT_EQ(applied, FlowTable::kActionSlack);
    test::inject(*g, f.port, rtp_run(1, 10));
    EXPECT_EQ(collect_tx()[31200], 10u);
    reader.report_quiescent();
    EXPECT_EQ(test::finish_seq(*g, stalled_seq), Errc::Ok);
  }
  test::inject(*g, m.port, rtp_run(1, 3));
  EXPECT_EQ(collect_tx()[m.p.out_dst_port], 3u);
  remove_flow(f);
  remove_flow(m);
}

// The packet pool empty: what the data plane builds (control's packets, PLIs) is dropped and
// counted (drop_no_mbuf, drop_pli); received packets are forwarded in their own buffers and
// keep flowing; once buffers come back, control's packets flow again.
TEST_F(ExhaustionDp, EmptyPacketPoolDropsBuiltPacketsCountedAndKeepsForwarding) {
  const Flow fwd = add_flow(RTPGATE_ACT_FORWARD, 31300);
  const Flow ctl = add_flow(RTPGATE_ACT_TO_CTL, 31301);
  const uint64_t nombuf0 = ctr(RTPGATE_CTR_drop_no_mbuf), ctl_tx0 = ctr(RTPGATE_CTR_ctl_tx_pkts),
                 pli0 = ctr(RTPGATE_CTR_drop_pli), fwd0 = ctr(RTPGATE_CTR_fwd_rtp);
  {
    PoolDrain drain(dp().pool);
    EXPECT_EQ(drain.size(), dp().pool->size);
    test::send_from_control(*g, ctl.id, rtp_run(1, 5), false);
    EXPECT_EQ(ctr(RTPGATE_CTR_drop_no_mbuf) - nombuf0, 5u);
    EXPECT_EQ(ctr(RTPGATE_CTR_ctl_tx_pkts) - ctl_tx0, 0u);
    SrtpOutBurst ob;
    const FlowAction& a = dp().table.actions()[dp().table.action_of(ctl.id)];
    EXPECT_FALSE(inject_pli(dp(), lc(), a, dp().table.dyn(ctl.id), 0x01020304, true, rte_rdtsc(), &ob));
    EXPECT_EQ(ctr(RTPGATE_CTR_drop_pli) - pli0, 1u);
    EXPECT_EQ(ctr(RTPGATE_CTR_drop_no_mbuf) - nombuf0, 6u);
    test::inject(*g, fwd.port, rtp_run(1, 20));
    const auto tx = collect_tx();
    EXPECT_EQ(tx.count(31301), 0u);
    EXPECT_EQ(tx.count(31300) ? tx.at(31300) : 0, 20u);
    EXPECT_EQ(ctr(RTPGATE_CTR_fwd_rtp) - fwd0, 20u);
  }
  EXPECT_TRUE(pool_full(dp().pool));
  test::send_from_control(*g, ctl.id, rtp_run(10, 5), false);
  EXPECT_EQ(ctr(RTPGATE_CTR_ctl_tx_pkts) - ctl_tx0, 5u);
  EXPECT_EQ(collect_tx()[31301], 5u);
  EXPECT_EQ(ctr(RTPGATE_CTR_drop_no_mbuf) - nombuf0, 6u);
  remove_flow(fwd);
  remove_flow(ctl);
}

// The recording buffers empty: copies are lost (drop_rec_copy, the flow's rec_lost_rx), the
// recorded flow forwards every packet; copies resume once buffers are back (after the 50 us
// back-off).
TEST_F(ExhaustionDp, EmptyRecordingPoolLosesCopiesNotPackets) {
  const uint32_t e = g->cc->alloc_rec().value();
  rtpgate_shm_rec_entry re{};
  re.medium = RTPGATE_REC_AUDIO;
  std::snprintf(re.codec, sizeof re.codec, "pcmu");
  std::snprintf(re.path, sizeof re.path, "%s", (g->dir / "rec.mjr").c_str());
  g->cc->write_rec(e, re);
  ASSERT_EQ(finish(g->cc->submit_rec(RTPGATE_CMD_REC_START, e)), Errc::Ok);
  g->rt.recorder(0).poll(g->rec_clock += 1000000000ull);
  const Flow f = add_flow(RTPGATE_ACT_FORWARD, 31400, e);
  const uint64_t lost0 = ctr(RTPGATE_CTR_drop_rec_copy), copies0 = ctr(RTPGATE_CTR_rec_copies);
  {
    PoolDrain drain(dp().rec.pool);
    test::inject(*g, f.port, rtp_run(1, 10));
    EXPECT_EQ(collect_tx()[31400], 10u);
    EXPECT_EQ(ctr(RTPGATE_CTR_drop_rec_copy) - lost0, 10u);
    EXPECT_EQ(dp().table.dyn(f.id).c.rec_lost_rx, 10u);
    EXPECT_EQ(ctr(RTPGATE_CTR_rec_copies) - copies0, 0u);
  }
  rte_delay_us_block(200);  // past the back-off (rec_shed_tsc)
  test::inject(*g, f.port, rtp_run(20, 10));
  EXPECT_EQ(collect_tx()[31400], 10u);
  EXPECT_EQ(ctr(RTPGATE_CTR_rec_copies) - copies0, 10u);
  remove_flow(f);
  ASSERT_EQ(finish(g->cc->submit_rec(RTPGATE_CMD_REC_STOP, e)), Errc::Ok);
  for (int i = 0; i < 100 && __atomic_load_n(&dp().region.rec(e).status.state, __ATOMIC_ACQUIRE) == RTPGATE_REC_ST_OPEN;
       i++)
    g->rt.recorder(0).poll(g->rec_clock += 1000000000ull);
  EXPECT_EQ(dp().region.rec(e).status.frames, 10u);
  g->cc->free_rec(e);
}

// A TX queue that refuses packets (net_ring's ring full, nobody draining): the refused ones
// are freed and counted (drop_tx_full), for forwarded and for control's packets alike; once
// the ring drains, forwarding resumes.
TEST_F(ExhaustionDp, FullTxQueueDropsCountedFreesBuffersAndRecovers) {
  const Flow fwd = add_flow(RTPGATE_ACT_FORWARD, 31500);
  const Flow ctl = add_flow(RTPGATE_ACT_TO_CTL, 31501);
  const uint64_t tx0 = ctr(RTPGATE_CTR_tx_pkts), full0 = ctr(RTPGATE_CTR_drop_tx_full);
  constexpr uint32_t kN = 1200;  // more than the ring holds
  test::inject(*g, fwd.port, rtp_run(1, kN));
  const uint64_t sent = ctr(RTPGATE_CTR_tx_pkts) - tx0, refused = ctr(RTPGATE_CTR_drop_tx_full) - full0;
  EXPECT_EQ(sent + refused, kN);
  EXPECT_GT(refused, 0u);
  // What the ring holds is all that is out of the test's pool: the refused ones were freed.
  EXPECT_EQ(rte_mempool_in_use_count(g->pool), sent);
  test::send_from_control(*g, ctl.id, rtp_run(1, 40), false);
  EXPECT_EQ(ctr(RTPGATE_CTR_drop_tx_full) - full0, refused + 40);
  EXPECT_TRUE(pool_full(dp().pool));
  // The ports' own drop counts reach the region (housekeeping's block) as drop_nic_*.
  // net_ring counts none of them (nor does any virtual device here for rx_nombuf), so this
  // checks the mapping from rte_eth_stats, not a value.
  g->rt.housekeeping().publish_port_drops();
  rte_eth_stats es{};
  ASSERT_EQ(rte_eth_stats_get(g->port, &es), 0);
  const uint64_t* hk = dp().region.lcore_stats(g->rt.n_workers()).ctr;
  EXPECT_EQ(hk[RTPGATE_CTR_drop_nic_nombuf], es.rx_nombuf);
  EXPECT_EQ(hk[RTPGATE_CTR_drop_nic_missed], es.imissed);
  EXPECT_EQ(hk[RTPGATE_CTR_drop_nic_rx_errors], es.ierrors);
  EXPECT_EQ(hk[RTPGATE_CTR_drop_nic_tx_errors], es.oerrors);

  const auto tx = collect_tx();
  EXPECT_EQ(tx.count(31500) ? tx.at(31500) : 0, sent);
  EXPECT_EQ(tx.count(31501), 0u);
  EXPECT_TRUE(pool_full(g->pool));
  test::inject(*g, fwd.port, rtp_run(2000, 10));
  test::send_from_control(*g, ctl.id, rtp_run(50, 3), false);
  const auto again = collect_tx();
  EXPECT_EQ(again.count(31500) ? again.at(31500) : 0, 10u);
  EXPECT_EQ(again.count(31501) ? again.at(31501) : 0, 3u);
  EXPECT_EQ(ctr(RTPGATE_CTR_drop_tx_full) - full0, refused + 40);
  remove_flow(fwd);
  remove_flow(ctl);
}

}  // namespace
}  // namespace rtpgate::dp
