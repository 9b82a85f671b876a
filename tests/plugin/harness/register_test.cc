// `register` validation and the registrations that need no SIP peer (spec §4.1, §3.1).
#include "plugin_test_env.h"

namespace rtpgate::test {
namespace {

using Register = PluginApiTest;

constexpr const char* kUser = R"("username":"sip:alice@127.0.0.1")";

std::string reg(const std::string& fields) {
  return R"({"request":"register",)" + fields + "}";
}

// --- validator: one wrong type per field, in the table order of v1.1.2 ---
struct TypeCase {
  const char* name;
  std::string fields;    // the register body minus "request"
  const char* expected;  // error text
};

class RegisterFieldTypes : public PluginApiTest, public ::testing::WithParamInterface<TypeCase> {};

TEST_P(RegisterFieldTypes, WrongTypeIs444) {
  auto* h = attach();
  EXPECT_TRUE(IsError(request(h, reg(GetParam().fields)), 444, GetParam().expected));
}

std::string with_user(const std::string& field) { return std::string(kUser) + "," + field; }

INSTANTIATE_TEST_SUITE_P(
    Register, RegisterFieldTypes,
    ::testing::Values(
        TypeCase{"type", with_user(R"("type":1)"), "Invalid element type (type should be a string)"},
        TypeCase{"send_register", with_user(R"("send_register":1)"),
                 "Invalid element type (send_register should be a boolean)"},
        TypeCase{"send_register_string", with_user(R"("send_register":"true")"),
                 "Invalid element type (send_register should be a boolean)"},
        TypeCase{"force_udp", with_user(R"("force_udp":"yes")"),
                 "Invalid element type (force_udp should be a boolean)"},
        TypeCase{"force_tcp", with_user(R"("force_tcp":0)"),
                 "Invalid element type (force_tcp should be a boolean)"},
        TypeCase{"sips", with_user(R"("sips":null)"),
                 "Invalid element type (sips should be a boolean)"},
        TypeCase{"rfc2543_cancel", with_user(R"("rfc2543_cancel":[])"),
                 "Invalid element type (rfc2543_cancel should be a boolean)"},
        TypeCase{"username", R"("username":5)", "Invalid element type (username should be a string)"},
        TypeCase{"username_null", R"("username":null)",
                 "Invalid element type (username should be a string)"},
        TypeCase{"secret", with_user(R"("secret":1)"),
                 "Invalid element type (secret should be a string)"},
        TypeCase{"ha1_secret", with_user(R"("ha1_secret":true)"),
                 "Invalid element type (ha1_secret should be a string)"},
        TypeCase{"authuser", with_user(R"("authuser":{})"),
                 "Invalid element type (authuser should be a string)"},
        TypeCase{"display_name", with_user(R"("display_name":1.5)"),
                 "Invalid element type (display_name should be a string)"},
        TypeCase{"user_agent", with_user(R"("user_agent":[])"),
                 "Invalid element type (user_agent should be a string)"},
        TypeCase{"headers", with_user(R"("headers":"X-A: b")"),
                 "Invalid element type (headers should be an object)"},
        TypeCase{"headers_array", with_user(R"("headers":[])"),
                 "Invalid element type (headers should be an object)"},
        // ⚠ the upstream doc says "array"; the validator wants an object.
        TypeCase{"contact_params", with_user(R"("contact_params":[{"a":"b"}])"),
                 "Invalid element type (contact_params should be an object)"},
        TypeCase{"master_id", with_user(R"("master_id":"1")"),
                 "Invalid element type (master_id should be an integer)"},
        TypeCase{"master_id_real", with_user(R"("master_id":1.0)"),
                 "Invalid element type (master_id should be an integer)"},
        TypeCase{"refresh", with_user(R"("refresh":"true")"),
                 "Invalid element type (refresh should be a boolean)"},
        TypeCase{"incoming_header_prefixes", with_user(R"("incoming_header_prefixes":"X-")"),
                 "Invalid element type (incoming_header_prefixes should be an array)"},
        TypeCase{"register_ttl", with_user(R"("register_ttl":"60")"),
                 "Invalid element type (register_ttl should be an integer)"},
        // proxy/outbound_proxy are validated separately (they may be null), after the flags.
        TypeCase{"proxy", with_user(R"("secret":"s","proxy":5)"),
                 "Invalid element type (proxy should be a string)"},
        TypeCase{"outbound_proxy", with_user(R"("secret":"s","outbound_proxy":true)"),
                 "Invalid element type (outbound_proxy should be a string)"}),
    [](const ::testing::TestParamInfo<TypeCase>& info) { return std::string(info.param.name); });

TEST_F(Register, MissingUsernameIs443) {
  auto* h = attach();
  EXPECT_TRUE(IsError(request(h, R"({"request":"register"})"), 443,
                      "Missing mandatory element (username)"));
  EXPECT_TRUE(IsError(request(h, reg(R"("type":"guest")")), 443,
                      "Missing mandatory element (username)"));
}

TEST_F(Register, FirstFailingKeyInTableOrderWins) {
  auto* h = attach();
  // "type" comes before "username" in the table, "username" before "secret".
  EXPECT_TRUE(IsError(request(h, reg(R"("username":2,"type":1)")), 444,
                      "Invalid element type (type should be a string)"));
  EXPECT_TRUE(IsError(request(h, reg(R"("secret":3,"username":2)")), 444,
                      "Invalid element type (username should be a string)"));
  // The table is walked in order: a missing username (position 7) wins over a bad secret (8),
  // a bad force_tcp (4) over a missing username.
  EXPECT_TRUE(IsError(request(h, reg(R"("secret":3)")), 443,
                      "Missing mandatory element (username)"));
  EXPECT_TRUE(IsError(request(h, reg(R"("force_tcp":1)")), 444,
                      "Invalid element type (force_tcp should be a boolean)"));
}

TEST_F(Register, UsernameMustBeASipUri) {
  auto* h = attach();
  for (const char* uri : {"alice", "alice@127.0.0.1", "tel:+12345", "http://127.0.0.1/"}) {
    EXPECT_TRUE(IsError(request(h, reg(std::string(R"("type":"guest","username":")") + uri + "\"")),
                        446, std::string("Invalid user address ") + uri + "\n"))
        << uri;
  }
  EXPECT_TRUE(IsError(request(h, reg(R"("type":"guest","username":"")")), 446,
                      "Invalid user address \n"));
}

TEST_F(Register, SipsUsernameIsRefused) {
  auto* h = attach();
  EXPECT_TRUE(IsError(request(h, reg(R"("type":"guest","username":"sips:alice@127.0.0.1")")), 446,
                      "Invalid user address sips:alice@127.0.0.1\n"));
}

TEST_F(Register, GuestWithSendRegisterIsAConflictWhateverItsValue) {
  auto* h = attach();
  const char* text = "Conflicting elements: send_register cannot be true if guest is true";
  EXPECT_TRUE(IsError(request(h, reg(std::string(kUser) + R"(,"type":"guest","send_register":true)")),
                      444, text));
  // v1.1.2 checks the presence of send_register, not its value.
  EXPECT_TRUE(IsError(request(h, reg(std::string(kUser) + R"(,"type":"guest","send_register":false)")),
                      444, text));
}

TEST_F(Register, ForceUdpAndForceTcpConflict) {
  auto* h = attach();
  EXPECT_TRUE(IsError(
      request(h, reg(std::string(kUser) + R"(,"type":"guest","force_udp":true,"force_tcp":true)")),
      444, "Conflicting elements: force_udp and force_tcp cannot both be true"));
  // One of them false: no conflict.
  EXPECT_TRUE(IsResult(
      request(h, reg(std::string(kUser) + R"(,"type":"guest","force_udp":false,"force_tcp":true)")),
      "registered"));
}

TEST_F(Register, NonGuestNeedsASecret) {
  auto* h = attach();
  const char* text = "Missing element (secret or ha1_secret)";
  EXPECT_TRUE(IsError(request(h, reg(kUser)), 443, text));
  // Also without a REGISTER: only guests are exempt.
  EXPECT_TRUE(IsError(request(h, reg(std::string(kUser) + R"(,"send_register":false)")), 443, text));
  // An unknown type is ignored, so it is not a guest either; types are case-sensitive.
  EXPECT_TRUE(IsError(request(h, reg(std::string(kUser) + R"(,"type":"foo")")), 443, text));
  EXPECT_TRUE(IsError(request(h, reg(std::string(kUser) + R"(,"type":"GUEST")")), 443, text));
}

TEST_F(Register, SecretAndHa1SecretConflict) {
  auto* h = attach();
  EXPECT_TRUE(IsError(request(h, reg(std::string(kUser) + R"(,"secret":"a","ha1_secret":"b")")), 444,
                      "Conflicting elements specified (secret and ha1_secret)"));
}

TEST_F(Register, GuestCredentialsAreNotChecked) {
  auto* h = attach();
  EXPECT_TRUE(IsResult(
      request(h, reg(std::string(kUser) + R"(,"type":"guest","secret":"a","ha1_secret":"b")")),
      "registered"));
}

TEST_F(Register, InvalidProxyIs446WithTrailingNewline) {
  auto* h = attach();
  EXPECT_TRUE(IsError(request(h, reg(std::string(kUser) + R"(,"secret":"s","proxy":"foo")")), 446,
                      "Invalid proxy address foo\n"));
  EXPECT_TRUE(IsError(request(h, reg(std::string(kUser) + R"(,"secret":"s","proxy":"tel:1")")), 446,
                      "Invalid proxy address tel:1\n"));
}

TEST_F(Register, InvalidOutboundProxyIs446WithTrailingNewline) {
  auto* h = attach();
  EXPECT_TRUE(IsError(
      request(h, reg(std::string(kUser) + R"(,"secret":"s","outbound_proxy":"foo")")), 446,
      "Invalid outbound_proxy address foo\n"));
}

TEST_F(Register, NullProxiesAreAccepted) {
  auto* h = attach();
  EXPECT_TRUE(IsResult(
      request(h, reg(std::string(kUser) + R"(,"type":"guest","proxy":null,"outbound_proxy":null)")),
      "registered"));
}

TEST_F(Register, SipsProxyIsAccepted) {
  auto* h = attach();
  EXPECT_TRUE(IsResult(
      request(h, reg(std::string(kUser) + R"(,"type":"guest","proxy":"sips:127.0.0.1:5061")")),
      "registered"));
}

// v1.1.2 validates both proxy keys whenever either one is a non-null value, so a null
// outbound_proxy next to a real proxy is a type error.
TEST_F(Register, NullOutboundProxyNextToAProxyIs444) {
  auto* h = attach();
  EXPECT_TRUE(IsError(
      request(h, reg(std::string(kUser) +
                     R"(,"type":"guest","proxy":"sip:127.0.0.1","outbound_proxy":null)")),
      444, "Invalid element type (outbound_proxy should be a string)"));
}

TEST_F(Register, ChecksRunInOrderConflictsProxiesUriCredentials) {
  auto* h = attach();
  // guest/send_register conflict before force_* conflict before proxy before username.
  EXPECT_TRUE(IsError(request(h, reg(R"("username":"bad","type":"guest","send_register":true,)"
                                     R"("force_udp":true,"force_tcp":true,"proxy":"bad")")),
                      444, "Conflicting elements: send_register cannot be true if guest is true"));
  EXPECT_TRUE(IsError(
      request(h, reg(R"("username":"bad","force_udp":true,"force_tcp":true,"proxy":"bad")")), 444,
      "Conflicting elements: force_udp and force_tcp cannot both be true"));
  EXPECT_TRUE(IsError(request(h, reg(R"("username":"bad","proxy":"bad","outbound_proxy":"worse")")),
                      446, "Invalid proxy address bad\n"));
  EXPECT_TRUE(IsError(request(h, reg(R"("username":"bad","outbound_proxy":"worse")")), 446,
                      "Invalid outbound_proxy address worse\n"));
  EXPECT_TRUE(IsError(request(h, reg(R"("username":"bad")")), 446, "Invalid user address bad\n"));
}

TEST_F(Register, GuestIsRegisteredWithoutSendingRegister) {
  auto* h = attach();
  PluginEvent ev = guest_register(h);
  const json_t* result = ev.result();
  ASSERT_NE(result, nullptr);
  auto master_id = integer_at(result, "master_id");
  ASSERT_TRUE(master_id);
  EXPECT_GT(*master_id, 0);
  EXPECT_LE(*master_id, 0xffffffffLL);
  // v1.1.2: no unique_id anywhere, no call_id.
  EXPECT_TRUE(PayloadIs(ev, R"({"sip":"event","result":{"event":"registered","username":"alice",
      "register_sent":false,"master_id":)" + std::to_string(*master_id) + "}}"));
}

TEST_F(Register, SendRegisterFalseIsRegisteredWithoutSendingRegister) {
  auto* h = attach();
  PluginEvent ev =
      request(h, reg(std::string(kUser) + R"(,"secret":"pw","send_register":false)"));
  ASSERT_TRUE(IsResult(ev, "registered"));
  EXPECT_EQ(bool_at(ev.result(), "register_sent"), false);
  EXPECT_EQ(string_at(ev.result(), "username"), "alice");
  EXPECT_TRUE(integer_at(ev.result(), "master_id"));
}

TEST_F(Register, GuestMayRegisterAgainAndKeepsItsMasterId) {
  auto* h = attach();
  PluginEvent first = guest_register(h, "alice");
  PluginEvent second = guest_register(h, "bob");
  EXPECT_EQ(string_at(second.result(), "username"), "bob");
  EXPECT_EQ(integer_at(first.result(), "master_id"), integer_at(second.result(), "master_id"));
}

TEST_F(Register, MasterIdsDifferBetweenSessions) {
  auto* a = attach();
  auto* b = attach();
  auto ia = integer_at(guest_register(a, "alice").result(), "master_id");
  auto ib = integer_at(guest_register(b, "bob").result(), "master_id");
  ASSERT_TRUE(ia && ib);
  EXPECT_NE(*ia, *ib);
}

TEST_F(Register, UserPartOfTheUriBecomesTheUsername) {
  auto* h = attach();
  PluginEvent ev = request(
      h, reg(R"("type":"guest","username":"sip:carol.smith@example.invalid:5070;transport=tcp")"));
  ASSERT_TRUE(IsResult(ev, "registered"));
  EXPECT_EQ(string_at(ev.result(), "username"), "carol.smith");
}

TEST_F(Register, GuestRegistrationIsReportedToEventHandlers) {
  core().take_notifications();
  auto* h = attach();
  PluginEvent ev = guest_register(h);
  auto master_id = integer_at(ev.result(), "master_id");
  ASSERT_TRUE(master_id);
  std::optional<NotifiedEvent> n;
  while ((n = core().wait_notification(kEventTimeout)) && n->handle != h) {
  }
  ASSERT_TRUE(n);
  PluginEvent as_event;
  as_event.message = std::move(n->event);
  EXPECT_TRUE(PayloadIs(as_event, R"({"event":"registered","identity":"sip:alice@127.0.0.1",
      "type":"guest","master_id":)" + std::to_string(*master_id) + "}"));
}

TEST_F(Register, NothingIsReportedWhenEventHandlersAreDisabled) {
  core().take_notifications();
  core().set_events_enabled(false);
  auto* h = attach();
  guest_register(h);
  core().set_events_enabled(true);
  for (const NotifiedEvent& n : core().take_notifications()) {
    EXPECT_NE(n.handle, h) << dump_json(n.event.get());
  }
}

}  // namespace
}  // namespace rtpgate::test
