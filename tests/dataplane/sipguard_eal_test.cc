// The SIP guard through the worker's real path: a Runtime with sip_guard = on (the shipped
// default rules, copied to a temporary file the tests rewrite) on a net_null port; SIP
// datagrams for the media address's port 5060 go through process_burst, and what passes
// lands on the exception ring (a stand-in TAP is set; the exception thread is not started),
// where the tests read it back. Counters: exc_sip / drop_sip_guard / drop_sip_ratelimit,
// and the per-rule hits of the region's guard block. Reloads through the command ring and
// the SIGHUP path, with the guard's loader work driven by GuardRuntime::service().
// The EAL is started by main() in flow_table_test.cc.
#include <gtest/gtest.h>
#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ring.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "../sipguard/sip_messages.h"
#include "dp_test_env.h"
#include "rtpgate/shm/control_client.h"
#include "runtime.h"

namespace rtpgate::dp {
namespace {

namespace fs = std::filesystem;
namespace msg = sipguard::test;
using test::Bytes;

constexpr uint8_t kLocal[4] = {10, 97, 0, 1};
constexpr uint8_t kPeer[4] = {10, 97, 0, 2};
constexpr uint8_t kOther[4] = {10, 97, 0, 3};
constexpr char kVdev[] = "net_null_guardtest0";
constexpr uint16_t kSip = 5060;
constexpr char kDefaultRules[] = RTPGATE_SOURCE_DIR "/conf/sipguard.rules";

struct Env : test::DpEnv {
  fs::path rules;
};
Env* g = nullptr;
std::string g_setup_error;

DpContext& dp() { return g->rt.dp(); }
LcoreCtx& lc() { return g->rt.lcore(0); }
uint64_t ctr(int id) { return lc().ctr[id]; }
rtpgate_shm_guard_block& block() { return dp().region.guard(); }

Bytes bytes(const std::string& s) { return Bytes(s.begin(), s.end()); }

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::trunc);
  f << text;
}
void write_rules(const std::string& text) { write_file(g->rules, text); }

std::string default_rules() {
  std::ifstream f(kDefaultRules);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// UDP payloads of what the worker handed to the kernel path (the exception ring).
std::vector<std::string> to_kernel() {
  std::vector<std::string> out;
  void* obj;
  while (rte_ring_dequeue(dp().exc_ring, &obj) == 0) {
    auto* m = static_cast<rte_mbuf*>(obj);
    ParsedPkt pp{};
    const uint8_t* p = rte_pktmbuf_mtod(m, const uint8_t*);
    if (parse_frame(p, m->data_len, &pp) == ParseStatus::Ok)
      out.emplace_back(reinterpret_cast<const char*>(p + pp.payload_off), pp.payload_len);
    rte_pktmbuf_free(m);
  }
  return out;
}

void send(const std::vector<std::string>& msgs, const uint8_t* src = kPeer) {
  std::vector<Bytes> v;
  for (const auto& m : msgs) v.push_back(bytes(m));
  test::inject(*g, kSip, v, src);
}

// Worker 0's counters of a rule (by id) in the region, or ~0 when the rule is not in force.
uint64_t hits(const std::string& id) {
  const auto& b = block();
  for (uint32_t i = 0; i < b.n_rules; i++)
    if (id == b.rules[i].id) return b.lcore[0].ruleset_gen == b.ruleset_gen ? b.lcore[0].hits[i] : 0;
  return ~uint64_t{0};
}
uint64_t limited(const std::string& id) {
  const auto& b = block();
  for (uint32_t i = 0; i < b.n_rules; i++)
    if (id == b.rules[i].id) return b.lcore[0].limited[i];
  return ~uint64_t{0};
}

// GUARD_RELOAD through the command ring, the loader's work done by this thread.
rtpgate_shm_cpl reload_via_ring() {
  auto seq = g->cc->submit_reload(RTPGATE_CMD_GUARD_RELOAD);
  EXPECT_TRUE(seq);
  for (int i = 0; i < 1000; i++) {
    g->rt.commands().poll(rte_rdtsc(), 64, lc().ctr);
    rtpgate_shm_cpl c;
    while (g->cc->next_completion(c))
      if (c.seq == seq.value()) return c;
    g->rt.guard().service();
  }
  ADD_FAILURE() << "GUARD_RELOAD never completed";
  return rtpgate_shm_cpl{};
}

class SipGuardDp : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    auto env = std::make_unique<Env>();
    if (!test::open_vdev(*env, kVdev, "sipguard_eal_test", kLocal, kPeer, &g_setup_error)) return;  // no EAL: every test skips
    env->rules = env->dir / "sipguard.rules";
    write_file(env->rules, default_rules());
    Config c = test::base_config(*env, "/rtpgate-guardtest-" + std::to_string(getpid()), env->port);
    c.srtp_capacity = 16;
    c.rec_capacity = 0;
    c.mbufs = 2047;
    c.exception_burst = 1000000;  // the kernel path's own rate limit stays out of the way
    c.exception_ring = 4096;
    c.sip_guard = true;
    c.sip_guard_rules = env->rules.string();
    c.sip_guard_sources = 1024;
    // Room for datagrams past the 2048-byte header limit of the default rules.
    g_setup_error = test::start_env(*env, c, "guardtest_in", 511, RTE_PKTMBUF_HEADROOM + 4096);
    if (!g_setup_error.empty()) return;
    env->rt.dp().tap_port[env->port] = 0;  // a kernel path exists: passed datagrams go to exc_ring
    g = env.release();
  }

  static void TearDownTestSuite() {
    if (g != nullptr) to_kernel();
    test::end_suite(g, kVdev);
  }

 protected:
  void SetUp() override {
    if (!g_setup_error.empty()) FAIL() << g_setup_error;
    if (g == nullptr) GTEST_SKIP() << "no EAL or no net_null vdev";
    to_kernel();
  }
};

