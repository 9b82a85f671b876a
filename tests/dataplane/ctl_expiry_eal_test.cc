// The data plane removes the flows of a dead control plane (control_grace_ms): through the
// real command lcore (CommandApplier::poll) of an in-process data plane on net_null, with
// the controller's heartbeat in the region aged by hand. TO_CTL flows go, FORWARD flows
// stay, a live controller loses nothing, a dead one is expired once, a new controller's
// FLOW_REMOVE of the expired slots is answered NoSuchFlow (what its reclaim frees).
#include <gtest/gtest.h>
#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "dp_test_env.h"

namespace rtpgate::dp {
namespace {

namespace test = rtpgate::dp::test;

constexpr uint8_t kLocal[4] = {10, 97, 0, 1};
constexpr uint8_t kPeer[4] = {10, 97, 0, 2};
constexpr char kVdev[] = "net_null_ctlexp0";
constexpr uint32_t kGraceMs = 200;

test::DpEnv* g = nullptr;
std::string g_setup_error;

uint32_t add_flow(uint8_t action) {
  const uint32_t id = g->cc->alloc_flow().value();
  const uint16_t port = g->next_port++;
  EXPECT_TRUE(g->cc->claim_port(0, port));
  const rtpgate_shm_flow_params p = test::flow_params(*g, action, port, 30000);
  g->cc->write_params(id, p);
  EXPECT_EQ(test::finish(*g, g->cc->submit(RTPGATE_CMD_FLOW_INSTALL, id)), Errc::Ok);
  return id;
}

bool installed(uint32_t id) { return g->rt.dp().table.action_of(id) != kNoFlow; }
uint64_t expired() { return g->rt.lcore(0).ctr[RTPGATE_CTR_flows_ctl_expired]; }

void poll_for_ms(uint32_t ms) {
  const uint64_t end = rte_rdtsc() + rte_get_tsc_hz() * ms / 1000;
  while (rte_rdtsc() < end) g->rt.commands().poll(rte_rdtsc(), 64, g->rt.lcore(0).ctr);
}

void age_control_heartbeat(uint64_t ms) {
  __atomic_store_n(&g->rt.dp().region.hdr()->control_heartbeat_ns, shm::monotonic_ns() - ms * 1000000ull,
                   __ATOMIC_RELEASE);
}

class CtlExpiryDp : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    auto env = std::make_unique<test::DpEnv>();
    if (!test::open_vdev(*env, kVdev, "ctl_expiry_eal_test", kLocal, kPeer, &g_setup_error)) return;
    Config c = test::base_config(*env, "/rtpgate-ctlexp-" + std::to_string(getpid()), env->port);
    c.srtp_capacity = 0;
    c.rec_capacity = 0;
    c.mbufs = 1023;
    c.control_grace_ms = kGraceMs;
    g_setup_error = test::start_env(*env, c, "ctlexp_in", 255);
    if (!g_setup_error.empty()) return;
    g = env.release();
  }
  static void TearDownTestSuite() {
    test::end_suite(g, kVdev);
  }

 protected:
  void SetUp() override {
    if (!g_setup_error.empty()) FAIL() << g_setup_error;
    if (g == nullptr) GTEST_SKIP() << "no EAL or no net_null vdev";
  }
};

TEST_F(CtlExpiryDp, ALiveControllerKeepsItsFlows) {
  const uint32_t a = add_flow(RTPGATE_ACT_TO_CTL);
  for (int i = 0; i < 5; i++) {
    g->cc->heartbeat();
    poll_for_ms(kGraceMs / 2);
  }
  EXPECT_TRUE(installed(a));
  EXPECT_EQ(expired(), 0u);
  test::remove_flow(*g, a, g->rt.dp().region.flow(a).params.local_port);
}

TEST_F(CtlExpiryDp, ADeadControllersFlowsToItAreRemovedOnceForwardFlowsStay) {
  const uint64_t before = expired();
  const uint32_t rtp = add_flow(RTPGATE_ACT_TO_CTL);
  const uint32_t rtcp = add_flow(RTPGATE_ACT_TO_CTL);
  const uint32_t fwd = add_flow(RTPGATE_ACT_FORWARD);
  age_control_heartbeat(kGraceMs / 2);  // not yet past the grace period
  poll_for_ms(50);
  EXPECT_TRUE(installed(rtp));
  age_control_heartbeat(kGraceMs + 500);  // Janus was killed
  poll_for_ms(300);
  EXPECT_FALSE(installed(rtp));
  EXPECT_FALSE(installed(rtcp));
  EXPECT_TRUE(installed(fwd));
  EXPECT_EQ(expired() - before, 2u);
  // Slots stay allocated (control's bitmap): a new controller's reclaim removes them and
  // gets NoSuchFlow, which frees them.
  EXPECT_EQ(test::finish(*g, g->cc->submit(RTPGATE_CMD_FLOW_REMOVE, rtp)), Errc::NoSuchFlow);
  // Once per dead controller: a flow installed afterwards (while the heartbeat still is the
  // dead one's) is not swept again; a new controller heartbeats and lives.
  const uint32_t later = add_flow(RTPGATE_ACT_TO_CTL);
  poll_for_ms(300);
  EXPECT_TRUE(installed(later));
  g->cc->heartbeat();
  poll_for_ms(kGraceMs / 2);
  EXPECT_TRUE(installed(later));
  EXPECT_EQ(expired() - before, 2u);
  for (uint32_t id : {rtp, rtcp}) {
    g->cc->free_flow(id);
    g->cc->free_port(0, g->rt.dp().region.flow(id).params.local_port);
  }
  test::remove_flow(*g, fwd, g->rt.dp().region.flow(fwd).params.local_port);
  test::remove_flow(*g, later, g->rt.dp().region.flow(later).params.local_port);
}

}  // namespace
}  // namespace rtpgate::dp
