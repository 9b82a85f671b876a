// FlowTable (dataplane/flow/flow_table.h): the direct (media address, port) lookup, install,
// modify, remove, grace periods and pool exhaustion. Needs DPDK's EAL (rte_malloc), run
// with --no-huge; skipped when the EAL cannot start.
#include "flow/flow_table.h"

#include <gtest/gtest.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include <arpa/inet.h>

#include <filesystem>
#include <memory>
#include <string>

namespace rtpgate::dp {
namespace {

bool g_eal_ok = false;

rtpgate_shm_addr ip(const char* s) {
  rtpgate_shm_addr a{};
  if (inet_pton(AF_INET, s, a.addr) == 1) a.family = 4;
  else if (inet_pton(AF_INET6, s, a.addr) == 1) a.family = 6;
  return a;
}

class FlowTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!g_eal_ok) GTEST_SKIP() << "EAL unavailable";
    h_.n_addrs = 3;
    h_.addrs[0] = ip("10.0.0.1");
    h_.addrs[1] = ip("10.0.0.2");
    h_.addrs[2] = ip("2001:db8::1");
    h_.port_min = 20000;
    h_.port_max = 20099;
    t_ = std::make_unique<FlowTable>();
    std::string why;
    ASSERT_TRUE(t_->init(16, h_, SOCKET_ID_ANY, nullptr, &why)) << why;
  }
  static FlowAction action(uint32_t flow_id) {
    FlowAction a{};
    a.flow_id = flow_id;
    return a;
  }
  rtpgate_shm_header h_{};
  std::unique_ptr<FlowTable> t_;
};

TEST_F(FlowTableTest, LookupFindsInstalledFlowsOnEveryAddressFamily) {
  const FlowKey k4 = make_key(ip("10.0.0.2"), 20010);
  const FlowKey k6 = make_key(ip("2001:db8::1"), 20099);
  ASSERT_EQ(t_->install(3, k4, action(3), 1), Errc::Ok);
  ASSERT_EQ(t_->install(7, k6, action(7), 1), Errc::Ok);
  const uint64_t e4 = t_->lookup(k4), e6 = t_->lookup(k6);
  ASSERT_NE(e4, 0u);
  ASSERT_NE(e6, 0u);
  EXPECT_EQ(FlowTable::flow_of(e4), 3u);
  EXPECT_EQ(FlowTable::flow_of(e6), 7u);
  EXPECT_EQ(t_->actions()[FlowTable::action_of_entry(e4)].flow_id, 3u);
  EXPECT_EQ(t_->action_of(3), FlowTable::action_of_entry(e4));
  EXPECT_EQ(t_->installed(), 2u);
}

TEST_F(FlowTableTest, LookupMissesOtherPortsAddressesAndOutOfRange) {
  ASSERT_EQ(t_->install(0, make_key(ip("10.0.0.1"), 20000), action(0), 1), Errc::Ok);
  EXPECT_EQ(t_->lookup(make_key(ip("10.0.0.1"), 20001)), 0u);
  EXPECT_EQ(t_->lookup(make_key(ip("10.0.0.2"), 20000)), 0u);
  EXPECT_EQ(t_->lookup(make_key(ip("10.0.0.9"), 20000)), 0u);     // not a media address
  EXPECT_EQ(t_->lookup(make_key(ip("10.0.0.1"), 19999)), 0u);     // below the range
  EXPECT_EQ(t_->lookup(make_key(ip("10.0.0.1"), 20100)), 0u);     // above the range
  EXPECT_EQ(t_->lookup(make_key(ip("2001:db8::2"), 20000)), 0u);  // other IPv6 address
}

TEST_F(FlowTableTest, InstallRefusesDuplicatesAndUnservedKeys) {
  const FlowKey k = make_key(ip("10.0.0.1"), 20005);
  ASSERT_EQ(t_->install(1, k, action(1), 1), Errc::Ok);
  EXPECT_EQ(t_->install(2, k, action(2), 1), Errc::FlowExists);  // key taken
  EXPECT_EQ(t_->install(1, make_key(ip("10.0.0.1"), 20006), action(1), 1), Errc::FlowExists);  // id taken
  EXPECT_EQ(t_->install(3, make_key(ip("10.0.0.9"), 20005), action(3), 1), Errc::BadParam);
  EXPECT_EQ(t_->install(3, make_key(ip("10.0.0.1"), 30000), action(3), 1), Errc::BadParam);
  EXPECT_EQ(t_->install(16, make_key(ip("10.0.0.1"), 20007), action(16), 1), Errc::BadParam);  // id >= capacity
}

