// A call that has left (INVITE sent to a SipSink that never answers, status `inviting`):
// the `calling` result, the top-level call_id on every later response, and the requests allowed
// or refused while inviting (spec §3.3, §4.3).
#include <cctype>
#include <thread>

#include <cstdlib>

#include "plugin_test_env.h"
#include "sip_sink.h"

namespace rtpgate::test {
namespace {

constexpr const char* kNotInCall = "Wrong state (not in a call?)";

class Inviting : public PluginApiTest {
 protected:
  void SetUp() override {
    h_ = attach();
    guest_register(h_);
  }
  // Sends the call; returns the `calling` event.
  PluginEvent call(const std::string& extra = "") {
    return request(h_, R"({"request":"call","uri":")" + peer_.uri("bob") + "\"" + extra + "}",
                   offer_jsep());
  }
  std::string start_call() {
    PluginEvent ev = call(R"(,"call_id":"call-under-test")");
    EXPECT_TRUE(IsResult(ev, "calling"));
    return "call-under-test";
  }

  SipSink peer_;
  janus_plugin_session* h_ = nullptr;
};

TEST_F(Inviting, CallingCarriesTheCallIdTwice) {
  PluginEvent ev = call(R"(,"call_id":"my-call-id@rtpgate")");
  EXPECT_TRUE(PayloadIs(ev, R"({"sip":"event","call_id":"my-call-id@rtpgate",
      "result":{"event":"calling","call_id":"my-call-id@rtpgate"}})"));
}

TEST_F(Inviting, RandomCallIdIs23AlphanumericCharacters) {
  PluginEvent ev = call();
  ASSERT_TRUE(IsResult(ev, "calling"));
  auto id = string_at(ev.result(), "call_id");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->size(), 23u) << *id;
  for (char c : *id) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << *id;
  EXPECT_EQ(ev.call_id(), id);
}

TEST_F(Inviting, InviteLeavesWithTheCallIdAndPlainRtpOffer) {
  start_call();
  auto sip = peer_.wait_request("INVITE", kEventTimeout);
  ASSERT_TRUE(sip);
  EXPECT_EQ(sip_header(*sip, "Call-ID"), "call-under-test");
  EXPECT_NE(sip_header(*sip, "To").value_or("").find(peer_.uri("bob")), std::string::npos);
  EXPECT_NE(sip_header(*sip, "From").value_or("").find("sip:alice@127.0.0.1"), std::string::npos);
  EXPECT_NE(sip->find("m=audio "), std::string::npos) << *sip;
  EXPECT_NE(sip->find(" RTP/AVP "), std::string::npos) << *sip;
  // Stock writes its own address; rtpgate the data plane's media address (with_dataplane.sh).
  const char* media_ip = std::getenv("RTPGATE_HARNESS_MEDIA_IP");
  const std::string c_line = std::string("c=IN IP4 ") + (stock() || media_ip == nullptr ? "127.0.0.1" : media_ip);
  EXPECT_NE(sip->find(c_line), std::string::npos) << *sip;
}

TEST_F(Inviting, SessionReportsInvitingAndTheCallee) {
  start_call();
  PluginEvent as_event;
  as_event.message = core().query_session(h_);
  EXPECT_EQ(string_at(as_event.message.get(), "call_status"), "inviting");
  EXPECT_EQ(string_at(as_event.message.get(), "callee"), peer_.uri("bob"));
  EXPECT_EQ(integer_at(as_event.message.get(), "establishing"), 1);
}

TEST_F(Inviting, SecondCallIs447AlreadyInACallWithCallId) {
  const std::string id = start_call();
  EXPECT_TRUE(IsErrorWithCallId(call(), 447, "Wrong state (already in a call? status=inviting)",
                                id));
}

TEST_F(Inviting, StateIsCheckedBeforeTheValidator) {
  const std::string id = start_call();
  EXPECT_TRUE(IsErrorWithCallId(request(h_, R"({"request":"call"})"), 447,
                                "Wrong state (already in a call? status=inviting)", id));
}

TEST_F(Inviting, ErrorsCarryTheCurrentCallId) {
  const std::string id = start_call();
  EXPECT_TRUE(IsErrorWithCallId(request(h_, R"({"request":"nope"})"), 442, "Unknown request (nope)",
                                id));
  EXPECT_TRUE(IsErrorWithCallId(request(h_, R"({"request":"accept"})"), 447,
                                "Wrong state (not invited? status=inviting)", id));
  EXPECT_TRUE(IsErrorWithCallId(request(h_, R"({"request":"update"})", offer_jsep()), 447,
                                kNotInCall, id));
  EXPECT_TRUE(IsErrorWithCallId(request(h_, R"({"request":"unregister"})"), 447,
                                "Wrong state (not registered)", id));
}

TEST_F(Inviting, InCallOnlyRequestsFailWithErrorCode0AndCallId) {
  const std::string id = start_call();
  EXPECT_TRUE(IsErrorWithCallId(
      request(h_, R"({"request":"transfer","uri":"sip:carol@127.0.0.1"})"), 0, kNotInCall, id));
  EXPECT_TRUE(IsErrorWithCallId(request(h_, R"({"request":"info","type":"a/b","content":"x"})"), 0,
                                kNotInCall, id));
  EXPECT_TRUE(IsErrorWithCallId(request(h_, R"({"request":"dtmf_info","digit":"1"})"), 0,
                                kNotInCall, id));
}