TEST_F(SipGuardDp, StartsWithTheRuleFileInForce) {
  const auto& b = block();
  EXPECT_EQ(b.block_version, uint32_t{RTPGATE_GUARD_BLOCK_VERSION});
  EXPECT_EQ(b.block_size, sizeof(rtpgate_shm_guard_block));
  EXPECT_EQ(b.state, uint32_t{RTPGATE_GUARD_ON});
  EXPECT_EQ(b.n_workers, 1u);
  EXPECT_EQ(b.sources_per_worker, 1024u);
  EXPECT_GE(b.n_rules, 20u);
  EXPECT_GE(b.ruleset_gen, 1u);
  EXPECT_EQ(std::string(b.path), g->rules.string());
  EXPECT_STREQ(b.rules[0].id, "ua-friendly-scanner");
  EXPECT_EQ(b.rules[0].action, RTPGATE_GUARD_ACT_DROP);
  EXPECT_EQ(b.rules[0].check, RTPGATE_GUARD_CHK_HEADER);
  EXPECT_NE(dp().sip_guard.load(), nullptr);
}

TEST_F(SipGuardDp, ScannersAreDroppedBeforeTheKernelNormalTrafficPasses) {
  const uint64_t sip0 = ctr(RTPGATE_CTR_exc_sip), drop0 = ctr(RTPGATE_CTR_drop_sip_guard);
  const uint64_t ua0 = hits("ua-friendly-scanner"), from0 = hits("from-sipvicious"), cli0 = hits("ua-sipcli");
  const uint64_t screened0 = block().lcore[0].screened;
  const std::string invite = msg::invite(), reg = msg::register_msg(), ok = msg::ok_response();
  send({invite, msg::svmap_options(), reg, msg::svwar_register(), msg::invite("sipcli/v1.8"), "\r\n\r\n", ok});
  const auto got = to_kernel();
  EXPECT_EQ(got, (std::vector<std::string>{invite, reg, "\r\n\r\n", ok}));
  EXPECT_EQ(ctr(RTPGATE_CTR_exc_sip) - sip0, 4u);
  EXPECT_EQ(ctr(RTPGATE_CTR_drop_sip_guard) - drop0, 3u);
  EXPECT_EQ(hits("from-sipvicious") - from0, 1u);
  EXPECT_EQ(hits("ua-friendly-scanner") - ua0, 1u);  // svwar's REGISTER
  EXPECT_EQ(hits("ua-sipcli") - cli0, 1u);
  EXPECT_EQ(block().lcore[0].screened - screened0, 7u);
  // Published like every lcore counter (which moves the local counts to the region).
  const uint64_t local = ctr(RTPGATE_CTR_drop_sip_guard);
  const uint64_t shared0 = dp().region.lcore_stats(0).ctr[RTPGATE_CTR_drop_sip_guard];
  publish_lcore_stats(lc());
  EXPECT_EQ(dp().region.lcore_stats(0).ctr[RTPGATE_CTR_drop_sip_guard] - shared0, local);
}

