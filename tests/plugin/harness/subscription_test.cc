// SUBSCRIBE/NOTIFY against a ScriptedPeer notifier (spec §4.14, §5): what the SUBSCRIBE carries,
// subscribe_succeeded / subscribe_failed, digest answers, NOTIFY events, unsubscribe, refresh
// and the clean-up when the handle goes away.
#include <thread>

#include "plugin_test_env.h"
#include "scripted_peer.h"
#include "sip_sink.h"

namespace rtpgate::test {
namespace {

std::optional<PluginEvent> wait_result(janus_plugin_session* h, const std::string& name,
                                       std::chrono::milliseconds timeout = kEventTimeout) {
  return FakeJanus::instance().wait_event_if(
      h, [&](const PluginEvent& e) { return e.result_event() == name; }, timeout);
}

const ScriptedPeer::Reply k202{202, "Accepted", "Expires: 120\r\n", "", ""};

class Subscription : public PluginApiTest {
 protected:
  void SetUp() override {
    h_ = attach();
    guest_register(h_);
  }
  // Sends `subscribe` for `event` to the peer; returns the SUBSCRIBE as received.
  std::string subscribe(const std::string& event = "message-summary", const std::string& extra = "") {
    EXPECT_TRUE(IsResult(request(h_, R"({"request":"subscribe","event":")" + event + R"(","to":")" +
                                         peer_.uri("mbox") + "\"" + extra + "}"),
                         "subscribing"));
    return peer_.wait_request("SUBSCRIBE", kEventTimeout).value_or("");
  }
  // Subscribes and waits for subscribe_succeeded; returns the SUBSCRIBE.
  std::string subscribed(const std::string& extra = "") {
    peer_.script("SUBSCRIBE", {k202});
    std::string sub = subscribe("message-summary", extra);
    EXPECT_FALSE(sub.empty());
    EXPECT_TRUE(wait_result(h_, "subscribe_succeeded"));
    return sub;
  }
  std::string notify(const std::string& sub, const std::string& state, const std::string& body,
                     const std::string& extra = "") {
    return peer_.in_dialog(sub, "NOTIFY", "Event: message-summary\r\nSubscription-State: " + state + "\r\n" + extra,
                           body.empty() ? "" : "application/simple-message-summary", body);
  }
  void expect_quiet() {
    std::this_thread::sleep_for(300ms);
    while (auto ev = core().wait_event(h_, 0ms)) ADD_FAILURE() << "unexpected " << ev->dump();
  }

  ScriptedPeer peer_;
  janus_plugin_session* h_ = nullptr;
};

TEST_F(Subscription, SubscribeCarriesEventExpiresAcceptAndHeaders) {
  std::string sub = subscribe("presence", R"(,"subscribe_ttl":300,"accept":"application/pidf+xml",)"
                                          R"("call_id":"sub-call-1","headers":{"X-Sub":"s"})");
  ASSERT_FALSE(sub.empty());
  EXPECT_EQ(sip_header(sub, "Event"), "presence");
  EXPECT_EQ(sip_header(sub, "Expires"), "300");
  EXPECT_EQ(sip_header(sub, "Accept"), "application/pidf+xml");
  EXPECT_EQ(sip_header(sub, "Call-ID"), "sub-call-1");
  EXPECT_EQ(sip_header(sub, "X-Sub"), "s");
  EXPECT_NE(sip_header(sub, "To").value_or("").find(peer_.uri("mbox")), std::string::npos);
  EXPECT_NE(sip_header(sub, "From").value_or("").find("sip:alice@127.0.0.1"), std::string::npos) << sub;
}

TEST_F(Subscription, TtlZeroOrNegativeOrAbsentMeans3600) {
  for (const std::string extra : {"", R"(,"subscribe_ttl":0)", R"(,"subscribe_ttl":-5)"}) {
    std::string sub = subscribe("ev" + std::to_string(extra.size()), extra);
    EXPECT_EQ(sip_header(sub, "Expires"), "3600") << extra;
  }
}

TEST_F(Subscription, SucceededCarriesCodeReasonExpiresAndTheSubscribeCallId) {
  peer_.script("SUBSCRIBE", {k202});
  std::string sub = subscribe();
  auto ev = wait_result(h_, "subscribe_succeeded");
  ASSERT_TRUE(ev);
  EXPECT_TRUE(PayloadIs(*ev, R"({"sip":"event","call_id":")" + sip_header(sub, "Call-ID").value_or("") +
                                 R"(","result":{"event":"subscribe_succeeded","code":202,"reason":"Accepted",)"
                                 R"("expires":120}})"));
}

