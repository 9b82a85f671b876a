// Plugin ABI and message envelope (spec §1, §2, §16): what every request shares.
#include <cstring>
#include <thread>

#include "plugin_test_env.h"

namespace rtpgate::test {
namespace {

using PluginAbi = PluginApiTest;
using Envelope = PluginApiTest;
using HandleLifetime = PluginApiTest;

// Clients reach the plugin by package name; the core refuses API versions below its own.
// (v1.1.2 itself: name "JANUS SIP plugin", author "Meetecho s.r.l.", version 8 "0.0.8".)
TEST_F(PluginAbi, IdentifiesAsTheSipPluginForApi102) {
  janus_plugin* p = core().plugin();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->get_api_compatibility(), 102);
  EXPECT_STREQ(p->get_package(), "janus.plugin.sip");
  ASSERT_NE(p->get_name(), nullptr);
  EXPECT_EQ(std::string(p->get_name()).rfind("JANUS SIP plugin", 0), 0u) << p->get_name();
  ASSERT_NE(p->get_version_string(), nullptr);
  ASSERT_NE(p->get_description(), nullptr);
  EXPECT_GT(p->get_version(), 0);
}

TEST_F(PluginAbi, HandlesMediaFromTheCore) {
  janus_plugin* p = core().plugin();
  EXPECT_NE(p->incoming_rtp, nullptr);
  EXPECT_NE(p->incoming_rtcp, nullptr);
}

TEST_F(Envelope, ValidRequestIsAnsweredAsynchronouslyWithTheSameTransaction) {
  auto* h = attach();
  MessageResult r = core().send(h, R"({"request":"reset"})", std::nullopt, "my-tx-1");
  EXPECT_EQ(r.type, JANUS_PLUGIN_OK_WAIT);
  EXPECT_FALSE(r.content);
  auto ev = core().wait_event(h, kEventTimeout);
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->transaction, "my-tx-1");
  EXPECT_EQ(ev->handle, h);
  EXPECT_FALSE(ev->jsep);
  EXPECT_TRUE(PayloadIs(*ev, R"({"sip":"event","result":{"event":"reset"}})"));
}

TEST_F(Envelope, MissingBodyIs440) {
  auto* h = attach();
  EXPECT_TRUE(IsError(request_raw(h, nullptr, nullptr), 440, "No message??"));
}

TEST_F(Envelope, BodyThatIsNotAnObjectIs441) {
  auto* h = attach();
  for (const char* body : {R"([])", R"(["request","reset"])", R"("reset")", "42", "null"}) {
    EXPECT_TRUE(IsError(request(h, body), 441, "JSON error: not an object")) << body;
  }
}

TEST_F(Envelope, MissingRequestIs443) {
  auto* h = attach();
  EXPECT_TRUE(IsError(request(h, "{}"), 443, "Missing mandatory element (request)"));
  EXPECT_TRUE(IsError(request(h, R"({"username":"sip:a@127.0.0.1"})"), 443,
                      "Missing mandatory element (request)"));
}

TEST_F(Envelope, RequestThatIsNotAStringIs444) {
  auto* h = attach();
  for (const char* body : {R"({"request":5})", R"({"request":true})", R"({"request":null})",
                           R"({"request":{"name":"reset"}})", R"({"request":["reset"]})"}) {
    EXPECT_TRUE(IsError(request(h, body), 444, "Invalid element type (request should be a string)"))
        << body;
  }
}

TEST_F(Envelope, UnknownRequestIs442WithTheNameAsSent) {
  auto* h = attach();
  EXPECT_TRUE(IsError(request(h, R"({"request":"foo"})"), 442, "Unknown request (foo)"));
  EXPECT_TRUE(IsError(request(h, R"({"request":"FOO bar"})"), 442, "Unknown request (FOO bar)"));
  EXPECT_TRUE(IsError(request(h, R"({"request":""})"), 442, "Unknown request ()"));
  // There is no synchronous request in this plugin (no "list", no "info").
  EXPECT_TRUE(IsError(request(h, R"({"request":"list"})"), 442, "Unknown request (list)"));
}

TEST_F(Envelope, RequestNamesAreCaseInsensitive) {
  auto* h = attach();
  EXPECT_TRUE(IsResult(request(h, R"({"request":"RESET"})"), "reset"));
  EXPECT_TRUE(IsResult(request(h, R"({"request":"ReSeT"})"), "reset"));
  EXPECT_TRUE(IsResult(
      request(h, R"({"request":"ReGiStEr","type":"guest","username":"sip:alice@127.0.0.1"})"),
      "registered"));
  EXPECT_TRUE(IsError(request(h, R"({"request":"UNREGISTER"})"), 447,
                      "Wrong state (not registered)"));
}

TEST_F(Envelope, UnknownKeysAreIgnored) {
  auto* h = attach();
  EXPECT_TRUE(PayloadIs(request(h, R"({"request":"reset","foo":1,"janus":"message"})"),
                        R"({"sip":"event","result":{"event":"reset"}})"));
}

TEST_F(Envelope, RequestsOfOneHandleAreAnsweredInOrder) {
  auto* h = attach();
  std::vector<std::string> sent;
  for (int i = 0; i < 20; ++i) {
    const char* body = (i % 3 == 0) ? R"({"request":"nope"})" : R"({"request":"reset"})";
    sent.push_back(core().send(h, body).transaction);
  }
  for (const std::string& tx : sent) {
    auto ev = core().wait_event(h, kEventTimeout);
    ASSERT_TRUE(ev);
    EXPECT_EQ(ev->transaction, tx);
  }
}

