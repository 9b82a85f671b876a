// INFO, dtmf_info and MESSAGE inside an established call (spec §4.11-4.13, §5): a ScriptedPeer
// answers the call, records what leaves on the wire and sends requests of its own.
#include <thread>

#include "plugin_test_env.h"
#include "scripted_peer.h"
#include "sip_sink.h"

namespace rtpgate::test {
namespace {

constexpr const char* kCallId = "messaging-call";

// Waits for the next event of `h` whose result.event is `name`.
std::optional<PluginEvent> wait_result(janus_plugin_session* h, const std::string& name) {
  return FakeJanus::instance().wait_event_if(
      h, [&](const PluginEvent& e) { return e.result_event() == name; }, kEventTimeout);
}

class InCall : public PluginApiTest {
 protected:
  // Registers (guest, with `register_extra` fields) and calls the peer until `accepted`.
  void start(const std::string& register_extra = "") {
    h_ = attach();
    ASSERT_TRUE(IsResult(request(h_, R"({"request":"register","type":"guest","username":"sip:alice@127.0.0.1")" +
                                         register_extra + "}"),
                         "registered"));
    ASSERT_TRUE(IsResult(request(h_, R"({"request":"call","call_id":")" + std::string(kCallId) + R"(","uri":")" +
                                         peer_.uri("bob") + "\"}",
                                 offer_jsep()),
                         "calling"));
    auto accepted = wait_result(h_, "accepted");
    ASSERT_TRUE(accepted);
    invite_ = peer_.wait_request("INVITE", kEventTimeout).value_or("");
    ASSERT_FALSE(invite_.empty());
    ASSERT_TRUE(peer_.wait_request("ACK", kEventTimeout));
  }
  void SetUp() override { start(); }

  // No event is pushed for a while (SIP traffic that must not reach the application).
  void expect_quiet() {
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(core().pending_events(h_), 0u);
    while (auto ev = core().wait_event(h_, 0ms)) ADD_FAILURE() << "unexpected " << ev->dump();
  }

