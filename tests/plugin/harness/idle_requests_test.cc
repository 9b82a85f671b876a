// In-call requests outside a call (spec §3.3 matrix, idle column): 447s, the error_code 0
// quirk and the silently ignored requests (spec §2), plus validator-before-state orderings.
#include "plugin_test_env.h"

namespace rtpgate::test {
namespace {

constexpr const char* kNotInCall = "Wrong state (not in a call?)";

// Each case runs on a fresh handle, unregistered and then registered as a guest: none of these
// requests looks at the registration.
class Idle : public PluginApiTest, public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override {
    h_ = attach();
    if (GetParam()) guest_register(h_);
  }
  janus_plugin_session* h_ = nullptr;
};

INSTANTIATE_TEST_SUITE_P(Idle, Idle, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? std::string("Registered")
                                             : std::string("Unregistered");
                         });

TEST_P(Idle, AcceptIs447NotInvited) {
  EXPECT_TRUE(IsError(request(h_, R"({"request":"accept"})"), 447,
                      "Wrong state (not invited? status=idle)"));
  // The state comes before the jsep and the validator.
  EXPECT_TRUE(IsError(request(h_, R"({"request":"accept","srtp":5})", offer_jsep()), 447,
                      "Wrong state (not invited? status=idle)"));
}

TEST_P(Idle, DeclineIsIgnored) {
  expect_ignored(h_, R"({"request":"decline"})");
  expect_ignored(h_, R"({"request":"decline","code":603})");
  expect_ignored(h_, R"({"request":"decline","refer_id":0})");
}

TEST_P(Idle, DeclineValidatesBeforeTheState) {
  EXPECT_TRUE(IsError(request(h_, R"({"request":"decline","code":"486"})"), 444,
                      "Invalid element type (code should be an integer)"));
  EXPECT_TRUE(IsError(request(h_, R"({"request":"decline","headers":[]})"), 444,
                      "Invalid element type (headers should be an object)"));
  EXPECT_TRUE(IsError(request(h_, R"({"request":"decline","refer_id":true})"), 444,
                      "Invalid element type (refer_id should be an integer)"));
}

TEST_P(Idle, DeclineOfAnUnknownTransferIs447) {
  EXPECT_TRUE(IsError(request(h_, R"({"request":"decline","refer_id":42})"), 447,
                      "Wrong state (no transfer?)"));
}

TEST_P(Idle, HangupIsIgnored) {
  expect_ignored(h_, R"({"request":"hangup"})");
  expect_ignored(h_, R"({"request":"hangup","headers":{"X-Foo":"bar"}})");
  expect_ignored(h_, R"({"request":"hangup","headers":"not validated"})");
}

TEST_P(Idle, HoldAndUnholdAreIgnored) {
  expect_ignored(h_, R"({"request":"hold"})");
  expect_ignored(h_, R"({"request":"hold","direction":"nonsense"})");
  expect_ignored(h_, R"({"request":"unhold"})");
  expect_ignored(h_, R"({"request":"HOLD","direction":5})");
}

TEST_P(Idle, UpdateIs447NotInACall) {
  EXPECT_TRUE(IsError(request(h_, R"({"request":"update"})"), 447, kNotInCall));
  EXPECT_TRUE(IsError(request(h_, R"({"request":"update"})", offer_jsep()), 447, kNotInCall));
}

TEST_P(Idle, TransferValidatesThenFailsWithErrorCode0) {
  EXPECT_TRUE(IsError(request(h_, R"({"request":"transfer"})"), 443,
                      "Missing mandatory element (uri)"));
  EXPECT_TRUE(IsError(request(h_, R"({"request":"transfer","uri":1})"), 444,
                      "Invalid element type (uri should be a string)"));
  // v1.1.2's table lists call_id (unused), not replace.
  EXPECT_TRUE(IsError(request(h_, R"({"request":"transfer","uri":"sip:c@127.0.0.1","call_id":1})"),
                      444, "Invalid element type (call_id should be a string)"));
  EXPECT_TRUE(IsError(request(h_, R"({"request":"transfer","uri":"sip:c@127.0.0.1","replace":1})"),
                      0, kNotInCall));
  EXPECT_TRUE(IsError(request(h_, R"({"request":"transfer","uri":"sip:c@127.0.0.1"})"), 0,
                      kNotInCall));
  // The URI is only parsed in a call.
  EXPECT_TRUE(IsError(request(h_, R"({"request":"transfer","uri":"garbage"})"), 0, kNotInCall));
}