TEST_F(Inviting, ResultsCarryTheCallIdAtTopLevel) {
  const std::string id = start_call();
  EXPECT_TRUE(PayloadIs(request(h_, R"({"request":"reset"})"),
                        R"({"sip":"event","call_id":"call-under-test","result":{"event":"reset"}})"));
}

TEST_F(Inviting, DeclineHoldAndUnholdAreIgnored) {
  start_call();
  expect_ignored(h_, R"({"request":"decline"})");
  expect_ignored(h_, R"({"request":"hold"})");
  expect_ignored(h_, R"({"request":"unhold"})");
}

// `recording` is allowed while inviting (early media); these stop before touching files.
TEST_F(Inviting, RecordingIsValidated) {
  RTPGATE_NEEDS_PART2();
  const std::string id = start_call();
  EXPECT_TRUE(IsErrorWithCallId(request(h_, R"({"request":"recording"})"), 443,
                                "Missing mandatory element (action)", id));
  EXPECT_TRUE(IsErrorWithCallId(request(h_, R"({"request":"recording","action":"rewind"})"), 444,
                                "Invalid action (should be start|stop|pause|resume)", id));
  EXPECT_TRUE(IsErrorWithCallId(request(h_, R"({"request":"recording","action":"start","audio":1})"),
                                444, "Invalid element type (audio should be a boolean)", id));
  EXPECT_TRUE(IsErrorWithCallId(
      request(h_, R"({"request":"recording","action":"START","audio":false})"), 451,
      "Invalid request (at least one of audio, video, peer_audio and peer_video should be true)",
      id));
}

TEST_F(Inviting, StopRecordingNothingIsFine) {
  RTPGATE_NEEDS_PART2();
  const std::string id = start_call();
  EXPECT_TRUE(PayloadIs(
      request(h_, R"({"request":"recording","action":"stop","audio":true,"peer_video":true})"),
      R"({"sip":"event","call_id":"call-under-test","result":{"event":"recordingupdated"}})"));
}

TEST_F(Inviting, HangupCancelsAndAnswersHangingup) {
  const std::string id = start_call();
  EXPECT_TRUE(PayloadIs(request(h_, R"({"request":"hangup"})"),
                        R"({"sip":"event","call_id":"call-under-test",
                            "result":{"event":"hangingup"}})"));
  PluginEvent as_event;
  as_event.message = core().query_session(h_);
  EXPECT_EQ(string_at(as_event.message.get(), "call_status"), "closing");
  EXPECT_FALSE(string_at(as_event.message.get(), "callee"));
  // closing: a second hangup is ignored, a new call refused.
  expect_ignored(h_, R"({"request":"hangup"})");
  EXPECT_TRUE(IsErrorWithCallId(call(), 447, "Wrong state (already in a call? status=closing)", id));
}

// The core calls hangup_media() when the PeerConnection goes away: mid-call that ends the call,
// pushed without a transaction.
TEST_F(Inviting, PeerConnectionLossHangsUpWithoutTransaction) {
  const std::string id = start_call();
  core().plugin()->hangup_media(h_);
  auto ev = core().wait_event(h_, kEventTimeout);
  ASSERT_TRUE(ev);
  EXPECT_FALSE(ev->transaction) << ev->dump();
  EXPECT_TRUE(PayloadIs(*ev, R"({"sip":"event","call_id":"call-under-test",
      "result":{"event":"hangingup"}})"));
  PluginEvent as_event;
  as_event.message = core().query_session(h_);
  EXPECT_EQ(string_at(as_event.message.get(), "call_status"), "closing");
  EXPECT_EQ(integer_at(as_event.message.get(), "establishing"), 0);
}

// reset only clears the flags when idle.
TEST_F(Inviting, ResetKeepsTheEstablishingFlag) {
  start_call();
  ASSERT_TRUE(IsResult(request(h_, R"({"request":"reset"})"), "reset"));
  PluginEvent as_event;
  as_event.message = core().query_session(h_);
  EXPECT_EQ(integer_at(as_event.message.get(), "establishing"), 1);
}

TEST_F(Inviting, RecordingUserVideoAsksTheBrowserForAKeyframe) {
  RTPGATE_NEEDS_PART2();
  const std::string id = start_call();
  TempDir dir;
  const int before = core().pli_calls(h_);
  EXPECT_TRUE(PayloadIs(
      request(h_, R"({"request":"recording","action":"start","video":true,"filename":")" +
                      dir.path() + R"(/rec"})"),
      R"({"sip":"event","call_id":"call-under-test","result":{"event":"recordingupdated"}})"));
  EXPECT_EQ(core().pli_calls(h_), before + 1);
  EXPECT_TRUE(IsResult(
      request(h_, R"({"request":"recording","action":"stop","video":true})"), "recordingupdated"));
}

// v1.1.2 keeps its reference on the handle until the INVITE transaction times out (about 30 s
// after the detach when the peer never answers); rtpgate is expected to let go at once.
TEST_F(Inviting, DetachDuringACallReleasesTheHandle) {
  if (stock()) GTEST_SKIP() << "v1.1.2 releases the handle only when the INVITE times out";
  start_call();
  detach(h_);
  const auto deadline = std::chrono::steady_clock::now() + kEventTimeout;
  while (core().plugin_refs(h_) != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(core().plugin_refs(h_), 0);
}

}  // namespace
}  // namespace rtpgate::test
