// Relay ports running out (issue 10), through the plugin API: our plugin behind a data plane
// whose relay range holds three RTP/RTCP port pairs (tests/plugin/media/fake_dataplane.h: a
// real shared region, flow commands answered by a thread, no DPDK). A `call` that cannot get
// its ports answers 450 "Could not allocate RTP/RTCP ports" (spec §4.3) and gives back what it
// took (an audio pair taken before the video pair failed, its flows); calls that have their
// ports keep their flows. This binary has its own main(): the data plane must exist before
// the plugin loads.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <thread>

#include "fake_dataplane.h"
#include "plugin_test_env.h"
#include "scripted_peer.h"
#include "sip_sink.h"

namespace rtpgate::test {
namespace {

using ctl::media::testing::FakeDataPlane;
using ctl::media::testing::FakeDpConfig;

FakeDataPlane* g_dp = nullptr;

uint32_t popcount(const uint64_t* w, uint64_t n) {
  uint32_t c = 0;
  for (uint64_t i = 0; i < n; i++) c += static_cast<uint32_t>(__builtin_popcountll(w[i]));
  return c;
}

struct Taken {
  uint32_t flows, ports, srtp, installed;
  bool operator==(const Taken&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Taken& t) {
  return os << "{flows " << t.flows << ", ports " << t.ports << ", srtp " << t.srtp << ", installed " << t.installed
            << "}";
}

// What the region's bitmaps (and the data plane's flow table) hold now.
Taken taken() {
  const shm::Region& r = g_dp->region();
  const auto& h = *r.hdr();
  return {popcount(r.flow_bitmap(), (h.flow_capacity + 63) / 64),
          popcount(r.port_bitmap(0), h.port_bitmap_words_per_addr),
          popcount(r.srtp_bitmap(), (h.srtp_capacity + 63) / 64), static_cast<uint32_t>(g_dp->installed().size())};
}

// Waits (bounded) until the bitmaps read `want`: closing a call's media runs on the plugin's
// threads after the event.
bool eventually_taken(const Taken& want) {
  for (int i = 0; i < 3000 && !(taken() == want); i++) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return taken() == want;
}

constexpr const char* kNoPorts = "Could not allocate RTP/RTCP ports";

class PortExhaustion : public PluginApiTest {
 protected:
  void SetUp() override {
    if (stock()) GTEST_SKIP() << "rtpgate's data plane only";
    ASSERT_EQ(taken(), (Taken{0, 0, 0, 0})) << "a previous test left media behind";
  }
  void TearDown() override {
    PluginApiTest::TearDown();  // detaches every handle: their calls' media is closed
    EXPECT_TRUE(eventually_taken({0, 0, 0, 0})) << taken();
  }
  janus_plugin_session* caller(const std::string& user) {
    janus_plugin_session* h = attach();
    guest_register(h, user);
    return h;
  }
  PluginEvent call(janus_plugin_session* h, bool video, const std::string& extra = "") {
    return request(h, R"({"request":"call","uri":")" + peer_.uri("bob") + "\"" + extra + "}",
                   offer_jsep(true, video));
  }