TEST_F(FlowTableTest, ModifyPublishesANewActionUnderTheSameKey) {
  const FlowKey k = make_key(ip("10.0.0.1"), 20020);
  ASSERT_EQ(t_->install(4, k, action(4), 1), Errc::Ok);
  const uint32_t first = FlowTable::action_of_entry(t_->lookup(k));
  FlowAction b = action(4);
  b.version = 2;
  uint32_t old = kNoFlow;
  ASSERT_EQ(t_->modify(4, k, b, &old), Errc::Ok);
  EXPECT_EQ(old, first);
  const uint32_t now = FlowTable::action_of_entry(t_->lookup(k));
  EXPECT_NE(now, first);
  EXPECT_EQ(t_->actions()[now].version, 2u);
  EXPECT_EQ(t_->modify(4, make_key(ip("10.0.0.1"), 20021), b, &old), Errc::BadParam);  // key is fixed
  EXPECT_EQ(t_->modify(5, k, b, &old), Errc::NoSuchFlow);
}

TEST_F(FlowTableTest, RemoveUnpublishesAndFreesTheKey) {
  const FlowKey k = make_key(ip("2001:db8::1"), 20050);
  ASSERT_EQ(t_->install(9, k, action(9), 1), Errc::Ok);
  uint32_t old = kNoFlow;
  ASSERT_EQ(t_->remove(9, &old), Errc::Ok);
  EXPECT_NE(old, kNoFlow);
  EXPECT_EQ(t_->lookup(k), 0u);
  EXPECT_EQ(t_->action_of(9), kNoFlow);
  EXPECT_EQ(t_->remove(9, &old), Errc::NoSuchFlow);
  EXPECT_TRUE(t_->reclaimable(t_->grace_start()));  // no readers registered
  t_->retire_action(old);
  EXPECT_EQ(t_->install(9, k, action(9), 2), Errc::Ok);  // key and id reusable
  EXPECT_EQ(t_->installed(), 1u);
}

TEST_F(FlowTableTest, ExhaustedActionPoolAnswersTableFull) {
  // Modifies whose old actions are never retired (a grace period that never ends) use up
  // the pool's slack: the data plane answers TableFull instead of corrupting anything.
  const FlowKey k = make_key(ip("10.0.0.1"), 20030);
  ASSERT_EQ(t_->install(0, k, action(0), 1), Errc::Ok);
  uint32_t old = kNoFlow;
  Errc e = Errc::Ok;
  uint32_t n = 0;
  while ((e = t_->modify(0, k, action(0), &old)) == Errc::Ok) n++;
  EXPECT_EQ(e, Errc::TableFull);
  EXPECT_EQ(n, 16u + FlowTable::kActionSlack - 1);
  EXPECT_NE(t_->lookup(k), 0u);  // still served by its last action
  t_->retire_action(old);
  EXPECT_EQ(t_->modify(0, k, action(0), &old), Errc::Ok);
}

}  // namespace
}  // namespace rtpgate::dp

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  char prog[] = "flow_table_test", l[] = "-l", core[] = "0", nohuge[] = "--no-huge", m[] = "-m", mem[] = "128",
       noshconf[] = "--no-shconf", nopci[] = "--no-pci", notel[] = "--no-telemetry", log[] = "--log-level=1";
  char* eal[] = {prog, l, core, nohuge, m, mem, noshconf, nopci, notel, log};
  rtpgate::dp::g_eal_ok = rte_eal_init(static_cast<int>(std::size(eal)), eal) >= 0;
  if (!rtpgate::dp::g_eal_ok) std::fprintf(stderr, "SKIP: EAL could not start (%s)\n", rte_strerror(rte_errno));
  const int rc = RUN_ALL_TESTS();
  if (rtpgate::dp::g_eal_ok) {
    const std::string runtime_dir = rte_eal_get_runtime_dir();  // EAL leaves it behind
    rte_eal_cleanup();
    std::error_code ec;
    std::filesystem::remove_all(runtime_dir, ec);
  }
  return rc;
}