  ScriptedPeer peer_;
  janus_plugin_session* h_ = nullptr;
  std::string invite_;
};

TEST_F(InCall, InfoLeavesInTheDialogAndAnswersInfosent) {
  PluginEvent ev = request(
      h_, R"({"request":"info","type":"application/x-test","content":"hello info","headers":{"X-Info":"one"}})");
  EXPECT_TRUE(PayloadIs(ev, R"({"sip":"event","call_id":"messaging-call","result":{"event":"infosent"}})"));
  auto sip = peer_.wait_request("INFO", kEventTimeout);
  ASSERT_TRUE(sip);
  EXPECT_EQ(sip_header(*sip, "Call-ID"), kCallId);
  EXPECT_EQ(sip_header(*sip, "Content-Type"), "application/x-test");
  EXPECT_EQ(sip_header(*sip, "X-Info"), "one");
  EXPECT_EQ(sip_body(*sip), "hello info");
  // In the dialog: the To carries the tag the peer gave in its 200.
  EXPECT_NE(sip_header(*sip, "To").value_or("").find("tag=peer"), std::string::npos) << *sip;
}

TEST_F(InCall, InfoIsValidatedInACall) {
  EXPECT_TRUE(
      IsErrorWithCallId(request(h_, R"({"request":"info"})"), 443, "Missing mandatory element (type)", kCallId));
  EXPECT_TRUE(IsErrorWithCallId(request(h_, R"({"request":"info","type":1,"content":"x"})"), 444,
                                "Invalid element type (type should be a string)", kCallId));
  EXPECT_TRUE(IsErrorWithCallId(request(h_, R"({"request":"info","type":"a/b"})"), 443,
                                "Missing mandatory element (content)", kCallId));
  EXPECT_TRUE(IsErrorWithCallId(request(h_, R"({"request":"info","type":"a/b","content":true})"), 444,
                                "Invalid element type (content should be a string)", kCallId));
  EXPECT_TRUE(IsErrorWithCallId(request(h_, R"({"request":"info","type":"a/b","content":"x","headers":1})"), 444,
                                "Invalid element type (headers should be an object)", kCallId));
  EXPECT_EQ(peer_.count("INFO"), 0);
}

TEST_F(InCall, ResponsesToInfoAreNotReported) {
  peer_.script("INFO", {{500, "Server Internal Error", "", "", ""}});
  ASSERT_TRUE(IsResult(request(h_, R"({"request":"info","type":"text/plain","content":"x"})"), "infosent"));
  ASSERT_TRUE(peer_.wait_request("INFO", kEventTimeout));
  expect_quiet();
}

TEST_F(InCall, DtmfInfoSendsADtmfRelayBody) {
  EXPECT_TRUE(PayloadIs(request(h_, R"({"request":"dtmf_info","digit":"5"})"),
                        R"({"sip":"event","call_id":"messaging-call","result":{"event":"dtmfsent"}})"));
  auto sip = peer_.wait_request("INFO", kEventTimeout);
  ASSERT_TRUE(sip);
  EXPECT_EQ(sip_header(*sip, "Content-Type"), "application/dtmf-relay");
  EXPECT_EQ(sip_body(*sip), "Signal=5\r\nDuration=160");
  EXPECT_EQ(sip_header(*sip, "Call-ID"), kCallId);
}

TEST_F(InCall, DtmfInfoDurationOutsideOneTo5000MeansTheDefault) {
  for (const auto& [duration, expected] : std::vector<std::pair<std::string, std::string>>{
           {"250", "250"}, {"5000", "5000"}, {"1", "1"}, {"0", "160"}, {"5001", "160"}}) {
    ASSERT_TRUE(IsResult(request(h_, R"({"request":"dtmf_info","digit":"#","duration":)" + duration + "}"),
                         "dtmfsent"));
    auto sip = peer_.wait_request("INFO", kEventTimeout);
    ASSERT_TRUE(sip);
    EXPECT_EQ(sip_body(*sip), "Signal=#\r\nDuration=" + expected) << "duration " << duration;
  }
}

TEST_F(InCall, DtmfInfoIsValidated) {
  EXPECT_TRUE(IsErrorWithCallId(request(h_, R"({"request":"dtmf_info"})"), 443, "Missing mandatory element (digit)",
                                kCallId));
  EXPECT_TRUE(IsErrorWithCallId(request(h_, R"({"request":"dtmf_info","digit":1})"), 444,
                                "Invalid element type (digit should be a string)", kCallId));
  EXPECT_TRUE(IsErrorWithCallId(request(h_, R"({"request":"dtmf_info","digit":"1","duration":-1})"), 444,
                                "Invalid element type (duration should be a positive integer)", kCallId));
  EXPECT_TRUE(IsErrorWithCallId(request(h_, R"({"request":"dtmf_info","digit":"1","duration":"9"})"), 444,
                                "Invalid element type (duration should be a positive integer)", kCallId));
  EXPECT_TRUE(IsErrorWithCallId(request(h_, R"({"request":"dtmf_info","digit":"12"})"), 444,
                                "Invalid element (digit should be one character)", kCallId));
  EXPECT_TRUE(IsErrorWithCallId(request(h_, R"({"request":"dtmf_info","digit":""})"), 444,
                                "Invalid element (digit should be one character)", kCallId));
  EXPECT_TRUE(IsErrorWithCallId(request(h_, R"({"request":"dtmf_info","digit":"1","headers":"x"})"), 444,
                                "Invalid element type (headers should be an object)", kCallId));
  EXPECT_EQ(peer_.count("INFO"), 0);
}

TEST_F(InCall, MessageInTheDialogReportsTheCallsCallIdAndItsDelivery) {
  peer_.script("MESSAGE", {{202, "Accepted", "", "", ""}});
  // A call_id in the request does not change the dialog's.
  PluginEvent ev = request(h_, R"({"request":"message","content":"hi bob","call_id":"ignored-in-dialog"})");
  EXPECT_TRUE(PayloadIs(
      ev, R"({"sip":"event","call_id":"messaging-call","result":{"event":"messagesent","call_id":"messaging-call"}})"));
  auto sip = peer_.wait_request("MESSAGE", kEventTimeout);
  ASSERT_TRUE(sip);
  EXPECT_EQ(sip_header(*sip, "Call-ID"), kCallId);
  EXPECT_EQ(sip_header(*sip, "Content-Type"), "text/plain");
  EXPECT_EQ(sip_body(*sip), "hi bob");
  auto delivery = wait_result(h_, "messagedelivery");
  ASSERT_TRUE(delivery);
  EXPECT_TRUE(PayloadIs(
      *delivery,
      R"({"sip":"event","call_id":"messaging-call",)"
      R"("result":{"event":"messagedelivery","code":202,"reason":"Accepted"}})"));
}

TEST_F(InCall, MessageDeliveryCarriesAnErrorStatus) {
  peer_.script("MESSAGE", {{488, "Not Acceptable Here", "", "", ""}});
  ASSERT_TRUE(IsResult(request(h_, R"({"request":"message","content":"x","content_type":"text/html",)"
                                   R"("headers":{"X-Msg":"m"}})"),
                       "messagesent"));
  auto sip = peer_.wait_request("MESSAGE", kEventTimeout);
  ASSERT_TRUE(sip);
  EXPECT_EQ(sip_header(*sip, "Content-Type"), "text/html");
  EXPECT_EQ(sip_header(*sip, "X-Msg"), "m");
  auto delivery = wait_result(h_, "messagedelivery");
  ASSERT_TRUE(delivery);
  EXPECT_EQ(integer_at(delivery->result(), "code"), 488);
  EXPECT_EQ(string_at(delivery->result(), "reason"), "Not Acceptable Here");
}

TEST_F(InCall, MessageIsValidatedInACall) {
  EXPECT_TRUE(IsErrorWithCallId(request(h_, R"({"request":"message"})"), 443, "Missing mandatory element (content)",
                                kCallId));
  EXPECT_TRUE(IsErrorWithCallId(request(h_, R"({"request":"message","content":"x","headers":[]})"), 444,
                                "Invalid element type (headers should be an object)", kCallId));
}

TEST_F(InCall, IncomingInfoIsReportedWithTheCallId) {
  ASSERT_TRUE(peer_.send(peer_.in_dialog(invite_, "INFO", "X-Custom: abc\r\n", "application/x-app", "payload 1")));
  auto ev = wait_result(h_, "info");
  ASSERT_TRUE(ev);
  EXPECT_TRUE(PayloadIs(*ev, R"({"sip":"event","call_id":"messaging-call","result":{"event":"info","sender":")" +
                                 peer_.uri("bob") + R"(","type":"application/x-app","content":"payload 1"}})"));
  auto reply = peer_.wait_response("INFO", kEventTimeout);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->rfind("SIP/2.0 200", 0), 0u) << *reply;
}