TEST_F(Subscription, FailureIsReportedWithTheSubscribeCallId) {
  peer_.script("SUBSCRIBE", {{489, "Bad Event", "", "", ""}});
  std::string sub = subscribe();
  auto ev = wait_result(h_, "subscribe_failed");
  ASSERT_TRUE(ev);
  EXPECT_TRUE(PayloadIs(*ev, R"({"sip":"event","call_id":")" + sip_header(sub, "Call-ID").value_or("") +
                                 R"(","result":{"event":"subscribe_failed","code":489,"reason":"Bad Event"}})"));
}

TEST_F(Subscription, NotifyWithABodyBecomesANotifyEvent) {
  std::string sub = subscribed();
  ASSERT_TRUE(peer_.send(notify(sub, "active;expires=120", "Messages-Waiting: yes\r\n")));
  auto ev = wait_result(h_, "notify");
  ASSERT_TRUE(ev);
  EXPECT_TRUE(PayloadIs(*ev, R"({"sip":"event","call_id":")" + sip_header(sub, "Call-ID").value_or("") +
                                 R"(","result":{"event":"notify","notify":"message-summary","substate":"active",)"
                                 R"("content-type":"application/simple-message-summary",)"
                                 R"("content":"Messages-Waiting: yes\r\n"}})"));
  auto reply = peer_.wait_response("NOTIFY", kEventTimeout);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->rfind("SIP/2.0 200", 0), 0u) << *reply;
}

TEST_F(Subscription, BodylessNotifyIsAnsweredButNotReported) {
  std::string sub = subscribed();
  ASSERT_TRUE(peer_.send(notify(sub, "active;expires=120", "")));
  auto reply = peer_.wait_response("NOTIFY", kEventTimeout);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->rfind("SIP/2.0 200", 0), 0u) << *reply;
  expect_quiet();
}

TEST_F(Subscription, SameEventReusesTheDialog) {
  std::string first = subscribed();
  std::string again = subscribe();
  ASSERT_FALSE(again.empty());
  EXPECT_EQ(sip_header(again, "Call-ID"), sip_header(first, "Call-ID"));
  EXPECT_TRUE(wait_result(h_, "subscribe_succeeded"));
  // Another package is another dialog.
  std::string other = subscribe("presence");
  ASSERT_FALSE(other.empty());
  EXPECT_NE(sip_header(other, "Call-ID"), sip_header(first, "Call-ID"));
}

// The answer to the un-SUBSCRIBE is reported like any answer to SUBSCRIBE (there is no
// `unsubscribed` event in 1.1.2 or HEAD), the notifier's last NOTIFY as `notify`.
TEST_F(Subscription, UnsubscribeSendsExpiresZeroInTheDialog) {
  std::string sub = subscribed();
  peer_.script("SUBSCRIBE", {{200, "OK", "Expires: 0\r\n", "", ""}});
  EXPECT_TRUE(PayloadIs(request(h_, R"({"request":"unsubscribe","event":"message-summary"})"),
                        R"({"sip":"event","result":{"event":"unsubscribing"}})"));
  auto un = peer_.wait_request("SUBSCRIBE", kEventTimeout);
  ASSERT_TRUE(un);
  EXPECT_EQ(sip_header(*un, "Expires"), "0");
  EXPECT_EQ(sip_header(*un, "Call-ID"), sip_header(sub, "Call-ID"));
  EXPECT_EQ(sip_header(*un, "Event"), "message-summary");
  const std::string call_id = sip_header(sub, "Call-ID").value_or("");
  auto answered = wait_result(h_, "subscribe_succeeded");
  ASSERT_TRUE(answered);
  EXPECT_TRUE(PayloadIs(*answered, R"({"sip":"event","call_id":")" + call_id +
                                       R"(","result":{"event":"subscribe_succeeded","code":200,"reason":"OK",)"
                                       R"("expires":0}})"));
  // The notifier ends it with a final NOTIFY.
  ASSERT_TRUE(peer_.send(notify(sub, "terminated;reason=timeout", "Messages-Waiting: no\r\n")));
  auto ev = wait_result(h_, "notify");
  ASSERT_TRUE(ev);
  EXPECT_EQ(string_at(ev->result(), "substate"), "terminated");
  EXPECT_EQ(ev->call_id(), call_id);
  expect_quiet();
}

