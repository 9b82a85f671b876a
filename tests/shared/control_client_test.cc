// ControlClient against a real (small) POSIX shm region created the way the data plane
// does it; no DPDK. The test plays the data plane side through its own Region mapping.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "rtpgate/shm/control_client.h"
#include "small_region.h"

namespace rtpgate::shm {
namespace {

#define EXPECT_CONTAINS(str, sub)                           \
  EXPECT_NE(std::string(str).find(sub), std::string::npos) \
      << "message \"" << (str) << "\" lacks \"" << (sub) << "\""

constexpr uint32_t kFlows = 100;  // not a multiple of 64: the last bitmap word is partial
constexpr uint16_t kPortMin = 40000;
constexpr uint16_t kPortMax = 40010;  // 11 ports: 5 pairs and one unpaired port
constexpr uint32_t kCmdCap = 16;

class ControlClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    name_ = "/rtpgate-test-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    RegionConfig c = rtpgate::test::small_region(name_, kFlows);  // 10.0.0.1
    rtpgate_shm_addr a{};
    a.family = 6;
    a.addr[0] = 0x20;
    a.addr[1] = 0x01;
    a.addr[3] = 1;
    a.addr[15] = 1;
    c.addrs.push_back(a);  // and 2001:1::1
    c.port_min = kPortMin;
    c.port_max = kPortMax;
    c.cmd_ring_capacity = kCmdCap;
    std::string why;
    auto r = Region::create(c, &why);
    ASSERT_TRUE(r.ok()) << why;
    dp_ = std::move(r.value());
  }
  void TearDown() override {
    if (dp_.mapped()) dp_.unlink();
  }

  ControlClient open_client() {
    std::string why;
    auto c = ControlClient::open(name_, &why);
    EXPECT_TRUE(c.ok()) << why;
    return std::move(c.value());
  }

  std::string name_;
  Region dp_;  // the data plane's mapping
};

TEST_F(ControlClientTest, OpenSeesTheCreatorsHeader) {
  auto cc = open_client();
  EXPECT_EQ(cc.hdr().flow_capacity, kFlows);
  EXPECT_EQ(cc.hdr().n_addrs, 2u);
  EXPECT_EQ(cc.generation(), dp_.hdr()->generation);
  EXPECT_EQ(dp_.hdr()->control_pid, static_cast<uint32_t>(getpid()));
  EXPECT_NE(dp_.hdr()->control_heartbeat_ns, 0u);
  EXPECT_TRUE(cc.region().still_current());
  EXPECT_EQ(find_media_addr(cc.hdr(), dp_.hdr()->addrs[1]), 1);
}

TEST_F(ControlClientTest, AllocatesEveryFlowSlotThenTableFull) {
  auto cc = open_client();
  std::set<uint32_t> ids;
  for (uint32_t i = 0; i < kFlows; i++) {
    auto id = cc.alloc_flow();
    ASSERT_TRUE(id.ok()) << "allocation " << i << ": " << to_string(id.error());
    EXPECT_LT(id.value(), kFlows);
    ids.insert(id.value());
  }
  EXPECT_EQ(ids.size(), kFlows);
  EXPECT_EQ(cc.flows_in_use(), kFlows);
  auto full = cc.alloc_flow();
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error(), Errc::TableFull);
}

TEST_F(ControlClientTest, FreedFlowSlotIsReused) {
  auto cc = open_client();
  for (uint32_t i = 0; i < kFlows; i++) ASSERT_TRUE(cc.alloc_flow().ok());
  cc.free_flow(37);
  cc.free_flow(99);  // in the partial last word
  EXPECT_EQ(cc.flows_in_use(), kFlows - 2);
  std::set<uint32_t> again;
  for (int i = 0; i < 2; i++) {
    auto id = cc.alloc_flow();
    ASSERT_TRUE(id.ok());
    again.insert(id.value());
  }
  EXPECT_EQ(again, (std::set<uint32_t>{37, 99}));
  EXPECT_EQ(cc.alloc_flow().error(), Errc::TableFull);
  cc.free_flow(kFlows + 5);  // out of range: ignored
  EXPECT_EQ(cc.flows_in_use(), kFlows);
}