TEST_F(Envelope, EventsGoToTheHandleThatAsked) {
  auto* a = attach();
  auto* b = attach();
  MessageResult ra = core().send(a, R"({"request":"nope_a"})");
  MessageResult rb = core().send(b, R"({"request":"nope_b"})");
  auto eb = core().wait_event(b, kEventTimeout);
  auto ea = core().wait_event(a, kEventTimeout);
  ASSERT_TRUE(ea && eb);
  EXPECT_EQ(ea->transaction, ra.transaction);
  EXPECT_EQ(eb->transaction, rb.transaction);
  EXPECT_TRUE(IsError(*ea, 442, "Unknown request (nope_a)"));
  EXPECT_TRUE(IsError(*eb, 442, "Unknown request (nope_b)"));
}

TEST_F(Envelope, ErrorEventsCarryTheTransactionOfTheRequest) {
  auto* h = attach();
  core().send(h, R"({"request":"call"})", std::nullopt, "tx-call-1");
  auto ev = core().wait_event(h, kEventTimeout);
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->transaction, "tx-call-1");
  EXPECT_TRUE(IsError(*ev, 447, "Wrong state (register first)"));
}

TEST_F(Envelope, UnknownHandleIsRefusedSynchronously) {
  janus_plugin_session never_attached;
  std::memset(&never_attached, 0, sizeof never_attached);
  MessageResult r = core().send(&never_attached, R"({"request":"reset"})");
  EXPECT_EQ(r.type, JANUS_PLUGIN_ERROR);
  EXPECT_EQ(r.text, "No session associated with this handle");
}

TEST_F(Envelope, DetachedHandleIsRefusedSynchronously) {
  auto* h = attach();
  detach(h);
  MessageResult r = core().send(h, R"({"request":"reset"})");
  EXPECT_EQ(r.type, JANUS_PLUGIN_ERROR);
  EXPECT_EQ(r.text, "No session associated with this handle");
}

// Admin API handle_info → plugin_specific (spec §15.1; v1.1.2 has no unique_id).
TEST_F(Envelope, QuerySessionOfAFreshHandle) {
  auto* h = attach();
  JsonRef info = core().query_session(h);
  ASSERT_TRUE(info);
  PluginEvent as_event;
  as_event.message = std::move(info);
  EXPECT_TRUE(PayloadIs(as_event, R"({"registration_status":"unregistered","call_status":"idle",
      "establishing":0,"established":0,"hangingup":0,"destroyed":0})"));
}

TEST_F(Envelope, QuerySessionOfAGuest) {
  auto* h = attach();
  guest_register(h);
  PluginEvent as_event;
  as_event.message = core().query_session(h);
  EXPECT_TRUE(PayloadIs(as_event, R"({"username":"alice","authuser":"alice",
      "identity":"sip:alice@127.0.0.1","registration_status":"disabled","call_status":"idle",
      "establishing":0,"established":0,"hangingup":0,"destroyed":0})"));
}

bool wait_for_refs(janus_plugin_session* h, int refs, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (FakeJanus::instance().plugin_refs(h) != refs) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

TEST_F(HandleLifetime, CreateSessionStoresThePluginHandle) {
  auto* h = attach();
  EXPECT_NE(h->plugin_handle, nullptr);
  EXPECT_EQ(g_atomic_int_get(&h->stopped), 0);
}

TEST_F(HandleLifetime, PluginOwnsOneReferenceWhileAttached) {
  auto* h = attach();
  EXPECT_TRUE(IsResult(request(h, R"({"request":"reset"})"), "reset"));
  EXPECT_EQ(core().plugin_refs(h), 1);
}

TEST_F(HandleLifetime, PluginDropsItsReferencesAfterDetach) {
  auto* h = attach();
  EXPECT_TRUE(IsResult(request(h, R"({"request":"reset"})"), "reset"));
  EXPECT_EQ(core().detach(h), 0);
  EXPECT_TRUE(wait_for_refs(h, 0, kEventTimeout)) << "plugin still holds " << core().plugin_refs(h);
}

TEST_F(HandleLifetime, PluginDropsItsReferencesAfterDetachOfARegisteredGuest) {
  auto* h = attach();
  guest_register(h);
  EXPECT_EQ(core().detach(h), 0);
  EXPECT_TRUE(wait_for_refs(h, 0, kEventTimeout)) << "plugin still holds " << core().plugin_refs(h);
}

TEST_F(HandleLifetime, DestroySessionOfAnUnknownHandleFails) {
  janus_plugin_session never_attached;
  std::memset(&never_attached, 0, sizeof never_attached);
  int error = 0;
  core().plugin()->destroy_session(&never_attached, &error);
  EXPECT_NE(error, 0);
}

TEST_F(HandleLifetime, NoEventIsPushedAfterDetach) {
  auto* h = attach();
  guest_register(h);
  detach(h);
  // Other tests' detached handles may still get late SIP events (dropped, as by the core).
  for (const PluginEvent& ev : core().take_orphan_events()) EXPECT_NE(ev.handle, h) << ev.dump();
}

}  // namespace
}  // namespace rtpgate::test
