// Requests that need a registration but no call: out-of-dialog `message` (spec §4.12) and
// `subscribe`/`unsubscribe` (§4.14). The SIP side is a SipSink that never answers.
#include "plugin_test_env.h"
#include "scripted_peer.h"
#include "sip_sink.h"

namespace rtpgate::test {
namespace {

using OutOfDialog = PluginApiTest;

TEST_F(OutOfDialog, MessageWithUriNeedsARegistration) {
  auto* h = attach();
  EXPECT_TRUE(IsError(
      request(h, R"({"request":"message","content":"hi","uri":"sip:bob@127.0.0.1"})"), 447,
      "Wrong state (not registered)"));
  // The validator still comes first.
  EXPECT_TRUE(IsError(request(h, R"({"request":"message","uri":"sip:bob@127.0.0.1"})"), 443,
                      "Missing mandatory element (content)"));
  EXPECT_TRUE(IsError(request(h, R"({"request":"message","content":"hi","uri":2})"), 444,
                      "Invalid element type (uri should be a string)"));
}

TEST_F(OutOfDialog, MessageUriMustBeASipUri) {
  auto* h = attach();
  guest_register(h);
  EXPECT_TRUE(IsError(request(h, R"({"request":"message","content":"hi","uri":"bob"})"), 446,
                      "Invalid user address bob\n"));
}

TEST_F(OutOfDialog, MessageIsSentAndReportsItsCallId) {
  SipSink peer;
  auto* h = attach();
  guest_register(h);
  PluginEvent ev = request(h, R"({"request":"message","content":"hello bob","uri":")" +
                                  peer.uri("bob") + R"(","call_id":"msg-call-id-1"})");
  EXPECT_TRUE(PayloadIs(
      ev, R"({"sip":"event","result":{"event":"messagesent","call_id":"msg-call-id-1"}})"));
  auto sip = peer.wait_request("MESSAGE", kEventTimeout);
  ASSERT_TRUE(sip);
  EXPECT_EQ(sip_header(*sip, "Call-ID"), "msg-call-id-1");
  EXPECT_EQ(sip_header(*sip, "Content-Type"), "text/plain");
  EXPECT_NE(sip->find("\r\n\r\nhello bob"), std::string::npos) << *sip;
}

TEST_F(OutOfDialog, MessageWithoutCallIdGetsARandomOne) {
  SipSink peer;
  auto* h = attach();
  guest_register(h);
  PluginEvent ev =
      request(h, R"({"request":"message","content":"x","content_type":"text/html","uri":")" +
                     peer.uri("bob") + R"("})");
  ASSERT_TRUE(IsResult(ev, "messagesent"));
  auto call_id = string_at(ev.result(), "call_id");
  ASSERT_TRUE(call_id);
  EXPECT_FALSE(call_id->empty());
  EXPECT_FALSE(ev.call_id()) << "no top-level call_id outside a call";
  auto sip = peer.wait_request("MESSAGE", kEventTimeout);
  ASSERT_TRUE(sip);
  EXPECT_EQ(sip_header(*sip, "Call-ID"), *call_id);
  EXPECT_EQ(sip_header(*sip, "Content-Type"), "text/html");
}

TEST_F(OutOfDialog, SubscribeValidatesBeforeTheRegistration) {
  auto* h = attach();
  EXPECT_TRUE(IsError(request(h, R"({"request":"subscribe"})"), 443,
                      "Missing mandatory element (event)"));
  EXPECT_TRUE(IsError(request(h, R"({"request":"subscribe","event":"presence","to":1})"), 444,
                      "Invalid element type (to should be a string)"));
  EXPECT_TRUE(IsError(request(h, R"({"request":"subscribe","event":1})"), 444,
                      "Invalid element type (event should be a string)"));
  EXPECT_TRUE(IsError(request(h, R"({"request":"subscribe","event":"x","accept":1})"), 444,
                      "Invalid element type (accept should be a string)"));
  EXPECT_TRUE(IsError(request(h, R"({"request":"subscribe","event":"x","subscribe_ttl":"1"})"),
                      444, "Invalid element type (subscribe_ttl should be an integer)"));
  EXPECT_TRUE(IsError(request(h, R"({"request":"subscribe","event":"x","call_id":1})"), 444,
                      "Invalid element type (call_id should be a string)"));
  EXPECT_TRUE(IsError(request(h, R"({"request":"subscribe","event":"x","headers":1})"), 444,
                      "Invalid element type (headers should be an object)"));
  EXPECT_TRUE(IsError(request(h, R"({"request":"subscribe","event":"message-summary"})"), 447,
                      "Wrong state (not registered)"));
}