TEST_F(ControlClientTest, AllocatesEvenPortPairsUntilExhausted) {
  auto cc = open_client();
  std::vector<uint16_t> got;
  while (true) {
    auto p = cc.alloc_port_pair(0);
    if (!p.ok()) {
      EXPECT_EQ(p.error(), Errc::PortsExhausted);
      break;
    }
    got.push_back(p.value());
    ASSERT_LE(got.size(), 6u);
  }
  EXPECT_EQ(got, (std::vector<uint16_t>{40000, 40002, 40004, 40006, 40008}));
  for (uint16_t p : got) {
    EXPECT_EQ(p % 2, 0);
    EXPECT_FALSE(cc.claim_port(0, p)) << p;
    EXPECT_FALSE(cc.claim_port(0, static_cast<uint16_t>(p + 1))) << "RTCP port " << p + 1 << " not reserved";
  }
  // The odd leftover port cannot make a pair but can be claimed alone.
  EXPECT_TRUE(cc.claim_port(0, kPortMax));
  // Media addresses have separate port spaces.
  auto other = cc.alloc_port_pair(1);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other.value(), kPortMin);
  EXPECT_EQ(cc.alloc_port_pair(2).error(), Errc::BadParam);
}

TEST_F(ControlClientTest, FreedPortPairIsReused) {
  auto cc = open_client();
  while (cc.alloc_port_pair(0).ok()) {
  }
  cc.free_port_pair(0, 40004);
  auto p = cc.alloc_port_pair(0);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.value(), 40004);
  EXPECT_EQ(cc.alloc_port_pair(0).error(), Errc::PortsExhausted);
}

TEST_F(ControlClientTest, ClaimPortRules) {
  auto cc = open_client();
  EXPECT_FALSE(cc.claim_port(0, kPortMin - 1));          // below range
  EXPECT_FALSE(cc.claim_port(0, kPortMax + 1));          // above range
  EXPECT_FALSE(cc.claim_port(2, kPortMin));              // no such address
  EXPECT_TRUE(cc.claim_port(0, 40001));                  // odd port alone
  EXPECT_FALSE(cc.claim_port(0, 40001));                 // taken
  EXPECT_TRUE(cc.claim_port(1, 40001));                  // other address: free
  // A pair is only handed out when both of its ports are free.
  auto p = cc.alloc_port_pair(0);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.value(), 40002);
  cc.free_port(0, 40001);
  EXPECT_TRUE(cc.claim_port(0, 40001));
  cc.free_port(0, 40001);
  p = cc.alloc_port_pair(0);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.value(), 40000);
  cc.free_port(0, kPortMax + 1);  // out of range: ignored
}

TEST_F(ControlClientTest, WriteParamsBumpsVersionAndCopiesBody) {
  auto cc = open_client();
  auto id = cc.alloc_flow();
  ASSERT_TRUE(id.ok());
  rtpgate_shm_flow_params p{};
  p.version = 999;  // ignored: control owns the version
  p.cookie = 0xC0FFEE;
  p.local_port = 40000;
  p.flags = RTPGATE_FLOW_F_LATCH | RTPGATE_FLOW_F_REWRITE;
  p.ts_step = 160;
  EXPECT_EQ(cc.write_params(id.value(), p), 1u);
  const auto& slot = dp_.flow(id.value()).params;
  EXPECT_EQ(slot.version, 1u);
  EXPECT_EQ(slot.cookie, 0xC0FFEEu);
  EXPECT_EQ(slot.local_port, 40000);
  EXPECT_EQ(slot.flags, RTPGATE_FLOW_F_LATCH | RTPGATE_FLOW_F_REWRITE);
  EXPECT_EQ(slot.ts_step, 160u);
  p.cookie = 7;
  EXPECT_EQ(cc.write_params(id.value(), p), 2u);
  EXPECT_EQ(slot.version, 2u);
  EXPECT_EQ(slot.cookie, 7u);
}

TEST_F(ControlClientTest, SubmitQueuesCommandsUntilRingFull) {
  auto cc = open_client();
  rtpgate_shm_flow_params p{};
  const uint32_t v = cc.write_params(3, p);
  std::vector<uint64_t> seqs;
  for (uint32_t i = 0; i < kCmdCap; i++) {
    auto seq = cc.submit(RTPGATE_CMD_FLOW_INSTALL, 3);
    ASSERT_TRUE(seq.ok()) << i;
    if (!seqs.empty()) {
      EXPECT_EQ(seq.value(), seqs.back() + 1);
    }
    seqs.push_back(seq.value());
  }
  auto full = cc.submit(RTPGATE_CMD_FLOW_MODIFY, 3);
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error(), Errc::RingFull);
  EXPECT_EQ(cc.submit(RTPGATE_CMD_FLOW_INSTALL, kFlows).error(), Errc::BadParam);

  // The data plane side sees every command, in order, with the slot's version.
  auto ring = dp_.cmd_ring();
  EXPECT_EQ(ring.depth(), kCmdCap);
  rtpgate_shm_cmd c{};
  ASSERT_TRUE(ring.pop(c));
  EXPECT_EQ(c.seq, seqs.front());
  EXPECT_EQ(c.op, RTPGATE_CMD_FLOW_INSTALL);
  EXPECT_EQ(c.flow_id, 3u);
  EXPECT_EQ(c.flow_version, v);
  // One slot free again: the next submit succeeds with the next sequence number.
  auto seq = cc.submit(RTPGATE_CMD_FLOW_REMOVE, 3);
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(seq.value(), seqs.back() + 1);
  for (uint64_t expect = seqs[1]; ring.pop(c); expect++) EXPECT_EQ(c.seq, expect);
  EXPECT_EQ(c.op, RTPGATE_CMD_FLOW_REMOVE);
}

