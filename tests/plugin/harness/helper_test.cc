// Helper sessions (`register` with type "helper", spec §4.1 step 2-3, §7).
#include <chrono>
#include <thread>

#include "plugin_test_env.h"

namespace rtpgate::test {
namespace {

using Helper = PluginApiTest;

std::string helper_register(json_int_t master_id, const std::string& extra = "") {
  return R"({"request":"register","type":"helper","username":"sip:whoever@127.0.0.1",)"
         R"("master_id":)" + std::to_string(master_id) + extra + "}";
}

json_int_t master_id_of(const PluginEvent& registered) {
  auto id = integer_at(registered.result(), "master_id");
  EXPECT_TRUE(id) << registered.dump();
  return id.value_or(0);
}

TEST_F(Helper, WithoutMasterIdIs443) {
  auto* h = attach();
  EXPECT_TRUE(IsError(
      request(h, R"({"request":"register","type":"helper","username":"sip:a@127.0.0.1"})"), 443,
      "Missing mandatory element for helper (master_id)"));
}

TEST_F(Helper, StillNeedsAUsername) {
  auto* h = attach();
  EXPECT_TRUE(IsError(request(h, R"({"request":"register","type":"helper","master_id":1})"), 443,
                      "Missing mandatory element (username)"));
}

TEST_F(Helper, WithUnknownMasterIs453) {
  auto* h = attach();
  EXPECT_TRUE(IsError(request(h, helper_register(12345)), 453, "No such master session (12345)"));
}

TEST_F(Helper, UnregisteredSessionIsNoMaster) {
  auto* master = attach();
  auto* h = attach();
  // A session becomes a master (gets a master_id) only when it registers; a failed register
  // does not make it one.
  EXPECT_TRUE(IsError(request(master, R"({"request":"register","username":"sip:a@127.0.0.1"})"),
                      443, "Missing element (secret or ha1_secret)"));
  EXPECT_TRUE(IsError(request(h, helper_register(1)), 453, "No such master session (1)"));
}

TEST_F(Helper, LinksToTheMasterAndTakesItsUsername) {
  auto* master = attach();
  auto* h = attach();
  const json_int_t id = master_id_of(guest_register(master, "alice"));
  PluginEvent ev = request(h, helper_register(id));
  EXPECT_TRUE(PayloadIs(ev, R"({"sip":"event","result":{"event":"registered","username":"alice",
      "register_sent":false,"helper":true,"master_id":)" + std::to_string(id) + "}}"));
}

TEST_F(Helper, CredentialsAreNotChecked) {
  auto* master = attach();
  auto* h = attach();
  const json_int_t id = master_id_of(guest_register(master));
  EXPECT_TRUE(IsResult(request(h, helper_register(id, R"(,"secret":"a","ha1_secret":"b")")),
                       "registered"));
}

TEST_F(Helper, IsReportedToEventHandlers) {
  auto* master = attach();
  auto* h = attach();
  const json_int_t id = master_id_of(guest_register(master, "alice"));
  core().take_notifications();
  ASSERT_TRUE(IsResult(request(h, helper_register(id)), "registered"));
  std::optional<NotifiedEvent> n;
  while ((n = core().wait_notification(kEventTimeout)) && n->handle != h) {
  }
  ASSERT_TRUE(n);
  PluginEvent as_event;
  as_event.message = std::move(n->event);
  EXPECT_TRUE(PayloadIs(as_event, R"({"event":"registered","identity":"sip:alice@127.0.0.1",
      "type":"guest","helper":true,"master_id":)" + std::to_string(id) + "}"));
}

// The error text quotes the master_id of the request, not the one the helper is bound to.
TEST_F(Helper, RegisteringAHelperAgainIs453) {
  auto* master = attach();
  auto* h = attach();
  const json_int_t id = master_id_of(guest_register(master));
  ASSERT_TRUE(IsResult(request(h, helper_register(id)), "registered"));
  EXPECT_TRUE(IsError(request(h, helper_register(777)), 453, "Session already a helper (777)"));
  EXPECT_TRUE(IsError(request(h, helper_register(id)), 453,
                      "Session already a helper (" + std::to_string(id) + ")"));
}

TEST_F(Helper, CannotRegisterAsANormalAccount) {
  auto* master = attach();
  auto* h = attach();
  const json_int_t id = master_id_of(guest_register(master));
  ASSERT_TRUE(IsResult(request(h, helper_register(id)), "registered"));
  EXPECT_TRUE(IsError(
      request(h, R"({"request":"register","type":"guest","username":"sip:b@127.0.0.1"})"), 453,
      "Can't register on a helper session"));
  EXPECT_TRUE(IsError(
      request(h, R"({"request":"register","username":"sip:b@127.0.0.1","secret":"x"})"), 453,
      "Can't register on a helper session"));
}

TEST_F(Helper, QuerySessionShowsTheMaster) {
  auto* master = attach();
  auto* h = attach();
  const json_int_t id = master_id_of(guest_register(master, "alice"));
  ASSERT_TRUE(IsResult(request(h, helper_register(id)), "registered"));
  PluginEvent as_event;
  as_event.message = core().query_session(h);
  EXPECT_TRUE(PayloadIs(as_event, R"({"helper":true,"master":{"username":"alice",
      "authuser":"alice","identity":"sip:alice@127.0.0.1","registration_status":"disabled"},
      "username":"alice","registration_status":"disabled","call_status":"idle",
      "establishing":0,"established":0,"hangingup":0,"destroyed":0})"));
  as_event.message = core().query_session(master);
  EXPECT_EQ(integer_at(as_event.message.get(), "helpers"), 1);
}

