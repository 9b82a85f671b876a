// `call` up to the point where an INVITE would leave (spec §4.3): state checks, validator,
// credentials, SRTP options, URI and JSEP checks, in v1.1.2's order.
#include <cstdlib>

#include "plugin_test_env.h"

namespace rtpgate::test {
namespace {

class Call : public PluginApiTest {
 protected:
  void SetUp() override {
    h_ = attach();
    guest_register(h_);
  }
  PluginEvent call(const std::string& fields, std::optional<std::string> jsep = std::nullopt) {
    std::string body = R"({"request":"call")" + (fields.empty() ? "" : "," + fields) + "}";
    if (jsep) return request(h_, body, *jsep);
    return request(h_, body);
  }
  janus_plugin_session* h_ = nullptr;
};

constexpr const char* kUri = R"("uri":"sip:bob@127.0.0.1")";

std::string with_uri(const std::string& more) { return std::string(kUri) + "," + more; }

TEST_F(PluginApiTest, CallBeforeRegisterIs447RegisterFirst) {
  auto* h = attach();
  // The state is checked before anything else, even before the validator.
  EXPECT_TRUE(IsError(request(h, R"({"request":"call"})"), 447, "Wrong state (register first)"));
  EXPECT_TRUE(IsError(request(h, R"({"request":"call","uri":"sip:bob@127.0.0.1"})", offer_jsep()),
                      447, "Wrong state (register first)"));
}

TEST_F(PluginApiTest, CallAfterAFailedRegisterIs447) {
  auto* h = attach();
  EXPECT_TRUE(IsError(request(h, R"({"request":"register","username":"sip:a@127.0.0.1"})"), 443,
                      "Missing element (secret or ha1_secret)"));
  EXPECT_TRUE(IsError(request(h, R"({"request":"call","uri":"sip:bob@127.0.0.1"})"), 447,
                      "Wrong state (register first)"));
}

TEST_F(Call, MissingUriIs443) {
  EXPECT_TRUE(IsError(call(""), 443, "Missing mandatory element (uri)"));
  EXPECT_TRUE(IsError(call("", offer_jsep()), 443, "Missing mandatory element (uri)"));
}

struct TypeCase {
  const char* name;
  std::string fields;
  const char* expected;
};

class CallFieldTypes : public Call, public ::testing::WithParamInterface<TypeCase> {};

TEST_P(CallFieldTypes, WrongTypeIs444) {
  EXPECT_TRUE(IsError(call(GetParam().fields, offer_jsep()), 444, GetParam().expected));
}

INSTANTIATE_TEST_SUITE_P(
    Call, CallFieldTypes,
    ::testing::Values(
        TypeCase{"uri", R"("uri":5)", "Invalid element type (uri should be a string)"},
        TypeCase{"headers", with_uri(R"("headers":"X: y")"),
                 "Invalid element type (headers should be an object)"},
        TypeCase{"call_id", with_uri(R"("call_id":7)"),
                 "Invalid element type (call_id should be a string)"},
        TypeCase{"srtp", with_uri(R"("srtp":true)"),
                 "Invalid element type (srtp should be a string)"},
        TypeCase{"srtp_profile", with_uri(R"("srtp_profile":80)"),
                 "Invalid element type (srtp_profile should be a string)"},
        TypeCase{"autoaccept_reinvites", with_uri(R"("autoaccept_reinvites":"no")"),
                 "Invalid element type (autoaccept_reinvites should be a boolean)"},
        TypeCase{"refer_id", with_uri(R"("refer_id":"1")"),
                 "Invalid element type (refer_id should be an integer)"},
        TypeCase{"secret", with_uri(R"("secret":1)"),
                 "Invalid element type (secret should be a string)"},
        TypeCase{"ha1_secret", with_uri(R"("ha1_secret":1)"),
                 "Invalid element type (ha1_secret should be a string)"},
        TypeCase{"authuser", with_uri(R"("authuser":1)"),
                 "Invalid element type (authuser should be a string)"},
        // Table order: uri, headers, call_id, srtp, srtp_profile, autoaccept_reinvites, ...
        TypeCase{"order", R"("uri":1,"headers":1,"secret":1)",
                 "Invalid element type (uri should be a string)"},
        TypeCase{"order2", with_uri(R"("authuser":1,"srtp":1)"),
                 "Invalid element type (srtp should be a string)"}),
    [](const ::testing::TestParamInfo<TypeCase>& info) { return std::string(info.param.name); });

TEST_F(Call, SecretAndHa1SecretConflict) {
  EXPECT_TRUE(IsError(call(with_uri(R"("secret":"a","ha1_secret":"b")"), offer_jsep()), 444,
                      "Conflicting elements specified (secret and ha1_secret)"));
}

TEST_F(Call, UnknownSrtpModeIs444) {
  EXPECT_TRUE(IsError(call(with_uri(R"("srtp":"sdes")"), offer_jsep()), 444,
                      "Invalid element (srtp can only be sdes_optional or sdes_mandatory)"));
  EXPECT_TRUE(IsError(call(with_uri(R"("srtp":"")"), offer_jsep()), 444,
                      "Invalid element (srtp can only be sdes_optional or sdes_mandatory)"));
}

TEST_F(Call, SrtpModeIsCaseInsensitive) {
  // Accepted: the request goes on to the next check (no jsep).
  EXPECT_TRUE(IsError(call(with_uri(R"("srtp":"SDES_Optional")")), 448, "Missing SDP"));
  EXPECT_TRUE(IsError(call(with_uri(R"("srtp":"SDES_MANDATORY")")), 448, "Missing SDP"));
}

TEST_F(Call, UnknownSrtpProfileIs444) {
  EXPECT_TRUE(IsError(
      call(with_uri(R"("srtp":"sdes_optional","srtp_profile":"AES_CM_256_HMAC_SHA1_80")"),
           offer_jsep()),
      444, "Invalid element (unsupported SRTP profile)"));
}

TEST_F(Call, SrtpProfileIsCaseSensitive) {
  EXPECT_TRUE(IsError(
      call(with_uri(R"("srtp":"sdes_optional","srtp_profile":"aes_cm_128_hmac_sha1_80")"),
           offer_jsep()),
      444, "Invalid element (unsupported SRTP profile)"));
}

TEST_F(Call, KnownSrtpProfilesAreAccepted) {
  for (const char* profile : {"AES_CM_128_HMAC_SHA1_32", "AES_CM_128_HMAC_SHA1_80",
                              "AEAD_AES_128_GCM", "AEAD_AES_256_GCM"}) {
    EXPECT_TRUE(IsError(call(with_uri(std::string(R"("srtp":"sdes_mandatory","srtp_profile":")") +
                                      profile + "\"")),
                        448, "Missing SDP"))
        << profile;
  }
}

TEST_F(Call, SrtpProfileWithoutSrtpIsIgnored) {
  EXPECT_TRUE(IsError(call(with_uri(R"("srtp_profile":"nonsense")")), 448, "Missing SDP"));
}

TEST_F(Call, UriMustBeASipUri) {
  for (const char* uri : {"bob", "bob@127.0.0.1", "sips:bob@127.0.0.1", "tel:+1234"}) {
    EXPECT_TRUE(IsError(call(std::string(R"("uri":")") + uri + "\"", offer_jsep()), 446,
                        std::string("Invalid user address ") + uri + "\n"))
        << uri;
  }
}

TEST_F(Call, ChecksRunInOrderCredentialsSrtpProfileUriJsep) {
  EXPECT_TRUE(IsError(call(R"("uri":"bad","secret":"a","ha1_secret":"b","srtp":"x")"), 444,
                      "Conflicting elements specified (secret and ha1_secret)"));
  EXPECT_TRUE(IsError(call(R"("uri":"bad","srtp":"x")"), 444,
                      "Invalid element (srtp can only be sdes_optional or sdes_mandatory)"));
  EXPECT_TRUE(IsError(call(R"("uri":"bad","srtp":"sdes_optional","srtp_profile":"x")"), 444,
                      "Invalid element (unsupported SRTP profile)"));
  EXPECT_TRUE(IsError(call(R"("uri":"bad")"), 446, "Invalid user address bad\n"));
  EXPECT_TRUE(IsError(call(kUri), 448, "Missing SDP"));
}

TEST_F(Call, WithoutJsepIs448MissingSdp) {
  EXPECT_TRUE(IsError(call(kUri), 448, "Missing SDP"));
}

TEST_F(Call, JsepWithoutSdpIs448MissingSdp) {
  EXPECT_TRUE(IsError(call(kUri, R"({"type":"offer"})"), 448, "Missing SDP"));
  EXPECT_TRUE(IsError(call(kUri, R"({"type":"offer","sdp":5})"), 448, "Missing SDP"));
}

TEST_F(Call, InsertableStreamsAre444) {
  const std::string jsep = offer_jsep();
  const std::string e2ee = jsep.substr(0, jsep.size() - 1) + R"(,"e2ee":true})";
  EXPECT_TRUE(IsError(call(kUri, e2ee), 444, "Media encryption unsupported by this plugin"));
  // e2ee is checked before DataChannels.
  const std::string data = offer_jsep(true, false, true);
  EXPECT_TRUE(IsError(call(kUri, data.substr(0, data.size() - 1) + R"(,"e2ee":true})"), 444,
                      "Media encryption unsupported by this plugin"));
}

TEST_F(Call, E2eeFalseIsFine) {
  const std::string jsep = offer_jsep(true, false, true);
  EXPECT_TRUE(IsError(call(kUri, jsep.substr(0, jsep.size() - 1) + R"(,"e2ee":false})"), 448,
                      "The SIP plugin does not support DataChannels"));
}

TEST_F(Call, DataChannelsAre448) {
  EXPECT_TRUE(IsError(call(kUri, offer_jsep(true, false, true)), 448,
                      "The SIP plugin does not support DataChannels"));
  EXPECT_TRUE(IsError(call(kUri, offer_jsep(false, false, true)), 448,
                      "The SIP plugin does not support DataChannels"));
}

TEST_F(Call, UnparsableSdpIs448WithTheParserReason) {
  PluginEvent ev = call(kUri, R"({"type":"offer","sdp":"hello"})");
  EXPECT_EQ(ev.error_code(), 448);
  EXPECT_EQ(ev.error().value_or("").rfind("Error parsing SDP: ", 0), 0u) << ev.dump();
  EXPECT_FALSE(ev.call_id());
}

// janus_sdp_parse()'s own wording, as v1.1.2 reports it.
TEST_F(Call, SdpNotStartingWithVersionIsReportedAsSuch) {
  EXPECT_TRUE(IsError(call(kUri, R"({"type":"offer","sdp":"hello"})"), 448,
                      "Error parsing SDP: Invalid SDP (doesn't start with v=)"));
}

TEST_F(Call, FailedCallLeavesTheSessionIdle) {
  EXPECT_TRUE(IsError(call(kUri), 448, "Missing SDP"));
  PluginEvent as_event;
  as_event.message = core().query_session(h_);
  EXPECT_EQ(string_at(as_event.message.get(), "call_status"), "idle");
  EXPECT_FALSE(string_at(as_event.message.get(), "callee"));
}


// Without a data plane the plugin keeps signalling but refuses calls with the stock I/O
// error (issue 4). Run by the meson test plugin-api-no-dataplane (no rtpgate_shm region).
TEST_F(Call, WithoutADataPlaneCallIs450AndSignallingGoesOn) {
  const char* general = std::getenv("RTPGATE_HARNESS_GENERAL");
  if (stock() || (general != nullptr && std::string(general).find("rtpgate_shm") != std::string::npos))
    GTEST_SKIP() << "only meaningful for rtpgate without a data plane";
  EXPECT_TRUE(IsError(call(kUri, offer_jsep()), 450, "Could not allocate RTP/RTCP ports"));
  // Nothing half-done is left behind: the session is idle and can try again.
  EXPECT_TRUE(IsError(call(kUri, offer_jsep()), 450, "Could not allocate RTP/RTCP ports"));
  EXPECT_TRUE(IsResult(request(h_, R"({"request":"reset"})"), "reset"));
}

}  // namespace
}  // namespace rtpgate::test
