// Requests that need a registration but no call: out-of-dialog `message` (spec §4.12) and
// `subscribe`/`unsubscribe` (§4.14). The SIP side is a SipSink that never answers.
#include "plugin_test_env.h"
#include "sip_sink.h"

namespace rtpgate::test {
namespace {

using OutOfDialog = PluginApiTest;

TEST_F(OutOfDialog, MessageWithUriNeedsARegistration) {
  RTPGATE_NEEDS_PART2();
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
  RTPGATE_NEEDS_PART2();
  auto* h = attach();
  guest_register(h);
  EXPECT_TRUE(IsError(request(h, R"({"request":"message","content":"hi","uri":"bob"})"), 446,
                      "Invalid user address bob\n"));
}

TEST_F(OutOfDialog, MessageIsSentAndReportsItsCallId) {
  RTPGATE_NEEDS_PART2();
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
  RTPGATE_NEEDS_PART2();
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
  RTPGATE_NEEDS_PART2();
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
  RTPGATE_NEEDS_PART2();
  auto* h = attach();
  EXPECT_TRUE(IsError(request(h, R"({"request":"unsubscribe"})"), 443,
                      "Missing mandatory element (event)"));
  EXPECT_TRUE(IsError(request(h, R"({"request":"unsubscribe","event":"message-summary"})"), 447,
                      "Wrong state (not registered)"));
}

TEST_F(OutOfDialog, UnsubscribeWithoutSubscriptionIs447) {
  RTPGATE_NEEDS_PART2();
  auto* h = attach();
  guest_register(h);
  EXPECT_TRUE(IsError(request(h, R"({"request":"unsubscribe","event":"message-summary"})"), 447,
                      "Wrong state (not subscribed to this event)"));
}

TEST_F(OutOfDialog, SubscribeIsSentAndUnsubscribeFollows) {
  RTPGATE_NEEDS_PART2();
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
  RTPGATE_NEEDS_PART2();
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

}  // namespace
}  // namespace rtpgate::test