TEST_F(OutOfDialog, UnsubscribeUsesTheSameValidator) {
  auto* h = attach();
  EXPECT_TRUE(IsError(request(h, R"({"request":"unsubscribe"})"), 443,
                      "Missing mandatory element (event)"));
  EXPECT_TRUE(IsError(request(h, R"({"request":"unsubscribe","event":"message-summary"})"), 447,
                      "Wrong state (not registered)"));
}

TEST_F(OutOfDialog, UnsubscribeWithoutSubscriptionIs447) {
  auto* h = attach();
  guest_register(h);
  EXPECT_TRUE(IsError(request(h, R"({"request":"unsubscribe","event":"message-summary"})"), 447,
                      "Wrong state (not subscribed to this event)"));
}

TEST_F(OutOfDialog, SubscribeIsSentAndUnsubscribeFollows) {
  SipSink peer;
  auto* h = attach();
  guest_register(h);
  PluginEvent ev = request(h, R"({"request":"subscribe","event":"message-summary","to":")" +
                                  peer.uri("mailbox") +
                                  R"(","subscribe_ttl":120,"accept":"application/simple-message-summary"})");
  EXPECT_TRUE(PayloadIs(ev, R"({"sip":"event","result":{"event":"subscribing"}})"));
  auto sip = peer.wait_request("SUBSCRIBE", kEventTimeout);
  ASSERT_TRUE(sip);
  EXPECT_EQ(sip_header(*sip, "Event"), "message-summary");
  EXPECT_EQ(sip_header(*sip, "Expires"), "120");
  EXPECT_EQ(sip_header(*sip, "Accept"), "application/simple-message-summary");

  EXPECT_TRUE(PayloadIs(request(h, R"({"request":"unsubscribe","event":"message-summary"})"),
                        R"({"sip":"event","result":{"event":"unsubscribing"}})"));
  // Another event package is a different subscription.
  EXPECT_TRUE(IsError(request(h, R"({"request":"unsubscribe","event":"presence"})"), 447,
                      "Wrong state (not subscribed to this event)"));
}

TEST_F(OutOfDialog, SubscribeEchoesAGivenCallId) {
  SipSink peer;
  auto* h = attach();
  guest_register(h);
  PluginEvent ev = request(h, R"({"request":"subscribe","event":"presence","call_id":"sub-1","to":")" +
                                  peer.uri("carol") + R"("})");
  EXPECT_TRUE(
      PayloadIs(ev, R"({"sip":"event","result":{"event":"subscribing","call_id":"sub-1"}})"));
  auto sip = peer.wait_request("SUBSCRIBE", kEventTimeout);
  ASSERT_TRUE(sip);
  EXPECT_EQ(sip_header(*sip, "Call-ID"), "sub-1");
}

std::optional<PluginEvent> wait_result(janus_plugin_session* h, const std::string& name,
                                       std::chrono::milliseconds timeout = kEventTimeout) {
  return FakeJanus::instance().wait_event_if(
      h, [&](const PluginEvent& e) { return e.result_event() == name; }, timeout);
}

TEST_F(OutOfDialog, MessageDeliveryReportsTheStatusWithTheMessagesCallId) {
  ScriptedPeer peer;
  peer.script("MESSAGE", {{202, "Accepted", "", "", ""}});
  auto* h = attach();
  guest_register(h);
  ASSERT_TRUE(IsResult(request(h, R"({"request":"message","content":"x","call_id":"ood-1","uri":")" +
                                      peer.uri("bob") + "\"}"),
                       "messagesent"));
  auto sip = peer.wait_request("MESSAGE", kEventTimeout);
  ASSERT_TRUE(sip);
  std::printf("FROM %s\nTO %s\nRURI %s\n", sip_header(*sip, "From").value_or("").c_str(),
              sip_header(*sip, "To").value_or("").c_str(), sip->substr(0, sip->find('\r')).c_str());
  auto ev = wait_result(h, "messagedelivery");
  ASSERT_TRUE(ev);
  EXPECT_TRUE(PayloadIs(
      *ev, R"({"sip":"event","call_id":"ood-1","result":{"event":"messagedelivery","code":202,"reason":"Accepted"}})"));
}