TEST_F(ControlClientTest, WaitSkipsForeignCompletionsAndLeavesEvents) {
  auto cc = open_client();
  auto seq = cc.submit(RTPGATE_CMD_FLOW_INSTALL, 5);
  ASSERT_TRUE(seq.ok());
  rtpgate_shm_cpl n{};
  n.op = RTPGATE_NOTIFY_FLOW_IDLE;
  n.flow_id = 9;
  ASSERT_TRUE(dp_.evt_ring().push(n));
  auto cpl = dp_.cpl_ring();
  rtpgate_shm_cpl stale{};  // an earlier controller's completion
  stale.seq = seq.value() - 12345;
  stale.op = RTPGATE_CMD_FLOW_REMOVE;
  ASSERT_TRUE(cpl.push(stale));
  rtpgate_shm_cpl done{};
  done.seq = seq.value();
  done.op = RTPGATE_CMD_FLOW_INSTALL;
  done.errc = static_cast<uint16_t>(Errc::NoNeighbour);
  done.flow_id = 5;
  ASSERT_TRUE(cpl.push(done));
  auto got = cc.wait(seq.value(), 1000);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->flow_id, 5u);
  EXPECT_EQ(static_cast<Errc>(got->errc), Errc::NoNeighbour);
  rtpgate_shm_cpl rec{};
  ASSERT_TRUE(cc.next_event(rec));
  EXPECT_EQ(rec.op, RTPGATE_NOTIFY_FLOW_IDLE);
  EXPECT_EQ(rec.flow_id, 9u);
  EXPECT_FALSE(cc.next_event(rec));
}

TEST_F(ControlClientTest, WaitTimesOutWithoutCompletion) {
  auto cc = open_client();
  auto got = cc.wait(12345, 0);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error(), Errc::Timeout);
}

TEST_F(ControlClientTest, EarlierControllersCompletionIsNotMistakenForOurs) {
  uint64_t old_seq = 0;
  {
    auto first = open_client();
    auto s = first.submit(RTPGATE_CMD_FLOW_INSTALL, 1);
    ASSERT_TRUE(s.ok());
    old_seq = s.value();
  }
  // The data plane answers the first controller's command after it went away.
  rtpgate_shm_cpl stale{};
  stale.seq = old_seq;
  stale.op = RTPGATE_CMD_FLOW_INSTALL;
  stale.errc = static_cast<uint16_t>(Errc::TableFull);
  ASSERT_TRUE(dp_.cpl_ring().push(stale));
  auto cc = open_client();
  auto seq = cc.submit(RTPGATE_CMD_FLOW_INSTALL, 1);
  ASSERT_TRUE(seq.ok());
  EXPECT_NE(seq.value(), old_seq);
  rtpgate_shm_cpl mine{};
  mine.seq = seq.value();
  mine.op = RTPGATE_CMD_FLOW_INSTALL;
  ASSERT_TRUE(dp_.cpl_ring().push(mine));
  auto got = cc.wait(seq.value(), 1000);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->seq, seq.value());
  EXPECT_EQ(static_cast<Errc>(got->errc), Errc::Ok);
}

TEST_F(ControlClientTest, DpAliveNeedsRunningStateAndFreshHeartbeat) {
  auto cc = open_client();
  EXPECT_FALSE(cc.dp_alive(1000));  // STARTING
  dp_.hdr()->dp_state = RTPGATE_DP_RUNNING;
  dp_.hdr()->heartbeat_ns = monotonic_ns();
  EXPECT_TRUE(cc.dp_alive(60000));
  dp_.hdr()->heartbeat_ns = monotonic_ns() - 10'000'000'000ull;  // 10 s old
  EXPECT_FALSE(cc.dp_alive(1000));
}