TEST_F(InCall, IncomingDtmfRelayInfoIsAPlainInfoEvent) {
  ASSERT_TRUE(peer_.send(peer_.in_dialog(invite_, "INFO", "", "application/dtmf-relay", "Signal=7\r\nDuration=100")));
  auto ev = wait_result(h_, "info");
  ASSERT_TRUE(ev);
  EXPECT_EQ(string_at(ev->result(), "type"), "application/dtmf-relay");
  EXPECT_EQ(string_at(ev->result(), "content"), "Signal=7\r\nDuration=100");
}

TEST_F(InCall, IncomingInfoWithoutABodyIsAnsweredButNotReported) {
  ASSERT_TRUE(peer_.send(peer_.in_dialog(invite_, "INFO", "")));
  auto reply = peer_.wait_response("INFO", kEventTimeout);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->rfind("SIP/2.0 200", 0), 0u) << *reply;
  expect_quiet();
}

TEST_F(InCall, IncomingMessageInTheDialog) {
  ASSERT_TRUE(peer_.send(peer_.in_dialog(invite_, "MESSAGE", "", "text/plain", "hello alice")));
  auto ev = wait_result(h_, "message");
  ASSERT_TRUE(ev);
  EXPECT_TRUE(PayloadIs(*ev, R"({"sip":"event","call_id":"messaging-call","result":{"event":"message","sender":")" +
                                 peer_.uri("bob") + R"(","content":"hello alice","content_type":"text/plain"}})"));
  auto reply = peer_.wait_response("MESSAGE", kEventTimeout);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->rfind("SIP/2.0 200", 0), 0u) << *reply;
}

