// DataPlaneLink against a fake data plane (real shared region, commands answered by a
// thread): lazy attach, streams and their flows, ports, both packet directions, close
// semantics, data-plane restart, timeouts and leftovers of an earlier plugin instance.
#include "media/dataplane_link.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "fake_dataplane.h"
#include "rtp_builder.h"
#include "rtpgate/shm/control_client.h"

namespace rtpgate::ctl::media {
namespace {

using testing::FakeDataPlane;
using testing::FakeDpConfig;

#define EXPECT_CONTAINS(str, sub) \
  EXPECT_NE(std::string(str).find(sub), std::string::npos) << "\"" << (str) << "\" lacks \"" << (sub) << "\""

template <typename Pred>
bool eventually(Pred p, int timeout_ms = 3000) {
  for (int i = 0; i < timeout_ms; i++) {
    if (p()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return p();
}

class RecordingSink final : public Sink {
 public:
  void on_peer_packet(bool rtcp, uint8_t* data, uint16_t len) noexcept override {
    std::lock_guard<std::mutex> g(mu_);
    pkts_.push_back({rtcp, std::vector<uint8_t>(data, data + len)});
  }
  size_t count() {
    std::lock_guard<std::mutex> g(mu_);
    return pkts_.size();
  }
  std::pair<bool, std::vector<uint8_t>> at(size_t i) {
    std::lock_guard<std::mutex> g(mu_);
    return pkts_.at(i);
  }

 private:
  std::mutex mu_;
  std::vector<std::pair<bool, std::vector<uint8_t>>> pkts_;
};

uint32_t popcount_words(const uint64_t* w, uint64_t n) {
  uint32_t c = 0;
  for (uint64_t i = 0; i < n; i++) c += static_cast<uint32_t>(__builtin_popcountll(w[i]));
  return c;
}

class DataPlaneLinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    name_ = "/rtpgate-media-test-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    opt_.shm_name = name_;
    opt_.cmd_timeout_ms = 500;
    opt_.attach_retry_ms = 50;
    opt_.dscp_audio = 46;
  }
  void TearDown() override {
    link_.stop();
    if (dp_) dp_->stop();
  }
  void start_dp(FakeDpConfig c = {}) {
    dp_ = std::make_unique<FakeDataPlane>(name_, c);
    ASSERT_TRUE(dp_->start());
  }
  void start_link() {
    std::string why;
    ASSERT_TRUE(link_.start(opt_, &why)) << why;
  }
  StreamInfo open(Sink* s, const std::string& ip = "", bool video = false) {
    StreamInfo info;
    std::string why;
    EXPECT_TRUE(link_.open_stream(ip, video, s, &info, &why)) << why;
    return info;
  }
  uint32_t flows_allocated() {
    const auto& h = *dp_->region().hdr();
    return popcount_words(dp_->region().flow_bitmap(), (h.flow_capacity + 63) / 64);
  }
  uint32_t ports_allocated(uint32_t addr_idx = 0) {
    return popcount_words(dp_->region().port_bitmap(addr_idx), dp_->region().hdr()->port_bitmap_words_per_addr);
  }
  const rtpgate_shm_flow_params& params(uint32_t flow) { return dp_->region().flow(flow).params; }

  std::string name_;
  DataPlaneOptions opt_;
  std::unique_ptr<FakeDataPlane> dp_;
  DataPlaneLink link_;
  RecordingSink sink_;
};

TEST_F(DataPlaneLinkTest, AbsentDataPlaneIsReportedThenPickedUpOnUse) {
  start_link();
  std::string why;
  EXPECT_FALSE(link_.available(&why));
  EXPECT_EQ(why, "rtpgate data plane not running (" + name_ + ")");
  StreamInfo info;
  EXPECT_FALSE(link_.open_stream("", false, &sink_, &info, &why));
  EXPECT_CONTAINS(why, "not running");
  start_dp();
  EXPECT_TRUE(link_.available(&why)) << why;
  open(&sink_);
  EXPECT_EQ(link_.counters().attaches.load(), 1u);
}

TEST_F(DataPlaneLinkTest, StoppedDataPlaneIsNotAvailable) {
  start_dp();
  start_link();
  std::string why;
  ASSERT_TRUE(link_.available(&why)) << why;
  __atomic_store_n(&dp_->region().hdr()->dp_state, RTPGATE_DP_STARTING, __ATOMIC_RELEASE);
  EXPECT_FALSE(link_.available(&why));
  EXPECT_CONTAINS(why, "not running");
}

TEST_F(DataPlaneLinkTest, OpenStreamInstallsRtpAndRtcpFlowsToControl) {
  start_dp();
  start_link();
  const StreamInfo info = open(&sink_, "10.9.0.2");
  EXPECT_EQ(info.ip, "10.9.0.2");
  EXPECT_EQ(info.family, 4);
  EXPECT_EQ(info.rtp_port % 2, 0);
  EXPECT_GE(info.rtp_port, 30000);
  EXPECT_LE(info.rtp_port, 30010);
  EXPECT_EQ(info.rtcp_port, info.rtp_port + 1);
  const auto rtp_flow = static_cast<uint32_t>(info.id);
  ASSERT_EQ(dp_->installed().size(), 2u);
  EXPECT_TRUE(dp_->installed().count(rtp_flow));
  const auto& rp = params(rtp_flow);
  EXPECT_EQ(rp.kind, RTPGATE_KIND_RTP);
  EXPECT_EQ(rp.action, RTPGATE_ACT_TO_CTL);
  EXPECT_EQ(rp.local_port, info.rtp_port);
  EXPECT_EQ(rp.local.addr[3], 2);
  EXPECT_EQ(rp.out_dst.family, 0);  // no peer yet
  EXPECT_TRUE(rp.flags & RTPGATE_FLOW_F_RTCP_MUX);
  EXPECT_TRUE(rp.flags & RTPGATE_FLOW_F_DSCP);
  EXPECT_EQ(rp.dscp, 46);
  EXPECT_FALSE(rp.flags & (RTPGATE_FLOW_F_EXPECT_ADDR | RTPGATE_FLOW_F_EXPECT_PORT | RTPGATE_FLOW_F_LATCH));
  const auto& cp = params(rp.rtcp_flow_id);
  EXPECT_TRUE(dp_->installed().count(rp.rtcp_flow_id));
  EXPECT_EQ(cp.kind, RTPGATE_KIND_RTCP);
  EXPECT_EQ(cp.local_port, info.rtp_port + 1);
  EXPECT_EQ(cp.out_src_port, info.rtp_port + 1);
  EXPECT_FALSE(cp.flags & RTPGATE_FLOW_F_DSCP);
  EXPECT_EQ(cp.cookie, rp.cookie);
  EXPECT_EQ(flows_allocated(), 2u);
  EXPECT_EQ(ports_allocated(1), 2u);
}

TEST_F(DataPlaneLinkTest, UnknownOrEmptySdpIpUsesTheFirstAddressAndIpv6Works) {
  start_dp();
  start_link();
  EXPECT_EQ(open(&sink_, "").ip, "10.9.0.1");
  EXPECT_EQ(open(&sink_, "192.0.2.1").ip, "10.9.0.1");
  const StreamInfo v6 = open(&sink_, "fd00::1", true);
  EXPECT_EQ(v6.ip, "fd00::1");
  EXPECT_EQ(v6.family, 6);
}

TEST_F(DataPlaneLinkTest, CloseRemovesFlowsAndFreesPortsAndSlots) {
  start_dp();
  start_link();
  const StreamInfo a = open(&sink_);
  const StreamInfo b = open(&sink_);
  EXPECT_NE(a.rtp_port, b.rtp_port);
  EXPECT_EQ(link_.open_streams(), 2u);
  link_.close_stream(a.id);
  link_.close_stream(a.id);  // twice is harmless
  EXPECT_EQ(dp_->installed().size(), 2u);
  link_.close_stream(b.id);
  EXPECT_TRUE(dp_->installed().empty());
  EXPECT_EQ(flows_allocated(), 0u);
  EXPECT_EQ(ports_allocated(), 0u);
  EXPECT_EQ(link_.open_streams(), 0u);
}

TEST_F(DataPlaneLinkTest, PortsExhaustedAndFlowTableFullAreClearErrors) {
  FakeDpConfig c;
  c.flows = 10;  // 5 streams; the range has 6 pairs
  start_dp(c);
  start_link();
  std::vector<StreamId> ids;
  for (int i = 0; i < 5; i++) ids.push_back(open(&sink_).id);
  StreamInfo info;
  std::string why;
  EXPECT_FALSE(link_.open_stream("", false, &sink_, &info, &why));
  EXPECT_CONTAINS(why, "flow table full");
  EXPECT_EQ(ports_allocated(), 10u);  // the sixth pair was given back
  link_.close_stream(ids[0]);
  open(&sink_);
  EXPECT_FALSE(link_.open_stream("", false, &sink_, &info, &why));
  EXPECT_CONTAINS(why, "flow table full");
  for (StreamId id : ids) link_.close_stream(id);
}

TEST_F(DataPlaneLinkTest, NoFreePortPair) {
  FakeDpConfig c;
  c.flows = 64;
  start_dp(c);
  start_link();
  for (int i = 0; i < 6; i++) open(&sink_);
  StreamInfo info;
  std::string why;
  EXPECT_FALSE(link_.open_stream("", false, &sink_, &info, &why));
  EXPECT_CONTAINS(why, "no free RTP/RTCP port pair on 10.9.0.1");
  EXPECT_EQ(flows_allocated(), 12u);
}

TEST_F(DataPlaneLinkTest, ConfiguredPortSubsetIsHonoured) {
  start_dp();
  opt_.port_min = 30004;
  opt_.port_max = 30007;
  start_link();
  const StreamInfo a = open(&sink_);
  const StreamInfo b = open(&sink_);
  EXPECT_EQ(std::min(a.rtp_port, b.rtp_port), 30004);
  EXPECT_EQ(std::max(a.rtp_port, b.rtp_port), 30006);
  StreamInfo info;
  std::string why;
  EXPECT_FALSE(link_.open_stream("", false, &sink_, &info, &why));
}

TEST_F(DataPlaneLinkTest, DisjointPortSubsetFallsBackToTheRegionRange) {
  start_dp();
  opt_.port_min = 40000;
  opt_.port_max = 40100;
  start_link();
  const StreamInfo a = open(&sink_);
  EXPECT_GE(a.rtp_port, 30000);
  EXPECT_LE(a.rtp_port, 30010);
}

TEST_F(DataPlaneLinkTest, PeerPacketsReachTheOwningSink) {
  start_dp();
  start_link();
  RecordingSink other;
  const StreamInfo a = open(&sink_);
  const StreamInfo b = open(&other);
  const auto rtp_a = static_cast<uint32_t>(a.id);
  const uint32_t rtcp_a = params(rtp_a).rtcp_flow_id;
  const auto p = testing::rtp(0x77, 1, 2);
  const auto r = testing::rtcp(0, 201, 1);
  ASSERT_TRUE(dp_->inject(1, rtp_a, false, p.data(), static_cast<uint16_t>(p.size())));
  ASSERT_TRUE(dp_->inject(0, rtcp_a, true, r.data(), static_cast<uint16_t>(r.size())));
  ASSERT_TRUE(dp_->inject(0, static_cast<uint32_t>(b.id), false, p.data(), static_cast<uint16_t>(p.size())));
  ASSERT_TRUE(eventually([&] { return sink_.count() == 2 && other.count() == 1; }));
  bool saw_rtp = false, saw_rtcp = false;
  for (size_t i = 0; i < 2; i++) {
    const auto [is_rtcp, bytes] = sink_.at(i);
    if (is_rtcp) saw_rtcp = bytes == r;
    else saw_rtp = bytes == p;
  }
  EXPECT_TRUE(saw_rtp);
  EXPECT_TRUE(saw_rtcp);
  // A flow nobody owns is dropped and counted.
  ASSERT_TRUE(dp_->inject(0, 15, false, p.data(), static_cast<uint16_t>(p.size())));
  EXPECT_TRUE(eventually([&] { return link_.counters().drop_rx_no_stream.load() == 1; }));
  EXPECT_EQ(link_.counters().delivered_pkts.load(), 3u);
}

TEST_F(DataPlaneLinkTest, SendToPeerNeedsAPeerAndFollowsDirection) {
  start_dp();
  start_link();
  const StreamInfo a = open(&sink_);
  const auto rtp_flow = static_cast<uint32_t>(a.id);
  const uint32_t rtcp_flow = params(rtp_flow).rtcp_flow_id;
  const auto p = testing::rtp(1, 1, 1);
  const auto len = static_cast<uint16_t>(p.size());
  EXPECT_FALSE(link_.send_to_peer(a.id, false, p.data(), len));
  EXPECT_EQ(link_.counters().drop_send_no_peer.load(), 1u);

  PeerTarget peer;
  peer.addr = "10.9.0.200";
  peer.rtp_port = 5004;
  std::string why;
  ASSERT_TRUE(link_.set_peer(a.id, peer, &why)) << why;
  const auto& rp = params(rtp_flow);
  EXPECT_EQ(rp.out_dst.addr[3], 200);
  EXPECT_EQ(rp.out_dst_port, 5004);
  EXPECT_EQ(rp.direction, RTPGATE_DIR_SENDRECV);
  EXPECT_FALSE(rp.flags & RTPGATE_FLOW_F_EXPECT_ADDR);
  EXPECT_EQ(params(rtcp_flow).out_dst_port, 5005);
  EXPECT_TRUE(rp.flags & RTPGATE_FLOW_F_RTCP_MUX);

  EXPECT_TRUE(link_.send_to_peer(a.id, false, p.data(), len));
  EXPECT_TRUE(link_.send_to_peer(a.id, true, p.data(), len));
  const uint32_t ring = ToDpRings::pick(a.id, 2);
  rtpgate_shm_pkt_slot s;
  ASSERT_TRUE(dp_->take(ring, &s));
  EXPECT_EQ(s.flow_id, rtp_flow);
  EXPECT_EQ(s.is_rtcp, 0);
  EXPECT_EQ(s.len, len);
  EXPECT_EQ(std::vector<uint8_t>(s.data, s.data + s.len), p);
  ASSERT_TRUE(dp_->take(ring, &s));
  EXPECT_EQ(s.flow_id, rtcp_flow);
  EXPECT_EQ(s.is_rtcp, 1);

  peer.send = false;
  peer.recv = false;
  peer.rtcp_port = 6000;
  peer.source_flags = RTPGATE_FLOW_F_EXPECT_ADDR;
  ASSERT_TRUE(link_.set_peer(a.id, peer, &why)) << why;
  EXPECT_EQ(params(rtp_flow).direction, RTPGATE_DIR_INACTIVE);  // neither way
  EXPECT_TRUE(params(rtp_flow).flags & RTPGATE_FLOW_F_EXPECT_ADDR);
  EXPECT_EQ(params(rtcp_flow).out_dst_port, 6000);
  EXPECT_FALSE(link_.send_to_peer(a.id, false, p.data(), len));
  EXPECT_EQ(link_.counters().drop_send_direction.load(), 1u);

  peer.recv = true;  // still send = false: the flow forwards what arrives, we send nothing
  ASSERT_TRUE(link_.set_peer(a.id, peer, &why)) << why;
  EXPECT_EQ(params(rtp_flow).direction, RTPGATE_DIR_SENDONLY);
  EXPECT_EQ(params(rtcp_flow).direction, RTPGATE_DIR_SENDONLY);
  EXPECT_FALSE(link_.send_to_peer(a.id, false, p.data(), len));
  EXPECT_EQ(link_.counters().drop_send_direction.load(), 2u);

  peer.send = true;
  peer.recv = true;
  peer.on_hold = true;
  ASSERT_TRUE(link_.set_peer(a.id, peer, &why)) << why;
  EXPECT_EQ(params(rtp_flow).direction, RTPGATE_DIR_INACTIVE);
  EXPECT_FALSE(link_.send_to_peer(a.id, false, p.data(), len));
  EXPECT_EQ(link_.counters().drop_send_direction.load(), 3u);

  StreamCounters sc;
  ASSERT_TRUE(link_.stream_counters(a.id, &sc));
  EXPECT_EQ(sc.to_dp_pkts, 2u);
  EXPECT_EQ(sc.drop_direction, 3u);
  EXPECT_EQ(sc.drop_no_peer, 1u);

  std::vector<uint8_t> big(RTPGATE_PKT_SLOT_DATA + 1);
  EXPECT_FALSE(link_.send_to_peer(a.id, false, big.data(), static_cast<uint16_t>(big.size())));
  EXPECT_EQ(link_.counters().drop_send_too_big.load(), 1u);

  link_.close_stream(a.id);
  EXPECT_FALSE(link_.send_to_peer(a.id, false, p.data(), len));
  EXPECT_FALSE(link_.send_to_peer(kNoStream, false, p.data(), len));
  EXPECT_EQ(link_.counters().drop_send_stale.load(), 2u);
}

TEST_F(DataPlaneLinkTest, PeerAddressChecks) {
  start_dp();
  start_link();
  const StreamInfo a = open(&sink_);
  PeerTarget peer;
  std::string why;
  peer.addr = "not-an-ip";
  peer.rtp_port = 5000;
  EXPECT_FALSE(link_.set_peer(a.id, peer, &why));
  EXPECT_CONTAINS(why, "bad peer media address");
  peer.addr = "2001:db8::1";
  EXPECT_FALSE(link_.set_peer(a.id, peer, &why));
  EXPECT_CONTAINS(why, "IPv6");
  peer.addr = "0.0.0.0";  // SDP hold address: no output, nothing sent
  ASSERT_TRUE(link_.set_peer(a.id, peer, &why)) << why;
  EXPECT_EQ(params(static_cast<uint32_t>(a.id)).out_dst.family, 0);
  const auto p = testing::rtp(1, 1, 1);
  EXPECT_FALSE(link_.send_to_peer(a.id, false, p.data(), static_cast<uint16_t>(p.size())));
  EXPECT_EQ(link_.counters().drop_send_no_peer.load(), 1u);
  EXPECT_FALSE(link_.set_peer(a.id + 1, peer, &why));
  EXPECT_CONTAINS(why, "no such media stream");
}

TEST_F(DataPlaneLinkTest, SinkIsNeverCalledAfterCloseReturns) {
  start_dp();
  start_link();
  for (int round = 0; round < 20; round++) {
    RecordingSink s;
    const StreamInfo a = open(&s);
    const auto flow = static_cast<uint32_t>(a.id);
    std::atomic<bool> stop{false};
    std::thread feeder([&] {
      const auto p = testing::rtp(1, 1, 1);
      while (!stop) {
        dp_->inject(0, flow, false, p.data(), static_cast<uint16_t>(p.size()));
        std::this_thread::yield();
      }
    });
    eventually([&] { return s.count() > 10; });
    link_.close_stream(a.id);
    const size_t at_close = s.count();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    stop = true;
    feeder.join();
    EXPECT_EQ(s.count(), at_close);
    EXPECT_GT(at_close, 0u);
  }
}

TEST_F(DataPlaneLinkTest, DataPlaneRestartReprogramsOpenStreams) {
  start_dp();
  start_link();
  const StreamInfo a = open(&sink_);
  PeerTarget peer;
  peer.addr = "10.9.0.9";
  peer.rtp_port = 4000;
  std::string why;
  ASSERT_TRUE(link_.set_peer(a.id, peer, &why)) << why;
  SrtpKey out, in;  // SDES keys: the contexts are rebuilt from them
  for (SrtpKey* k : {&out, &in}) {
    k->profile = SrtpProfile::AeadAes128Gcm;
    k->key_len = srtp_key_len(k->profile);
    k->salt_len = srtp_salt_len(k->profile);
    std::memset(k->key, k == &out ? 0x31 : 0x42, k->key_len);
  }
  ASSERT_TRUE(link_.set_srtp(a.id, &out, &in, &why)) << why;
  EXPECT_TRUE(link_.stream_alive(a.id));
  const uint32_t rtp_flow = static_cast<uint32_t>(a.id);
  dp_->stop();  // clean stop: state STOPPED, name unlinked
  EXPECT_FALSE(link_.available(&why));
  EXPECT_CONTAINS(why, "not running");
  EXPECT_FALSE(link_.stream_alive(a.id));
  const auto p = testing::rtp(1, 1, 1);
  EXPECT_FALSE(link_.send_to_peer(a.id, false, p.data(), static_cast<uint16_t>(p.size())));
  dp_ = std::make_unique<FakeDataPlane>(name_);
  ASSERT_TRUE(dp_->start());
  // The bridge thread re-attaches and re-programs the stream: same flow slots, same port,
  // the peer again; no request from the call needed.
  EXPECT_TRUE(eventually([&] { return link_.counters().readopted_streams.load() == 1; }));
  EXPECT_EQ(link_.counters().attaches.load(), 2u);
  EXPECT_TRUE(link_.stream_alive(a.id));
  EXPECT_EQ(dp_->installed().size(), 2u);
  EXPECT_EQ(dp_->installed().count(rtp_flow), 1u);
  const rtpgate_shm_flow_params& fp = dp_->region().flow(rtp_flow).params;
  EXPECT_EQ(fp.local_port, a.rtp_port);
  EXPECT_EQ(fp.out_dst_port, 4000);
  ASSERT_NE(fp.srtp_slot, 0u);
  ASSERT_NE(fp.srtp_slot, UINT32_MAX);
  ASSERT_NE(fp.srtp_out_slot, 0u);
  EXPECT_EQ(dp_->region().srtp(fp.srtp_out_slot).key[0], 0x31);  // the same keys, in the new region
  EXPECT_EQ(dp_->region().srtp(fp.srtp_slot).key[0], 0x42);
  EXPECT_EQ(dp_->region().flow(fp.rtcp_flow_id).params.srtp_out_slot, fp.srtp_out_slot);
  EXPECT_TRUE(link_.send_to_peer(a.id, false, p.data(), static_cast<uint16_t>(p.size())));
  rtpgate_shm_pkt_slot got;
  EXPECT_TRUE(eventually([&] { return dp_->take(0, &got) || dp_->take(1, &got); }));
  EXPECT_EQ(got.flow_id, rtp_flow);
  const StreamInfo b = open(&sink_);  // new streams take other slots and ports
  EXPECT_NE(b.rtp_port, a.rtp_port);
  EXPECT_EQ(flows_allocated(), 4u);
  link_.close_stream(a.id);  // a lives in the new region now: its flows go
  EXPECT_EQ(flows_allocated(), 2u);
  link_.close_stream(b.id);
  EXPECT_EQ(flows_allocated(), 0u);
  EXPECT_EQ(link_.counters().orphaned_streams.load(), 1u);
  EXPECT_EQ(link_.counters().readopt_failures.load(), 0u);
}

TEST_F(DataPlaneLinkTest, StreamsThatDoNotFitTheNewDataPlaneStayGone) {
  start_dp();
  start_link();
  const StreamInfo a = open(&sink_);
  dp_->stop();
  FakeDpConfig c;
  c.port_min = 31000;  // the new data plane serves other ports: the SDP's port is not there
  c.port_max = 31011;
  dp_ = std::make_unique<FakeDataPlane>(name_, c);
  ASSERT_TRUE(dp_->start());
  EXPECT_TRUE(eventually([&] { return link_.counters().readopt_failures.load() == 1; }));
  EXPECT_FALSE(link_.stream_alive(a.id));
  std::string why;
  PeerTarget peer;
  peer.addr = "10.9.0.9";
  peer.rtp_port = 4000;
  EXPECT_FALSE(link_.set_peer(a.id, peer, &why));
  EXPECT_CONTAINS(why, "restarted");
  EXPECT_EQ(flows_allocated(), 0u);  // nothing claimed half-way
  const StreamInfo b = open(&sink_);
  link_.close_stream(a.id);  // must not touch the new region
  EXPECT_EQ(dp_->installed().size(), 2u);
  link_.close_stream(b.id);
  EXPECT_EQ(flows_allocated(), 0u);
}

TEST_F(DataPlaneLinkTest, ARelayPortTakenInTheNewDataPlaneIsLeftToItsHolder) {
  opt_.attach_retry_ms = 600000;  // no maintenance by the bridge: the test decides when
  start_dp();
  start_link();
  const StreamInfo a = open(&sink_);
  dp_->stop();
  dp_ = std::make_unique<FakeDataPlane>(name_);
  ASSERT_TRUE(dp_->start());
  // Another controller took the stream's RTP port in the new region first.
  const rtpgate_shm_header& h = *dp_->region().hdr();
  const uint32_t bit = a.rtp_port - h.port_min;
  uint64_t* ports = dp_->region().port_bitmap(0);
  ports[bit / 64] |= uint64_t{1} << (bit % 64);
  std::string why;
  EXPECT_TRUE(link_.available(&why)) << why;  // re-attaches, tries to re-program
  EXPECT_EQ(link_.counters().readopt_failures.load(), 1u);
  EXPECT_FALSE(link_.stream_alive(a.id));
  EXPECT_TRUE((ports[bit / 64] >> (bit % 64)) & 1u) << "the holder's port was freed";
  EXPECT_FALSE((ports[(bit + 1) / 64] >> ((bit + 1) % 64)) & 1u);
  EXPECT_EQ(flows_allocated(), 0u);
  link_.close_stream(a.id);
}

TEST_F(DataPlaneLinkTest, KilledDataPlaneReplacedWithoutCleanStop) {
  start_dp();
  start_link();
  const StreamInfo a = open(&sink_);
  // A new data plane replaces the region while the old mapping still looks alive.
  auto next = std::make_unique<FakeDataPlane>(name_);
  ASSERT_TRUE(next->start());
  std::string why;
  EXPECT_TRUE(link_.available(&why)) << why;  // on use: not current -> re-attach, re-program
  EXPECT_TRUE(link_.stream_alive(a.id));
  EXPECT_EQ(next->installed().size(), 2u);
  const StreamInfo b = open(&sink_);
  EXPECT_EQ(next->installed().size(), 4u);
  link_.close_stream(b.id);
  link_.close_stream(a.id);
  EXPECT_EQ(next->installed().size(), 0u);
  EXPECT_EQ(dp_->installed().size(), 2u);  // the old one never heard of the close
  link_.stop();
  next->stop();
}

TEST_F(DataPlaneLinkTest, UnansweredCommandsTimeOutAndSlotsComeBackLater) {
  start_dp();
  opt_.cmd_timeout_ms = 50;
  start_link();
  dp_->set_answering(false);
  StreamInfo info;
  std::string why;
  EXPECT_FALSE(link_.open_stream("", false, &sink_, &info, &why));
  EXPECT_CONTAINS(why, "did not answer within 50 ms");
  EXPECT_EQ(flows_allocated(), 2u);  // kept until the data plane confirms
  dp_->set_answering(true);
  EXPECT_TRUE(eventually([&] {
    link_.maintain();
    return flows_allocated() == 0 && ports_allocated() == 0;
  }));
  EXPECT_TRUE(dp_->installed().empty());
  EXPECT_GE(link_.counters().cmd_timeouts.load(), 2u);
}

TEST_F(DataPlaneLinkTest, RefusedInstallLeaksNothing) {
  start_dp();
  start_link();
  dp_->set_install_error(Errc::NoNeighbour);
  StreamInfo info;
  std::string why;
  EXPECT_FALSE(link_.open_stream("", false, &sink_, &info, &why));
  EXPECT_CONTAINS(why, "refused the flow (no neighbour entry for the next hop)");
  EXPECT_EQ(flows_allocated(), 0u);
  EXPECT_EQ(ports_allocated(), 0u);
}

TEST_F(DataPlaneLinkTest, LeftoversOfAnEarlierPluginAreRemovedAtAttach) {
  start_dp();
  {
    std::string why;
    auto cc = shm::ControlClient::open(name_, &why);
    ASSERT_TRUE(cc.ok()) << why;
    for (uint32_t cookie : {0xC7000005u, 0u}) {  // ours, and a hand-made flow (rtpgatectl)
      const uint32_t f = cc->alloc_flow().value();
      rtpgate_shm_flow_params p{};
      p.cookie = cookie;
      p.action = RTPGATE_ACT_TO_CTL;
      p.local = cc->hdr().addrs[0];
      p.local_port = cookie ? 30000 : 30002;
      ASSERT_TRUE(cc->claim_port(0, p.local_port));
      cc->write_params(f, p);
      ASSERT_EQ(cc->execute(RTPGATE_CMD_FLOW_INSTALL, f), Errc::Ok);
    }
  }
  start_link();
  EXPECT_EQ(dp_->installed().size(), 1u);
  EXPECT_EQ(flows_allocated(), 1u);
  EXPECT_EQ(ports_allocated(), 1u);
}

// SDES-SRTP (link_srtp.cc): entries in the region, both flows pointed at them, a direction
// whose key did not change keeps its context, replaced/closed contexts are deleted and wiped.
TEST_F(DataPlaneLinkTest, SetSrtpProgramsBothFlowsAndRekeysOneDirection) {
  start_dp();
  start_link();
  const StreamInfo a = open(&sink_);
  const auto rtp = static_cast<uint32_t>(a.id);
  const uint32_t rtcp = params(rtp).rtcp_flow_id;
  auto key = [](SrtpProfile p, uint8_t fill) {
    SrtpKey k;
    k.profile = p;
    k.key_len = srtp_key_len(p);
    k.salt_len = srtp_salt_len(p);
    std::memset(k.key, fill, k.key_len);
    std::memset(k.salt, fill ^ 0x5a, k.salt_len);
    return k;
  };
  const SrtpKey out1 = key(SrtpProfile::AesCm128HmacSha1_80, 0x11), in1 = key(SrtpProfile::AesCm128HmacSha1_80, 0x22);
  std::string why;
  ASSERT_TRUE(link_.set_srtp(a.id, &out1, &in1, &why)) << why;
  const uint32_t in_idx = params(rtp).srtp_slot, out_idx = params(rtp).srtp_out_slot;
  ASSERT_NE(in_idx, 0u);
  ASSERT_NE(in_idx, UINT32_MAX);
  ASSERT_NE(out_idx, 0u);
  EXPECT_EQ(params(rtcp).srtp_slot, in_idx);  // SRTCP (port + 1 or rtcp-mux) uses the same contexts
  EXPECT_EQ(params(rtcp).srtp_out_slot, out_idx);
  EXPECT_TRUE(params(rtp).flags & RTPGATE_FLOW_F_SRTP_AUTH);
  const auto& e_in = dp_->region().srtp(in_idx);
  EXPECT_EQ(e_in.direction, RTPGATE_SRTP_DIR_UNPROTECT);
  EXPECT_EQ(e_in.profile, RTPGATE_SRTP_AES_CM_128_HMAC_SHA1_80);
  EXPECT_EQ(e_in.key_len, 16);
  EXPECT_EQ(e_in.salt_len, 14);
  EXPECT_EQ(e_in.key[0], 0x22);
  EXPECT_EQ(dp_->region().srtp(out_idx).direction, RTPGATE_SRTP_DIR_PROTECT);
  // A re-INVITE with a new key from the peer only: the outbound context stays.
  const SrtpKey in2 = key(SrtpProfile::AeadAes256Gcm, 0x33);
  ASSERT_TRUE(link_.set_srtp(a.id, &out1, &in2, &why)) << why;
  EXPECT_EQ(params(rtp).srtp_out_slot, out_idx);
  const uint32_t in_idx2 = params(rtp).srtp_slot;
  EXPECT_NE(in_idx2, in_idx);
  EXPECT_EQ(dp_->region().srtp(in_idx2).key_len, 32);
  EXPECT_EQ(std::count(e_in.key, e_in.key + 32, 0), 32) << "replaced entry wiped";
  // A new peer address keeps the contexts.
  PeerTarget peer;
  peer.addr = "10.9.0.99";
  peer.family = 4;
  peer.rtp_port = 40000;
  peer.rtcp_port = 40001;
  ASSERT_TRUE(link_.set_peer(a.id, peer, &why)) << why;
  EXPECT_EQ(params(rtp).srtp_slot, in_idx2);
  EXPECT_EQ(params(rtcp).srtp_out_slot, out_idx);
  // Plain again, then closed: nothing left in the SRTP table.
  ASSERT_TRUE(link_.set_srtp(a.id, nullptr, nullptr, &why)) << why;
  EXPECT_EQ(params(rtp).srtp_slot, UINT32_MAX);
  EXPECT_EQ(params(rtp).srtp_out_slot, 0u);
  EXPECT_FALSE(params(rtp).flags & RTPGATE_FLOW_F_SRTP_AUTH);
  ASSERT_TRUE(link_.set_srtp(a.id, &out1, nullptr, &why)) << why;
  EXPECT_EQ(popcount_words(dp_->region().srtp_bitmap(), (dp_->region().hdr()->srtp_capacity + 63) / 64), 1u);
  link_.close_stream(a.id);
  EXPECT_EQ(popcount_words(dp_->region().srtp_bitmap(), (dp_->region().hdr()->srtp_capacity + 63) / 64), 0u);
}

TEST_F(DataPlaneLinkTest, SrtpEntriesOfAnEarlierPluginAreDeletedAtAttach) {
  start_dp();
  {
    std::string why;
    auto cc = shm::ControlClient::open(name_, &why);
    ASSERT_TRUE(cc.ok()) << why;
    for (uint32_t cookie : {0xC7000009u, 0u}) {  // ours, and a hand-made one (rtpgatectl)
      const uint32_t i = cc->alloc_srtp().value();
      rtpgate_shm_srtp_entry e{};
      e.cookie = cookie;
      e.profile = RTPGATE_SRTP_AES_CM_128_HMAC_SHA1_80;
      e.key_len = 16;
      e.salt_len = 14;
      std::memset(e.key, 0x77, 16);
      cc->write_srtp(i, e);
      ASSERT_EQ(cc->execute_srtp(RTPGATE_CMD_SRTP_SET, i), Errc::Ok);
    }
  }
  start_link();
  std::string why;
  EXPECT_TRUE(link_.available(&why)) << why;
  link_.maintain();
  const uint32_t words = (dp_->region().hdr()->srtp_capacity + 63) / 64;
  EXPECT_EQ(popcount_words(dp_->region().srtp_bitmap(), words), 1u);
  EXPECT_EQ(dp_->region().srtp(1).key[0], 0) << "our leftover entry wiped";
  EXPECT_EQ(dp_->region().srtp(2).key[0], 0x77) << "a foreign entry is left alone";
}

}  // namespace
}  // namespace rtpgate::ctl::media