TEST_P(Idle, InfoFailsWithErrorCode0BeforeValidating) {
  EXPECT_TRUE(IsError(request(h_, R"({"request":"info"})"), 0, kNotInCall));
  EXPECT_TRUE(IsError(request(h_, R"({"request":"info","type":"text/plain","content":"x"})"), 0,
                      kNotInCall));
}

TEST_P(Idle, DtmfInfoFailsWithErrorCode0BeforeValidating) {
  EXPECT_TRUE(IsError(request(h_, R"({"request":"dtmf_info"})"), 0, kNotInCall));
  EXPECT_TRUE(IsError(request(h_, R"({"request":"dtmf_info","digit":"12","duration":-1})"), 0,
                      kNotInCall));
}

TEST_P(Idle, RecordingFailsWithErrorCode0BeforeValidating) {
  RTPGATE_NEEDS_PART2();
  EXPECT_TRUE(IsError(request(h_, R"({"request":"recording"})"), 0, kNotInCall));
  EXPECT_TRUE(IsError(request(h_, R"({"request":"recording","action":"start","audio":true})"), 0,
                      kNotInCall));
}

TEST_P(Idle, InDialogMessageValidatesThenFailsWithErrorCode0) {
  EXPECT_TRUE(IsError(request(h_, R"({"request":"message"})"), 443,
                      "Missing mandatory element (content)"));
  EXPECT_TRUE(IsError(request(h_, R"({"request":"message","content":"hi","content_type":1})"), 444,
                      "Invalid element type (content_type should be a string)"));
  EXPECT_TRUE(IsError(request(h_, R"({"request":"message","content":1})"), 444,
                      "Invalid element type (content should be a string)"));
  EXPECT_TRUE(IsError(request(h_, R"({"request":"message","content":"hi","call_id":1})"), 444,
                      "Invalid element type (call_id should be a string)"));
  EXPECT_TRUE(IsError(request(h_, R"({"request":"message","content":"hi"})"), 0, kNotInCall));
}

TEST_P(Idle, ResetAnswersReset) {
  EXPECT_TRUE(PayloadIs(request(h_, R"({"request":"reset"})"),
                        R"({"sip":"event","result":{"event":"reset"}})"));
}

// setup_media()/hangup_media() come from the core (PeerConnection up/down).
TEST_P(Idle, PeerConnectionLossOutsideACallIsSilent) {
  core().plugin()->hangup_media(h_);
  expect_ignored(h_, R"({"request":"hangup"})");
}

TEST_P(Idle, ResetClearsTheEstablishedFlag) {
  core().plugin()->setup_media(h_);
  PluginEvent as_event;
  as_event.message = core().query_session(h_);
  EXPECT_EQ(integer_at(as_event.message.get(), "established"), 1);
  ASSERT_TRUE(IsResult(request(h_, R"({"request":"reset"})"), "reset"));
  as_event.message = core().query_session(h_);
  EXPECT_EQ(integer_at(as_event.message.get(), "established"), 0);
  EXPECT_EQ(integer_at(as_event.message.get(), "establishing"), 0);
}

TEST_F(PluginApiTest, UnregisterBeforeRegisterIs447RegisterFirst) {
  auto* h = attach();
  EXPECT_TRUE(IsError(request(h, R"({"request":"unregister"})"), 447,
                      "Wrong state (register first)"));
}

TEST_F(PluginApiTest, UnregisterOfAGuestIs447NotRegistered) {
  auto* h = attach();
  guest_register(h);
  EXPECT_TRUE(IsError(request(h, R"({"request":"unregister"})"), 447,
                      "Wrong state (not registered)"));
}

}  // namespace
}  // namespace rtpgate::test