// The display name keeps its quotes (spec §5).
TEST_F(InCall, IncomingMessageFromADisplayName) {
  const std::string target = ScriptedPeer::contact_uri(sip_header(invite_, "Contact").value_or(""));
  std::string msg =
      peer_.out_of_dialog("MESSAGE", target, "carol", "sip:alice@127.0.0.1", "", "text/plain", "from carol");
  const std::string from = "From: <" + peer_.uri("carol") + ">";
  msg.replace(msg.find(from), from.size(), "From: \"Carol C\" <" + peer_.uri("carol") + ">");
  ASSERT_TRUE(peer_.send(msg));
  auto ev = wait_result(h_, "message");
  ASSERT_TRUE(ev);
  EXPECT_EQ(string_at(ev->result(), "displayname"), "\"Carol C\"");
  EXPECT_EQ(string_at(ev->result(), "sender"), peer_.uri("carol"));
  // Not in this call's dialog, but the session is in a call: its Call-ID is reported.
  EXPECT_EQ(ev->call_id(), kCallId);
}

TEST_F(InCall, IncomingMessageWithoutContentTypeIsAnsweredButNotReported) {
  ASSERT_TRUE(peer_.send(peer_.in_dialog(invite_, "MESSAGE", "", "", "no type")));
  auto reply = peer_.wait_response("MESSAGE", kEventTimeout);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->rfind("SIP/2.0 200", 0), 0u) << *reply;
  expect_quiet();
}

// The in-call requests are refused once the call is over (spec §3.3). (Whether the errors
// still carry the ended call's call_id is part 1's business: 1.1.2 keeps it, rtpgate not.)
TEST_F(InCall, AfterTheHangupTheInCallRequestsAreRefused) {
  ASSERT_TRUE(IsResult(request(h_, R"({"request":"hangup"})"), "hangingup"));
  ASSERT_TRUE(wait_result(h_, "hangup"));
  for (const char* body : {R"({"request":"info","type":"a/b","content":"x"})", R"({"request":"dtmf_info","digit":"1"})",
                           R"({"request":"message","content":"x"})"}) {
    PluginEvent ev = request(h_, body);
    EXPECT_EQ(ev.error_code(), 0) << ev.dump();
    EXPECT_EQ(ev.error(), "Wrong state (not in a call?)") << ev.dump();
  }
  EXPECT_EQ(peer_.count("INFO") + peer_.count("MESSAGE"), 0);
}

