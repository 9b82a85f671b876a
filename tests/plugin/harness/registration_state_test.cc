// REGISTER-backed registrations against a SipSink registrar (spec §3.1, §4.1 steps 7, §4.2):
// `registering`, the 445 rule, `registered` on 200 OK, `unregister`.
#include "plugin_test_env.h"
#include "sip_sink.h"

namespace rtpgate::test {
namespace {

class Registration : public PluginApiTest {
 protected:
  std::string register_body(const SipSink& registrar, const std::string& extra = "") {
    return R"({"request":"register","username":"sip:alice@127.0.0.1","secret":"pw",)"
           R"("proxy":"sip:127.0.0.1:)" + std::to_string(registrar.port()) + "\"" + extra + "}";
  }
};

TEST_F(Registration, RegisterAnswersRegisteringAndSendsRegister) {
  SipSink registrar;  // never answers
  auto* h = attach();
  PluginEvent ev = request(h, register_body(registrar));
  // v1.1.2: no unique_id.
  EXPECT_TRUE(PayloadIs(ev, R"({"sip":"event","result":{"event":"registering"}})"));
  auto sip = registrar.wait_request("REGISTER", kEventTimeout);
  ASSERT_TRUE(sip);
  EXPECT_NE(sip_header(*sip, "From").value_or("").find("sip:alice@127.0.0.1"), std::string::npos);
  EXPECT_NE(sip_header(*sip, "To").value_or("").find("sip:alice@127.0.0.1"), std::string::npos);
  EXPECT_EQ(sip_header(*sip, "Expires"), "3600");
  EXPECT_NE(sip_header(*sip, "Contact").value_or("").find("sip:alice@127.0.0.1"),
            std::string::npos);
}

TEST_F(Registration, RegisterTtlAuthuserDisplayNameAndHeadersShapeTheRegister) {
  SipSink registrar;
  auto* h = attach();
  ASSERT_TRUE(IsResult(
      request(h, register_body(registrar, R"(,"register_ttl":120,"authuser":"auth-alice",)"
                                          R"("display_name":"Alice A","headers":{"X-Test":"one"})")),
      "registering"));
  auto sip = registrar.wait_request("REGISTER", kEventTimeout);
  ASSERT_TRUE(sip);
  EXPECT_EQ(sip_header(*sip, "Expires"), "120");
  EXPECT_EQ(sip_header(*sip, "X-Test"), "one");
  const std::string contact = sip_header(*sip, "Contact").value_or("");
  EXPECT_NE(contact.find("sip:auth-alice@127.0.0.1"), std::string::npos) << contact;
  EXPECT_NE(contact.find("Alice A"), std::string::npos) << contact;
}

TEST_F(Registration, NonPositiveTtlMeans3600) {
  SipSink registrar;
  auto* h = attach();
  ASSERT_TRUE(IsResult(request(h, register_body(registrar, R"(,"register_ttl":0)")),
                       "registering"));
  auto sip = registrar.wait_request("REGISTER", kEventTimeout);
  ASSERT_TRUE(sip);
  EXPECT_EQ(sip_header(*sip, "Expires"), "3600");
}

TEST_F(Registration, RegisterWhileRegisteringIs445) {
  SipSink registrar;
  auto* h = attach();
  ASSERT_TRUE(IsResult(request(h, register_body(registrar)), "registering"));
  EXPECT_TRUE(IsError(request(h, register_body(registrar)), 445, "Already registered (alice)"));
  // Even a guest register: the status check comes before the type.
  EXPECT_TRUE(IsError(
      request(h, R"({"request":"register","type":"guest","username":"sip:bob@127.0.0.1"})"), 445,
      "Already registered (alice)"));
}

TEST_F(Registration, AlreadyRegisteredIsCheckedAfterTheValidator) {
  SipSink registrar;
  auto* h = attach();
  ASSERT_TRUE(IsResult(request(h, register_body(registrar)), "registering"));
  EXPECT_TRUE(IsError(request(h, R"({"request":"register"})"), 443,
                      "Missing mandatory element (username)"));
}

TEST_F(Registration, RefreshIsAllowedWhileRegistering) {
  SipSink registrar;
  auto* h = attach();
  ASSERT_TRUE(IsResult(request(h, register_body(registrar)), "registering"));
  EXPECT_TRUE(PayloadIs(request(h, register_body(registrar, R"(,"refresh":true)")),
                        R"({"sip":"event","result":{"event":"registering"}})"));
}

TEST_F(Registration, RequestsNeedingARegistrationFailWhileRegistering) {
  SipSink registrar;
  auto* h = attach();
  ASSERT_TRUE(IsResult(request(h, register_body(registrar)), "registering"));
  EXPECT_TRUE(IsError(request(h, R"({"request":"unregister"})"), 447,
                      "Wrong state (not registered)"));
  EXPECT_TRUE(IsError(request(h, R"({"request":"call","uri":"sip:bob@127.0.0.1"})", offer_jsep()),
                      447, "Wrong state (not registered)"));
  EXPECT_TRUE(IsError(request(h, R"({"request":"subscribe","event":"presence"})"), 447,
                      "Wrong state (not registered)"));
  EXPECT_TRUE(IsError(
      request(h, R"({"request":"message","content":"x","uri":"sip:bob@127.0.0.1"})"), 447,
      "Wrong state (not registered)"));
}

TEST_F(Registration, RegisteringSessionIsAMasterAlready) {
  SipSink registrar;
  auto* master = attach();
  ASSERT_TRUE(IsResult(request(master, register_body(registrar)), "registering"));
  PluginEvent as_event;
  as_event.message = core().query_session(master);
  EXPECT_EQ(string_at(as_event.message.get(), "registration_status"), "registering");
  EXPECT_EQ(string_at(as_event.message.get(), "secret"), "(hidden)");
}

TEST_F(Registration, OkToRegisterGivesRegistered) {
  SipSink registrar(SipSink::Options{.answer_register = true});
  auto* h = attach();
  ASSERT_TRUE(IsResult(request(h, register_body(registrar)), "registering"));
  auto ev = core().wait_event_if(
      h, [](const PluginEvent& e) { return e.result_event() == "registered"; }, kEventTimeout);
  ASSERT_TRUE(ev);
  auto master_id = integer_at(ev->result(), "master_id");
  ASSERT_TRUE(master_id) << ev->dump();
  // SIP-originated: pushed with the session's stored transaction, which only call/accept set.
  EXPECT_FALSE(ev->transaction) << ev->dump();
  EXPECT_TRUE(PayloadIs(*ev, R"({"sip":"event","result":{"event":"registered","username":"alice",
      "register_sent":true,"master_id":)" + std::to_string(*master_id) + "}}"));