TEST_F(Helper, UnregisterOnlyDetachesFromTheMaster) {
  auto* master = attach();
  auto* h = attach();
  const json_int_t id = master_id_of(guest_register(master));
  ASSERT_TRUE(IsResult(request(h, helper_register(id)), "registered"));
  EXPECT_TRUE(PayloadIs(request(h, R"({"request":"unregister"})"),
                        R"({"sip":"event","result":{"event":"unregistering"}})"));
  // No "unregistered" follows, and the session may become a helper again.
  EXPECT_TRUE(IsResult(request(h, helper_register(id)), "registered"));
}

TEST_F(Helper, DetachingTheMasterEndsItsHelpers) {
  auto* master = attach();
  auto* h1 = attach();
  auto* h2 = attach();
  auto* other = attach();
  const json_int_t id = master_id_of(guest_register(master));
  ASSERT_TRUE(IsResult(request(h1, helper_register(id)), "registered"));
  ASSERT_TRUE(IsResult(request(h2, helper_register(id)), "registered"));
  detach(master);
  // Stock ends them inside destroy_session; rtpgate on its SIP loop right after it.
  for (int i = 0; i < 200 && (core().end_session_calls(h1) == 0 || core().end_session_calls(h2) == 0); i++)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(core().end_session_calls(h1), 1);
  EXPECT_EQ(core().end_session_calls(h2), 1);
  EXPECT_EQ(core().end_session_calls(other), 0);
  EXPECT_EQ(core().end_session_calls(master), 0);
}

TEST_F(Helper, DetachingAHelperLeavesTheMasterAlone) {
  auto* master = attach();
  auto* h = attach();
  const json_int_t id = master_id_of(guest_register(master));
  ASSERT_TRUE(IsResult(request(h, helper_register(id)), "registered"));
  detach(h);
  EXPECT_EQ(core().end_session_calls(master), 0);
  PluginEvent as_event;
  as_event.message = core().query_session(master);
  EXPECT_FALSE(integer_at(as_event.message.get(), "helpers"));
  EXPECT_TRUE(IsResult(request(master, R"({"request":"reset"})"), "reset"));
}

TEST_F(Helper, HelpersOfAGuestMasterCanStartCallsChecks) {
  auto* master = attach();
  auto* h = attach();
  const json_int_t id = master_id_of(guest_register(master));
  ASSERT_TRUE(IsResult(request(h, helper_register(id)), "registered"));
  // A helper counts as registered (status disabled): call passes the state checks.
  EXPECT_TRUE(IsError(request(h, R"({"request":"call","uri":"sip:bob@127.0.0.1"})"), 448,
                      "Missing SDP"));
}

}  // namespace
}  // namespace rtpgate::test
