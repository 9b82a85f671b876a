// Configuration reloads in an in-process data plane (net_null): the reload thread's work
// (ConfigReloader::service) driven by the test. A reload that shortens control_grace_ms
// takes effect on the command lcore (a dead controller's flow is expired), a flow keeps
// its slot and counters across reloads, a changed layout key or a bad line is refused
// naming key and line with every setting left as it was, and CONFIG_RELOAD through the
// command ring completes with the result.
#include <gtest/gtest.h>
#include <rte_cycles.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>

#include "config/config_diff.h"
#include "dp_test_env.h"

namespace rtpgate::dp {
namespace {

namespace test = rtpgate::dp::test;

constexpr uint8_t kLocal[4] = {10, 98, 0, 1};
constexpr uint8_t kPeer[4] = {10, 98, 0, 2};
constexpr char kVdev[] = "net_null_reload0";

test::DpEnv* g = nullptr;
std::string g_setup_error;
Config g_started;      // the configuration the data plane started with
std::string g_path;    // its file

// A configuration file that reads back as `c` (every key with a value).
std::string config_text(const Config& c) {
  std::string text;
  for (const auto& [key, value] : describe_config(c))
    if (!value.empty() && !(key == "log_level" && value == "eal")) text += key + " = " + value + "\n";
  return text;
}

void write_file(const std::string& extra) { std::ofstream(g_path) << config_text(g_started) << extra; }

ReloadResult reload() { return g->rt.reloader().reload(); }
const rtpgate_shm_config_block& block() { return g->rt.dp().region.config(); }
const LiveSettings& live() { return g->rt.dp().live; }

void poll_for_ms(uint32_t ms) {
  const uint64_t end = rte_rdtsc() + rte_get_tsc_hz() * ms / 1000;
  while (rte_rdtsc() < end) g->rt.commands().poll(rte_rdtsc(), 64, g->rt.lcore(0).ctr);
}

class ReloadDp : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    auto env = std::make_unique<test::DpEnv>();
    if (!test::open_vdev(*env, kVdev, "reload_eal_test", kLocal, kPeer, &g_setup_error)) return;
    Config c = test::base_config(*env, "/rtpgate-reload-" + std::to_string(getpid()), env->port);
    c.srtp_capacity = 0;
    c.rec_capacity = 0;
    c.mbufs = 1023;
    c.control_grace_ms = 600000;
    g_started = c;
    g_path = (env->dir / "dp.conf").string();
    std::ofstream(g_path) << config_text(c);
    g_setup_error = test::start_env(*env, c, "reload_in", 255, RTE_MBUF_DEFAULT_BUF_SIZE, {g_path, {}});
    if (!g_setup_error.empty()) return;
    g = env.release();
  }
  static void TearDownTestSuite() { test::end_suite(g, kVdev); }

 protected:
  void SetUp() override {
    if (!g_setup_error.empty()) FAIL() << g_setup_error;
    if (g == nullptr) GTEST_SKIP() << "no EAL or no net_null vdev";
    write_file("");
    ASSERT_EQ(reload().errc, Errc::Ok) << block().last_error;  // back to the start-up settings
  }
};

TEST_F(ReloadDp, StartUpBlockShowsTheFileAndSettings) {
  EXPECT_EQ(block().block_version, uint32_t{RTPGATE_CONFIG_BLOCK_VERSION});
  EXPECT_EQ(block().block_size, sizeof(rtpgate_shm_config_block));
  EXPECT_STREQ(block().path, g_path.c_str());
  EXPECT_EQ(block().live.control_grace_ms, 600000u);
  EXPECT_EQ(block().live.heartbeat_interval_ms, g_started.heartbeat_interval_ms);
}

TEST_F(ReloadDp, UnchangedFileIsAnAttemptThatChangesNothing) {
  const uint64_t gen = block().config_gen, reloads = block().reloads, lg = live().gen.load();
  EXPECT_EQ(reload().errc, Errc::Ok);
  EXPECT_EQ(block().config_gen, gen);
  EXPECT_EQ(block().reloads, reloads + 1);
  EXPECT_EQ(live().gen.load(), lg);
}