TEST_F(Subscription, UnsubscribeNeedsTheEventAndARegistration) {
  subscribed();
  EXPECT_TRUE(IsError(request(h_, R"({"request":"unsubscribe"})"), 443, "Missing mandatory element (event)"));
  EXPECT_TRUE(IsError(request(h_, R"({"request":"unsubscribe","event":"presence"})"), 447,
                      "Wrong state (not subscribed to this event)"));
  EXPECT_EQ(peer_.count("SUBSCRIBE"), 1);
}

TEST_F(Subscription, HelperChallengeIsAnsweredWithTheMastersCredentials) {
  ScriptedPeer registrar;
  auto* master = attach();
  ASSERT_TRUE(IsResult(request(master, R"({"request":"register","username":"sip:carol@127.0.0.1","secret":"pw",)"
                                       R"("authuser":"carol-auth","proxy":")" + registrar.uri("reg") + "\"}"),
                       "registering"));
  auto registered = wait_result(master, "registered");
  ASSERT_TRUE(registered);
  auto* helper = attach();
  ASSERT_TRUE(IsResult(request(helper, R"({"request":"register","type":"helper","username":"sip:x@127.0.0.1",)"
                                       R"("master_id":)" +
                                           std::to_string(integer_at(registered->result(), "master_id").value_or(0)) +
                                           "}"),
                       "registered"));
  peer_.script("SUBSCRIBE", {{401, "Unauthorized", "WWW-Authenticate: Digest realm=\"peer\", nonce=\"n3\"\r\n", "", ""},
                             k202});
  ASSERT_TRUE(IsResult(request(helper, R"({"request":"subscribe","event":"dialog","to":")" + peer_.uri("x") + "\"}"),
                       "subscribing"));
  auto first = peer_.wait_request("SUBSCRIBE", kEventTimeout);
  ASSERT_TRUE(first);
  EXPECT_NE(sip_header(*first, "From").value_or("").find("sip:carol@127.0.0.1"), std::string::npos) << *first;
  auto second = peer_.wait_request("SUBSCRIBE", kEventTimeout);
  ASSERT_TRUE(second);
  EXPECT_NE(sip_header(*second, "Authorization").value_or("").find("username=\"carol-auth\""), std::string::npos)
      << *second;
  EXPECT_TRUE(wait_result(helper, "subscribe_succeeded"));
  // The helper's subscriptions are its own.
  EXPECT_TRUE(IsError(request(master, R"({"request":"unsubscribe","event":"dialog"})"), 447,
                      "Wrong state (not subscribed to this event)"));
}

TEST_F(Subscription, ChallengeWithoutCredentialsIsAFailure) {
  if (stock()) GTEST_SKIP() << "v1.1.2 answers a guest's challenge with \"(null)\" credentials";
  peer_.script("SUBSCRIBE",
               {{401, "Unauthorized", "WWW-Authenticate: Digest realm=\"peer\", nonce=\"n4\"\r\n", "", ""}});
  subscribe();
  auto ev = wait_result(h_, "subscribe_failed");
  ASSERT_TRUE(ev);
  EXPECT_EQ(integer_at(ev->result(), "code"), 401);
  EXPECT_EQ(peer_.count("SUBSCRIBE"), 1);
}