// With a registered account, a challenge to an in-dialog MESSAGE is answered with its digest.
TEST_F(PluginApiTest, InDialogMessageChallengeIsAnsweredWithTheAccountCredentials) {
  ScriptedPeer peer;
  auto* h = attach();
  ASSERT_TRUE(IsResult(request(h, R"({"request":"register","username":"sip:carol@127.0.0.1","secret":"pw",)"
                                  R"("proxy":")" + peer.uri("reg") + "\"}"),
                       "registering"));
  ASSERT_TRUE(wait_result(h, "registered"));
  ASSERT_TRUE(IsResult(request(h, R"({"request":"call","call_id":"auth-call","uri":")" + peer.uri("bob") + "\"}",
                               offer_jsep()),
                       "calling"));
  ASSERT_TRUE(wait_result(h, "accepted"));
  peer.script("MESSAGE", {{401, "Unauthorized", "WWW-Authenticate: Digest realm=\"peer\", nonce=\"n5\"\r\n", "", ""},
                          {200, "OK", "", "", ""}});
  ASSERT_TRUE(IsResult(request(h, R"({"request":"message","content":"secret stuff"})"), "messagesent"));
  ASSERT_TRUE(peer.wait_request("MESSAGE", kEventTimeout));
  auto second = peer.wait_request("MESSAGE", kEventTimeout);
  ASSERT_TRUE(second);
  EXPECT_NE(sip_header(*second, "Authorization").value_or("").find("username=\"carol\""), std::string::npos);
  EXPECT_EQ(sip_header(*second, "Call-ID"), "auth-call");
  auto delivery = wait_result(h, "messagedelivery");
  ASSERT_TRUE(delivery);
  EXPECT_EQ(integer_at(delivery->result(), "code"), 200);
  EXPECT_EQ(delivery->call_id(), "auth-call");
}

// While the INVITE is out (inviting), MESSAGE already goes in the call's dialog; INFO not.
TEST_F(PluginApiTest, MessageWhileInvitingUsesTheCallsCallId) {
  SipSink peer;
  auto* h = attach();
  guest_register(h);
  ASSERT_TRUE(IsResult(request(h, R"({"request":"call","call_id":"early-call","uri":")" + peer.uri("bob") + "\"}",
                               offer_jsep()),
                       "calling"));
  ASSERT_TRUE(peer.wait_request("INVITE", kEventTimeout));
  EXPECT_TRUE(PayloadIs(request(h, R"({"request":"message","content":"early"})"),
                        R"({"sip":"event","call_id":"early-call",)"
                        R"("result":{"event":"messagesent","call_id":"early-call"}})"));
  auto sip = peer.wait_request("MESSAGE", kEventTimeout);
  ASSERT_TRUE(sip);
  EXPECT_EQ(sip_header(*sip, "Call-ID"), "early-call");
  EXPECT_EQ(sip_body(*sip), "early");
  EXPECT_TRUE(IsErrorWithCallId(request(h, R"({"request":"info","type":"a/b","content":"x"})"), 0,
                                "Wrong state (not in a call?)", "early-call"));
}

class InCallWithPrefixes : public InCall {
 protected:
  void SetUp() override { start(R"(,"incoming_header_prefixes":["X-Keep","x-also"])"); }
};

TEST_F(InCallWithPrefixes, IncomingInfoAndMessageCarryTheMatchingHeaders) {
  ASSERT_TRUE(peer_.send(peer_.in_dialog(invite_, "INFO", "X-Keep-This: 1\r\nX-Drop: 2\r\nX-Also-Me: 3\r\n",
                                         "text/plain", "i")));
  auto info = wait_result(h_, "info");
  ASSERT_TRUE(info);
  EXPECT_EQ(dump_json(json_object_get(info->result(), "headers")), R"({"X-Also-Me":"3","X-Keep-This":"1"})");
  ASSERT_TRUE(peer_.send(peer_.in_dialog(invite_, "MESSAGE", "X-Keep: k\r\n", "text/plain", "m")));
  auto msg = wait_result(h_, "message");
  ASSERT_TRUE(msg);
  EXPECT_EQ(dump_json(json_object_get(msg->result(), "headers")), R"({"X-Keep":"k"})");
}

TEST_F(InCallWithPrefixes, NoMatchingHeader) {
  ASSERT_TRUE(peer_.send(peer_.in_dialog(invite_, "INFO", "X-Drop: 2\r\n", "text/plain", "i")));
  auto info = wait_result(h_, "info");
  ASSERT_TRUE(info);
  // What the empty match looks like (absent or {}) is pinned by the stock run.
  EXPECT_EQ(dump_json(json_object_get(info->result(), "headers")), "{}") << info->dump();
}

}  // namespace
}  // namespace rtpgate::test