TEST_F(ReloadDp, ShorterControlGraceExpiresADeadControllersFlowAfterTheReload) {
  const uint32_t id = g->cc->alloc_flow().value();
  const uint16_t port = g->next_port++;
  ASSERT_TRUE(g->cc->claim_port(0, port));
  g->cc->write_params(id, test::flow_params(*g, RTPGATE_ACT_TO_CTL, port, 30000));
  ASSERT_EQ(test::finish(*g, g->cc->submit(RTPGATE_CMD_FLOW_INSTALL, id)), Errc::Ok);
  // The controller's last heartbeat is 3 s old: dead by a 1 s grace, alive by 600 s.
  __atomic_store_n(&g->rt.dp().region.hdr()->control_heartbeat_ns, shm::monotonic_ns() - 3000000000ull,
                   __ATOMIC_RELEASE);
  poll_for_ms(250);
  EXPECT_NE(g->rt.dp().table.action_of(id), kNoFlow) << "expired under the 600 s grace";
  const uint64_t gen = block().config_gen;
  write_file("control_grace_ms = 1000\nheartbeat_interval_ms = 50\n");
  ASSERT_EQ(reload().errc, Errc::Ok) << block().last_error;
  EXPECT_EQ(block().config_gen, gen + 1);
  EXPECT_EQ(block().n_changed, 2u);
  EXPECT_NE(std::string(block().last_changed).find("control_grace_ms 600000 -> 1000"), std::string::npos)
      << block().last_changed;
  EXPECT_EQ(block().live.control_grace_ms, 1000u);
  EXPECT_EQ(g->rt.dp().region.hdr()->heartbeat_interval_ms, 50u);  // what control's liveness check reads
  poll_for_ms(250);
  EXPECT_EQ(g->rt.dp().table.action_of(id), kNoFlow) << "not expired after the reload";
  EXPECT_EQ(test::finish(*g, g->cc->submit(RTPGATE_CMD_FLOW_REMOVE, id)), Errc::NoSuchFlow);
  g->cc->free_flow(id);
  g->cc->free_port(0, port);
  g->cc->heartbeat();
}

TEST_F(ReloadDp, RestartKeyIsRefusedNamingKeyAndLineAndNothingChanges) {
  const uint64_t gen = block().config_gen, failures = block().reload_failures, lg = live().gen.load();
  const std::string base = config_text(g_started);
  const auto lines = static_cast<uint32_t>(std::count(base.begin(), base.end(), '\n'));
  write_file("pli_min_interval_ms = 100\nflow_capacity = 9999\n");
  const ReloadResult r = reload();
  EXPECT_EQ(r.errc, Errc::BadConfig);
  EXPECT_EQ(r.line, lines + 2);
  const std::string err = block().last_error;
  EXPECT_NE(err.find("line " + std::to_string(lines + 2) + ": flow_capacity"), std::string::npos) << err;
  EXPECT_NE(err.find("needs a restart"), std::string::npos) << err;
  EXPECT_EQ(block().reload_failures, failures + 1);
  EXPECT_EQ(block().config_gen, gen);
  EXPECT_EQ(live().gen.load(), lg);  // the run-time key in the same file was not applied either
  EXPECT_EQ(block().live.pli_min_interval_ms, g_started.pli_min_interval_ms);
}

TEST_F(ReloadDp, BadLineIsRefusedWithItsNumber) {
  write_file("drain_us = lots\n");
  const ReloadResult r = reload();
  EXPECT_EQ(r.errc, Errc::BadConfig);
  EXPECT_GT(r.line, 1u);
  EXPECT_NE(std::string(block().last_error).find("drain_us: expected an integer"), std::string::npos)
      << block().last_error;
  EXPECT_EQ(block().live.drain_us, g_started.drain_us);
}

TEST_F(ReloadDp, ConfigReloadThroughTheCommandRing) {
  write_file("exception_rate_pps = 1234\nlog_level = debug\n");
  auto seq = g->cc->submit_reload(RTPGATE_CMD_CONFIG_RELOAD);
  ASSERT_TRUE(seq);
  Errc e = Errc::Timeout;
  for (int i = 0; i < 1000 && e == Errc::Timeout; i++) {
    g->rt.commands().poll(rte_rdtsc(), 64, g->rt.lcore(0).ctr);
    rtpgate_shm_cpl c;
    while (g->cc->next_completion(c))
      if (c.seq == seq.value()) e = static_cast<Errc>(c.errc);
    if (i == 2) g->rt.reloader().service();  // the reload thread's turn
  }
  EXPECT_EQ(e, Errc::Ok);
  EXPECT_EQ(block().live.exception_rate_pps, 1234u);
  EXPECT_EQ(block().live.log_level, 8u);
  EXPECT_EQ(rte_log_get_level(RTE_LOGTYPE_USER1), 8);
  write_file("");  // back: EAL's level again
  ASSERT_EQ(reload().errc, Errc::Ok);
  EXPECT_NE(block().live.log_level, 8u);
}

}  // namespace
}  // namespace rtpgate::dp