// HEAD: content and content_type (both) become the SUBSCRIBE's body; 1.1.2 ignores them.
TEST_F(Subscription, ContentAndContentTypeMakeABody) {
  std::string sub = subscribe("presence", R"(,"content":"<filter/>","content_type":"application/x-filter")");
  ASSERT_FALSE(sub.empty());
  if (stock()) {
    EXPECT_EQ(sip_body(sub), "");
  } else {
    EXPECT_EQ(sip_body(sub), "<filter/>");
    EXPECT_EQ(sip_header(sub, "Content-Type"), "application/x-filter");
  }
  // One of the two is no body (and not validated: 1.1.2 answers do not change).
  std::string only = subscribe("dialog", R"(,"content":"x","content_type":1)");
  EXPECT_EQ(sip_body(only), "");
}

TEST_F(Subscription, ToDefaultsToTheOwnIdentity) {
  auto* h = attach();
  ASSERT_TRUE(IsResult(request(h, R"({"request":"register","type":"guest","username":"sip:dave@127.0.0.1",)"
                                  R"("outbound_proxy":")" + peer_.uri("proxy") + "\"}"),
                       "registered"));
  ASSERT_TRUE(IsResult(request(h, R"({"request":"subscribe","event":"reg"})"), "subscribing"));
  auto sub = peer_.wait_request("SUBSCRIBE", kEventTimeout);
  ASSERT_TRUE(sub);
  EXPECT_NE(sip_header(*sub, "To").value_or("").find("sip:dave@127.0.0.1"), std::string::npos) << *sub;
}

TEST_F(Subscription, DetachReleasesTheHandleAtOnce) {
  if (stock()) GTEST_SKIP() << "v1.1.2 releases the handle when its Sofia thread ends";
  subscribed();
  peer_.script("MESSAGE", {{0, "", "", "", ""}});   // never answered
  ASSERT_TRUE(IsResult(request(h_, R"({"request":"message","content":"x","uri":")" + peer_.uri("bob") + "\"}"),
                       "messagesent"));
  ASSERT_TRUE(peer_.wait_request("MESSAGE", kEventTimeout));
  detach(h_);
  const auto deadline = std::chrono::steady_clock::now() + kEventTimeout;
  while (core().plugin_refs(h_) != 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(core().plugin_refs(h_), 0);
}

TEST_F(Subscription, UnregisterEndsTheSubscriptions) {
  if (stock()) GTEST_SKIP() << "v1.1.2 keeps subscribing (and refreshing) after an unregister";
  ScriptedPeer registrar;
  auto* h = attach();
  ASSERT_TRUE(IsResult(request(h, R"({"request":"register","username":"sip:erin@127.0.0.1","secret":"pw",)"
                                  R"("proxy":")" + registrar.uri("reg") + "\"}"),
                       "registering"));
  ASSERT_TRUE(wait_result(h, "registered"));
  peer_.script("SUBSCRIBE", {k202});
  ASSERT_TRUE(IsResult(request(h, R"({"request":"subscribe","event":"presence","to":")" + peer_.uri("x") + "\"}"),
                       "subscribing"));
  auto sub = peer_.wait_request("SUBSCRIBE", kEventTimeout);
  ASSERT_TRUE(sub);
  ASSERT_TRUE(wait_result(h, "subscribe_succeeded"));
  ASSERT_TRUE(IsResult(request(h, R"({"request":"unregister"})"), "unregistering"));
  ASSERT_TRUE(wait_result(h, "unregistered"));
  auto un = peer_.wait_request("SUBSCRIBE", kEventTimeout);
  ASSERT_TRUE(un);
  EXPECT_EQ(sip_header(*un, "Expires"), "0");
  EXPECT_EQ(sip_header(*un, "Call-ID"), sip_header(*sub, "Call-ID"));
}