  SipSink peer_;
};

// Three pairs: an audio+video call takes two; a second audio+video call gets the audio pair,
// fails on video and gives the audio pair and both its flows back; an audio call then fits;
// a fourth call finds nothing. The first call's flows stay installed throughout.
TEST_F(PortExhaustion, CallWithoutPortsIs450AndGivesBackWhatItTook) {
  auto* a = caller("alice");
  ASSERT_TRUE(IsResult(call(a, true), "calling"));
  const Taken one{4, 4, 0, 4};
  ASSERT_EQ(taken(), one);
  const auto a_flows = g_dp->installed();

  auto* b = caller("bob");
  EXPECT_TRUE(IsError(call(b, true), 450, kNoPorts));
  EXPECT_EQ(taken(), one);
  EXPECT_EQ(g_dp->installed(), a_flows);
  // SDES requested: still 450, no SRTP entry taken.
  EXPECT_TRUE(IsError(call(b, true, R"(,"srtp":"sdes_mandatory")"), 450, kNoPorts));
  EXPECT_EQ(taken(), one);

  ASSERT_TRUE(IsResult(call(b, false), "calling"));
  const Taken two{6, 6, 0, 6};
  EXPECT_EQ(taken(), two);

  auto* c = caller("carol");
  EXPECT_TRUE(IsError(call(c, false), 450, kNoPorts));
  EXPECT_TRUE(IsError(call(c, false), 450, kNoPorts));  // the session stays usable
  EXPECT_EQ(taken(), two);
  for (uint32_t f : a_flows) EXPECT_TRUE(g_dp->installed().count(f)) << f;

  // A call that ends gives its ports back: the next one fits.
  detach(b);
  ASSERT_TRUE(eventually_taken(one)) << taken();
  EXPECT_TRUE(IsResult(call(c, false), "calling"));
  EXPECT_EQ(taken(), two);
  for (uint32_t f : a_flows) EXPECT_TRUE(g_dp->installed().count(f)) << f;
}

// An incoming call while every pair is taken: `accept` answers 450 (ports are allocated on
// accept, as v1.1.2 does) and takes nothing; the call is still ringing, so the application can
// `decline` it and the peer gets that final answer.
TEST_F(PortExhaustion, AcceptWithoutPortsIs450AndTheCallCanBeDeclined) {
  auto* a = caller("alice");
  ASSERT_TRUE(IsResult(call(a, true), "calling"));
  auto* b = caller("bob");
  ASSERT_TRUE(IsResult(call(b, false), "calling"));
  const Taken full{6, 6, 0, 6};
  ASSERT_EQ(taken(), full);

  ScriptedPeer peer;
  auto* d = attach();
  ASSERT_TRUE(IsResult(request(d, R"({"request":"register","username":"sip:dave@127.0.0.1","secret":"pw",)"
                                  R"("proxy":")" + peer.uri("reg") + "\"}"),
                       "registering"));
  ASSERT_TRUE(core().wait_event_if(d, [](const PluginEvent& e) { return e.result_event() == "registered"; },
                                   kEventTimeout));
  auto reg = peer.wait_request("REGISTER", kEventTimeout);
  ASSERT_TRUE(reg);
  std::smatch m;
  const std::string contact = sip_header(*reg, "Contact").value_or("");
  ASSERT_TRUE(std::regex_search(contact, m, std::regex("@127\\.0\\.0\\.1:([0-9]+)"))) << contact;
  const std::string sdp =
      "v=0\r\no=carol 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
      "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
  ASSERT_TRUE(peer.send(peer.out_of_dialog("INVITE", "sip:dave@127.0.0.1:" + m[1].str(), "carol",
                                           "sip:dave@127.0.0.1", "", "application/sdp", sdp)));
  auto incoming = core().wait_event_if(d, [](const PluginEvent& e) { return e.result_event() == "incomingcall"; },
                                       kEventTimeout);
  ASSERT_TRUE(incoming);
  const std::string call_id = incoming->call_id().value_or("");
  const std::string answer =
      R"({"type":"answer","sdp":"v=0\r\no=- 4611731400430051337 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n)"
      R"(m=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n"})";
  EXPECT_TRUE(IsErrorWithCallId(request(d, R"({"request":"accept"})", answer), 450, kNoPorts, call_id));
  EXPECT_EQ(taken(), full);
  EXPECT_TRUE(IsResult(request(d, R"({"request":"decline"})"), "declining"));
  std::optional<std::string> final;
  while ((final = peer.wait_response("INVITE", kEventTimeout)) && (*final)[8] == '1') {
  }
  ASSERT_TRUE(final) << "no final response to the INVITE";
  EXPECT_EQ(final->substr(0, 11), "SIP/2.0 486") << *final;
  EXPECT_EQ(taken(), full);
}

}  // namespace
}  // namespace rtpgate::test

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  rtpgate::ctl::media::testing::FakeDpConfig c;
  c.flows = 16;
  c.port_min = 30000;
  c.port_max = 30005;  // three RTP/RTCP pairs
  c.ipv6_second_addr = false;
  const std::string shm = "/rtpgate-harness-ports-" + std::to_string(getpid());
  auto dp = std::make_unique<rtpgate::ctl::media::testing::FakeDataPlane>(shm, c);
  if (!dp->start()) {
    std::fprintf(stderr, "cannot create the region %s\n", shm.c_str());
    return 1;
  }
  rtpgate::test::g_dp = dp.get();
  setenv("RTPGATE_HARNESS_GENERAL", ("rtpgate_shm=\"" + shm + "\"").c_str(), 1);
  ::testing::AddGlobalTestEnvironment(&rtpgate::test::PluginEnv::get());
  const int rc = RUN_ALL_TESTS();
  dp->stop();
  return rc;
}