TEST_F(SipGuardDp, OversizedHeaderAndMissingCallIdAreDropped) {
  const uint64_t drop0 = ctr(RTPGATE_CTR_drop_sip_guard);
  const uint64_t long0 = hits("long-header"), miss0 = hits("missing-headers");
  send({msg::with_header(msg::register_msg(), "X-Pad: " + std::string(3000, 'p')),
        msg::without_header(msg::register_msg(), "Call-ID:")});
  EXPECT_TRUE(to_kernel().empty());
  EXPECT_EQ(ctr(RTPGATE_CTR_drop_sip_guard) - drop0, 2u);
  EXPECT_EQ(hits("long-header") - long0, 1u);
  EXPECT_EQ(hits("missing-headers") - miss0, 1u);
}

TEST_F(SipGuardDp, RegisterFloodIsLimitedPerSource) {
  const uint64_t rl0 = ctr(RTPGATE_CTR_drop_sip_ratelimit), sip0 = ctr(RTPGATE_CTR_exc_sip);
  const uint64_t lim0 = limited("register-flood");
  std::vector<std::string> flood;
  for (int i = 0; i < 200; i++) flood.push_back(msg::register_msg("Zoiper rv2.10", "flood-" + std::to_string(i)));
  send(flood, kOther);
  const size_t passed = to_kernel().size();
  // ratelimit=20/s:40: the burst, plus what the few milliseconds of this test refill.
  EXPECT_GE(passed, 40u);
  EXPECT_LE(passed, 42u);
  EXPECT_EQ(ctr(RTPGATE_CTR_drop_sip_ratelimit) - rl0, 200u - passed);
  EXPECT_EQ(limited("register-flood") - lim0, 200u - passed);
  // The peer's REGISTERs still pass: its bucket is its own.
  send({msg::register_msg(), msg::register_msg()}, kPeer);
  EXPECT_EQ(to_kernel().size(), 2u);
  EXPECT_EQ(ctr(RTPGATE_CTR_exc_sip) - sip0, passed + 2);
}

TEST_F(SipGuardDp, BadFileIsRefusedWithItsLineAndTheOldRulesStay) {
  const uint64_t gen0 = block().ruleset_gen, fails0 = block().reload_failures;
  const uint32_t n0 = block().n_rules;
  const sipguard::GuardDb* db0 = dp().sip_guard.load();
  write_rules("# line 1\nok drop header:User-Agent \"evil-ua\"\nbad drop header:User-Agent /unclosed(/\n");
  const rtpgate_shm_cpl c = reload_via_ring();
  EXPECT_EQ(static_cast<Errc>(c.errc), Errc::BadRuleFile);
  EXPECT_EQ(c.aux, 3u);
  EXPECT_EQ(block().last_error_line, 3u);
  EXPECT_NE(std::string(block().last_error).find("line 3: pattern of rule 'bad' does not compile"), std::string::npos)
      << block().last_error;
  EXPECT_EQ(block().reload_failures, fails0 + 1);
  EXPECT_EQ(block().ruleset_gen, gen0);
  EXPECT_EQ(block().n_rules, n0);
  EXPECT_EQ(dp().sip_guard.load(), db0);
  // Still the old rules: the scanner is dropped, "evil-ua" is not.
  const uint64_t drop0 = ctr(RTPGATE_CTR_drop_sip_guard);
  send({msg::svwar_register(), msg::register_msg("evil-ua")});
  EXPECT_EQ(to_kernel().size(), 1u);
  EXPECT_EQ(ctr(RTPGATE_CTR_drop_sip_guard) - drop0, 1u);
  write_rules(default_rules());
}