  EXPECT_TRUE(IsError(request(h, register_body(registrar)), 445, "Already registered (alice)"));
  PluginEvent as_event;
  as_event.message = core().query_session(h);
  EXPECT_EQ(string_at(as_event.message.get(), "registration_status"), "registered");
}

TEST_F(Registration, HeaderPrefixesWithoutAMatchGiveAnEmptyHeadersObject) {
  SipSink registrar(SipSink::Options{.answer_register = true});
  auto* h = attach();
  ASSERT_TRUE(IsResult(request(h, register_body(registrar, R"(,"incoming_header_prefixes":["X-Nothing"])")),
                       "registering"));
  auto ev = core().wait_event_if(
      h, [](const PluginEvent& e) { return e.result_event() == "registered"; }, kEventTimeout);
  ASSERT_TRUE(ev);
  // 1.1.2 reports "headers" whenever prefixes are set, empty when the 200 had none of them.
  const json_t* headers = json_object_get(ev->result(), "headers");
  ASSERT_TRUE(headers != nullptr && json_is_object(headers)) << ev->dump();
  EXPECT_EQ(json_object_size(headers), 0u) << ev->dump();
}

TEST_F(Registration, UnregisterAfterRegistered) {
  SipSink registrar(SipSink::Options{.answer_register = true});
  auto* h = attach();
  ASSERT_TRUE(IsResult(request(h, register_body(registrar)), "registering"));
  ASSERT_TRUE(core().wait_event_if(
      h, [](const PluginEvent& e) { return e.result_event() == "registered"; }, kEventTimeout));
  ASSERT_TRUE(registrar.wait_request("REGISTER", kEventTimeout));
  EXPECT_TRUE(PayloadIs(request(h, R"({"request":"unregister"})"),
                        R"({"sip":"event","result":{"event":"unregistering"}})"));
  auto sip = registrar.wait_request("REGISTER", kEventTimeout);
  ASSERT_TRUE(sip);
  const std::string contact = sip_header(*sip, "Contact").value_or("");
  const std::string expires = sip_header(*sip, "Expires").value_or("");
  EXPECT_TRUE(expires == "0" || contact == "*" || contact.find("expires=0") != std::string::npos)
      << *sip;
  auto ev = core().wait_event_if(
      h, [](const PluginEvent& e) { return e.result_event() == "unregistered"; }, kEventTimeout);
  ASSERT_TRUE(ev);
  EXPECT_TRUE(PayloadIs(
      *ev, R"({"sip":"event","result":{"event":"unregistered","username":"alice"}})"));
}

}  // namespace
}  // namespace rtpgate::test