TEST_F(Subscription, SubscribeChallengeIsAnsweredWithTheAccountCredentials) {
  ScriptedPeer registrar;
  auto* h = attach();
  ASSERT_TRUE(IsResult(request(h, R"({"request":"register","username":"sip:carol@127.0.0.1","secret":"pw",)"
                                  R"("authuser":"carol-auth","proxy":")" + registrar.uri("reg") + "\"}"),
                       "registering"));
  ASSERT_TRUE(wait_result(h, "registered"));
  peer_.script("SUBSCRIBE", {{407, "Proxy Authentication Required",
                              "Proxy-Authenticate: Digest realm=\"peer\", nonce=\"n1\", algorithm=MD5\r\n", "", ""},
                             k202});
  ASSERT_TRUE(IsResult(request(h, R"({"request":"subscribe","event":"presence","to":")" + peer_.uri("x") + "\"}"),
                       "subscribing"));
  ASSERT_TRUE(peer_.wait_request("SUBSCRIBE", kEventTimeout));
  auto second = peer_.wait_request("SUBSCRIBE", kEventTimeout);
  ASSERT_TRUE(second);
  const std::string auth = sip_header(*second, "Proxy-Authorization").value_or("");
  EXPECT_NE(auth.find("username=\"carol-auth\""), std::string::npos) << auth;
  EXPECT_NE(auth.find("realm=\"peer\""), std::string::npos) << auth;
  auto ev = wait_result(h, "subscribe_succeeded");
  ASSERT_TRUE(ev);
  EXPECT_EQ(integer_at(ev->result(), "code"), 202);
  EXPECT_FALSE(wait_result(h, "subscribe_failed", 300ms));
}

TEST_F(Subscription, RefreshLeavesBeforeExpiry) {
  peer_.script("SUBSCRIBE", {{202, "Accepted", "Expires: 4\r\n", "", ""}});
  std::string sub = subscribe("message-summary", R"(,"subscribe_ttl":4)");
  ASSERT_FALSE(sub.empty());
  const auto sent = std::chrono::steady_clock::now();
  ASSERT_TRUE(wait_result(h_, "subscribe_succeeded"));
  auto refresh = peer_.wait_request("SUBSCRIBE", 4000ms);
  ASSERT_TRUE(refresh) << "no refresh within the 4 s the subscription lasts";
  EXPECT_LT(std::chrono::steady_clock::now() - sent, 4000ms);
  EXPECT_EQ(sip_header(*refresh, "Call-ID"), sip_header(sub, "Call-ID"));
  EXPECT_NE(sip_header(*refresh, "Expires"), "0");
  EXPECT_TRUE(wait_result(h_, "subscribe_succeeded"));
}

TEST_F(Subscription, DetachEndsTheSubscription) {
  std::string sub = subscribed();
  detach(h_);
  auto un = peer_.wait_request("SUBSCRIBE", kEventTimeout);
  ASSERT_TRUE(un);
  EXPECT_EQ(sip_header(*un, "Expires"), "0");
  EXPECT_EQ(sip_header(*un, "Call-ID"), sip_header(sub, "Call-ID"));
}

class SubscriptionWithPrefixes : public Subscription {
 protected:
  void SetUp() override {
    h_ = attach();
    ASSERT_TRUE(IsResult(request(h_, R"({"request":"register","type":"guest","username":"sip:alice@127.0.0.1",)"
                                     R"("incoming_header_prefixes":["X-N"]})"),
                         "registered"));
  }
};

TEST_F(SubscriptionWithPrefixes, SucceededAndNotifyCarryTheMatchingHeaders) {
  peer_.script("SUBSCRIBE", {{202, "Accepted", "Expires: 60\r\nX-N-Sub: a\r\nX-Other: b\r\n", "", ""}});
  std::string sub = subscribe();
  auto ok = wait_result(h_, "subscribe_succeeded");
  ASSERT_TRUE(ok);
  EXPECT_EQ(dump_json(json_object_get(ok->result(), "headers")), R"({"X-N-Sub":"a"})");
  ASSERT_TRUE(peer_.send(notify(sub, "active;expires=60", "x", "X-N-Notify: n\r\n")));
  auto ev = wait_result(h_, "notify");
  ASSERT_TRUE(ev);
  EXPECT_EQ(dump_json(json_object_get(ev->result(), "headers")), R"({"X-N-Notify":"n"})");
}

TEST_F(SubscriptionWithPrefixes, FailedCarriesTheMatchingHeaders) {
  peer_.script("SUBSCRIBE", {{403, "Forbidden", "X-N-Why: no\r\n", "", ""}});
  subscribe();
  auto ev = wait_result(h_, "subscribe_failed");
  ASSERT_TRUE(ev);
  EXPECT_EQ(dump_json(json_object_get(ev->result(), "headers")), R"({"X-N-Why":"no"})");
}

}  // namespace
}  // namespace rtpgate::test