TEST_F(SipGuardDp, GoodFileReplacesTheRulesAndTheOldSetWaitsForAGracePeriod) {
  const uint64_t gen0 = block().ruleset_gen, reloads0 = block().reloads;
  write_rules("evil drop header:User-Agent \"evil-ua\"\nsip count method OPTIONS\n");
  {
    test::QsbrReader reader(dp().qsbr);  // like a worker between two quiescent states
    const rtpgate_shm_cpl c = reload_via_ring();
    EXPECT_EQ(static_cast<Errc>(c.errc), Errc::Ok);
    EXPECT_EQ(g->rt.guard().retired(), 1u) << "the old rule set was freed while a worker could hold it";
    g->rt.guard().service();
    EXPECT_EQ(g->rt.guard().retired(), 1u);
    reader.report_quiescent();
    g->rt.guard().service();
    EXPECT_EQ(g->rt.guard().retired(), 0u);
  }
  EXPECT_EQ(block().ruleset_gen, gen0 + 1);
  EXPECT_EQ(block().reloads, reloads0 + 1);
  EXPECT_EQ(block().n_rules, 2u);
  EXPECT_EQ(block().last_errc, 0u);
  EXPECT_STREQ(block().last_error, "");
  const uint64_t drop0 = ctr(RTPGATE_CTR_drop_sip_guard), counted0 = ctr(RTPGATE_CTR_sip_guard_counted);
  send({msg::svwar_register(), msg::register_msg("evil-ua"), msg::options()});
  EXPECT_EQ(to_kernel().size(), 2u);  // the scanner's REGISTER passes now; evil-ua does not
  EXPECT_EQ(ctr(RTPGATE_CTR_drop_sip_guard) - drop0, 1u);
  EXPECT_EQ(ctr(RTPGATE_CTR_sip_guard_counted) - counted0, 1u);
  EXPECT_EQ(hits("evil"), 1u);  // counters start from zero with the new set
  EXPECT_EQ(hits("sip"), 1u);
  EXPECT_EQ(hits("ua-friendly-scanner"), ~uint64_t{0});  // no longer in force
  // Back to the defaults through the SIGHUP path (Runtime::request_reload): the reload
  // thread's work (configuration, then the guard's rules) on another thread, the guard's here.
  write_rules(default_rules());
  g->rt.request_reload();
  std::atomic<bool> reloaded{false};
  std::thread reload_thread([&] {
    g->rt.reloader().service();
    reloaded = true;
  });
  while (!reloaded) g->rt.guard().service();
  reload_thread.join();
  EXPECT_EQ(block().ruleset_gen, gen0 + 2);
  EXPECT_EQ(block().reloads, reloads0 + 2);
  send({msg::svwar_register()});
  EXPECT_TRUE(to_kernel().empty());
  g->rt.guard().service();  // no reader: the set retired by the SIGHUP reload is freed
  EXPECT_EQ(g->rt.guard().retired(), 0u);
}

TEST_F(SipGuardDp, OneReloadAtATimeThroughTheRing) {
  auto first = g->cc->submit_reload(RTPGATE_CMD_GUARD_RELOAD);
  auto second = g->cc->submit_reload(RTPGATE_CMD_GUARD_RELOAD);
  ASSERT_TRUE(first && second);
  Errc e1 = Errc::Timeout, e2 = Errc::Timeout;
  for (int i = 0; i < 1000 && (e1 == Errc::Timeout || e2 == Errc::Timeout); i++) {
    g->rt.commands().poll(rte_rdtsc(), 64, lc().ctr);
    rtpgate_shm_cpl c;
    while (g->cc->next_completion(c)) {
      if (c.seq == first.value()) e1 = static_cast<Errc>(c.errc);
      if (c.seq == second.value()) e2 = static_cast<Errc>(c.errc);
    }
    if (i > 2) g->rt.guard().service();  // the loader is slow: the second command arrives meanwhile
  }
  EXPECT_EQ(e1, Errc::Ok);
  EXPECT_EQ(e2, Errc::Busy);
}

}  // namespace
}  // namespace rtpgate::dp