TEST_F(ControlClientTest, SecondControllerIsBusyWhileFirstIsOpen) {
  {
    auto first = open_client();
    std::string why;
    auto second = ControlClient::open(name_, &why);
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.error(), Errc::Busy);
    EXPECT_CONTAINS(why, "another controller");
    EXPECT_CONTAINS(why, std::to_string(getpid()));
  }
  // The lock goes with the first controller.
  std::string why;
  auto third = ControlClient::open(name_, &why);
  EXPECT_TRUE(third.ok()) << why;
}

TEST_F(ControlClientTest, AttachRejectsCorruptedMagic) {
  dp_.hdr()->magic ^= 0xff;
  std::string why;
  auto r = Region::attach(name_, &why);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Errc::LayoutMismatch);
  EXPECT_CONTAINS(why, "bad magic");
  EXPECT_CONTAINS(why, name_);
  auto cc = ControlClient::open(name_, &why);
  ASSERT_FALSE(cc.ok());
  EXPECT_EQ(cc.error(), Errc::LayoutMismatch);
}

TEST_F(ControlClientTest, AttachToMissingRegionIsNotAttached) {
  std::string why;
  auto r = Region::attach(name_ + "-missing", &why);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Errc::NotAttached);
  EXPECT_CONTAINS(why, "no shared region");
}

TEST_F(ControlClientTest, UnlinkedRegionIsNoLongerCurrent) {
  auto cc = open_client();
  EXPECT_TRUE(cc.region().still_current());
  dp_.unlink();
  EXPECT_FALSE(cc.region().still_current());
  // The mapping stays usable after the name is gone.
  EXPECT_TRUE(cc.alloc_flow().ok());
}

// Layout 1.2: SRTP key entries. Entry 0 is never handed out; free wipes the key material;
// SRTP commands carry the entry and its version; the region is not world-readable.
TEST_F(ControlClientTest, SrtpEntriesSkipZeroAreVersionedAndWipedOnFree) {
  std::string why;
  auto cc = ControlClient::open(name_, &why);
  ASSERT_TRUE(cc.ok()) << why;
  const uint32_t cap = dp_.hdr()->srtp_capacity;
  ASSERT_GE(cap, 2u);
  std::set<uint32_t> got;
  for (uint32_t i = 1; i < cap; i++) {
    auto idx = cc->alloc_srtp();
    ASSERT_TRUE(idx.ok());
    EXPECT_NE(idx.value(), 0u);
    got.insert(idx.value());
  }
  EXPECT_EQ(got.size(), cap - 1);
  EXPECT_EQ(cc->alloc_srtp().error(), Errc::TableFull);
  EXPECT_EQ(cc->srtp_in_use(), cap - 1);
  rtpgate_shm_srtp_entry e{};
  e.profile = RTPGATE_SRTP_AEAD_AES_256_GCM;
  e.key_len = 32;
  e.salt_len = 12;
  std::memset(e.key, 0xab, sizeof(e.key));
  std::memset(e.salt, 0xcd, sizeof(e.salt));
  const uint32_t v1 = cc->write_srtp(5, e);
  const uint32_t v2 = cc->write_srtp(5, e);
  EXPECT_EQ(v2, v1 + 1);
  EXPECT_EQ(dp_.srtp(5).key[31], 0xab);
  auto seq = cc->submit_srtp(RTPGATE_CMD_SRTP_SET, 5);
  ASSERT_TRUE(seq.ok());
  rtpgate_shm_cmd c;
  ASSERT_TRUE(dp_.cmd_ring().pop(c));
  EXPECT_EQ(c.op, RTPGATE_CMD_SRTP_SET);
  EXPECT_EQ(c.flow_id, 5u);
  EXPECT_EQ(c.flow_version, v2);
  EXPECT_EQ(cc->submit_srtp(RTPGATE_CMD_SRTP_SET, 0).error(), Errc::BadParam);
  cc->free_srtp(5);
  EXPECT_EQ(std::count(dp_.srtp(5).key, dp_.srtp(5).key + 32, 0), 32);
  EXPECT_EQ(std::count(dp_.srtp(5).salt, dp_.srtp(5).salt + 16, 0), 16);
  EXPECT_EQ(cc->alloc_srtp().value(), 5u);
}

TEST_F(ControlClientTest, RegionIsNotWorldReadable) {
  struct stat st{};
  ASSERT_EQ(fstat(dp_.fd(), &st), 0);
  EXPECT_EQ(st.st_mode & 0007, 0u) << "mode " << std::oct << (st.st_mode & 0777);
}

}  // namespace
}  // namespace rtpgate::shm