// 401/407 are answered with the account's credentials and not reported (spec §4.12, §4.20).
TEST_F(OutOfDialog, MessageChallengeIsAnsweredWithTheAccountCredentials) {
  ScriptedPeer peer;
  auto* h = attach();
  ASSERT_TRUE(IsResult(request(h, R"({"request":"register","username":"sip:carol@127.0.0.1","secret":"pw",)"
                                  R"("proxy":")" + peer.uri("reg") + "\"}"),
                       "registering"));
  ASSERT_TRUE(wait_result(h, "registered"));
  peer.script("MESSAGE", {{401, "Unauthorized", "WWW-Authenticate: Digest realm=\"peer\", nonce=\"n1\"\r\n", "", ""},
                          {200, "OK", "", "", ""}});
  ASSERT_TRUE(IsResult(request(h, R"({"request":"message","content":"x","uri":")" + peer.uri("bob") + "\"}"),
                       "messagesent"));
  ASSERT_TRUE(peer.wait_request("MESSAGE", kEventTimeout));
  auto second = peer.wait_request("MESSAGE", kEventTimeout);
  ASSERT_TRUE(second);
  const std::string auth = sip_header(*second, "Authorization").value_or("");
  EXPECT_NE(auth.find("username=\"carol\""), std::string::npos) << auth;
  auto ev = wait_result(h, "messagedelivery");
  ASSERT_TRUE(ev);
  EXPECT_EQ(integer_at(ev->result(), "code"), 200);
  EXPECT_FALSE(wait_result(h, "messagedelivery", 300ms));
}

TEST_F(OutOfDialog, HelperMessageUsesTheMastersCredentials) {
  ScriptedPeer peer;
  auto* master = attach();
  ASSERT_TRUE(IsResult(request(master, R"({"request":"register","username":"sip:carol@127.0.0.1","secret":"pw",)"
                                       R"("authuser":"carol-auth","proxy":")" + peer.uri("reg") + "\"}"),
                       "registering"));
  auto registered = wait_result(master, "registered");
  ASSERT_TRUE(registered);
  auto* helper = attach();
  ASSERT_TRUE(IsResult(request(helper, R"({"request":"register","type":"helper","username":"sip:x@127.0.0.1",)"
                                       R"("master_id":)" +
                                           std::to_string(integer_at(registered->result(), "master_id").value_or(0)) +
                                           "}"),
                       "registered"));
  peer.script("MESSAGE", {{407, "Proxy Authentication Required",
                           "Proxy-Authenticate: Digest realm=\"peer\", nonce=\"n2\"\r\n", "", ""},
                          {202, "Accepted", "", "", ""}});
  ASSERT_TRUE(IsResult(request(helper, R"({"request":"message","content":"x","uri":")" + peer.uri("bob") + "\"}"),
                       "messagesent"));
  ASSERT_TRUE(peer.wait_request("MESSAGE", kEventTimeout));
  auto second = peer.wait_request("MESSAGE", kEventTimeout);
  ASSERT_TRUE(second);
  const std::string auth = sip_header(*second, "Proxy-Authorization").value_or("");
  EXPECT_NE(auth.find("username=\"carol-auth\""), std::string::npos) << auth;
  auto ev = wait_result(helper, "messagedelivery");
  ASSERT_TRUE(ev);
  EXPECT_EQ(integer_at(ev->result(), "code"), 202);
}

// An incoming MESSAGE reaches the account it was sent to, answered 200, without call_id.
TEST_F(OutOfDialog, IncomingMessageToTheRegisteredAccount) {
  ScriptedPeer peer;
  auto* h = attach();
  ASSERT_TRUE(IsResult(request(h, R"({"request":"register","username":"sip:carol@127.0.0.1","secret":"pw",)"
                                  R"("proxy":")" + peer.uri("reg") + "\"}"),
                       "registering"));
  ASSERT_TRUE(wait_result(h, "registered"));
  auto reg = peer.wait_request("REGISTER", kEventTimeout);
  ASSERT_TRUE(reg);
  const std::string contact = ScriptedPeer::contact_uri(sip_header(*reg, "Contact").value_or(""));
  ASSERT_TRUE(peer.send(peer.out_of_dialog("MESSAGE", contact, "dave", "sip:carol@127.0.0.1",
                                           "", "text/plain", "hello carol")));
  auto ev = wait_result(h, "message");
  ASSERT_TRUE(ev);
  EXPECT_TRUE(PayloadIs(*ev, R"({"sip":"event","result":{"event":"message","sender":")" + peer.uri("dave") +
                                 R"(","content":"hello carol","content_type":"text/plain"}})"));
  auto reply = peer.wait_response("MESSAGE", kEventTimeout);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->rfind("SIP/2.0 200", 0), 0u) << *reply;
}

}  // namespace
}  // namespace rtpgate::test
