// Rule matching on real SIP messages: the shipped default rules against scanner traffic and
// normal calls, and each kind of check restricted to its span.
#include <gtest/gtest.h>

#include <string>

#include "guard_test_util.h"
#include "sip_messages.h"

namespace rtpgate::dp::sipguard {
namespace {

using test::scan;

class DefaultRules : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { db_ = test::compile_default().release(); }
  static void TearDownTestSuite() {
    delete db_;
    db_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(db_, nullptr); }
  static GuardDb* db_;
};
GuardDb* DefaultRules::db_ = nullptr;

TEST_F(DefaultRules, SvmapOptionsProbeIsDropped) {
  const auto s = scan(*db_, test::svmap_options());
  EXPECT_EQ(s.res.action, Action::Drop);
  // From (display name "sipvicious") comes before User-Agent: scanning stopped there.
  EXPECT_TRUE(s.hits.count("from-sipvicious"));
  EXPECT_TRUE(s.hits.count("options-flood"));
  EXPECT_FALSE(s.hits.count("ua-friendly-scanner")) << "scanning goes on after a drop rule matched";
}

TEST_F(DefaultRules, SvwarRegisterIsDroppedByItsUserAgent) {
  const auto s = scan(*db_, test::svwar_register());
  EXPECT_EQ(s.res.action, Action::Drop);
  EXPECT_EQ(s.hits, (std::set<std::string>{"register-flood", "ua-friendly-scanner"}));
}

TEST_F(DefaultRules, ScannerInviteIsDropped) {
  const auto s = scan(*db_, test::invite("sipcli/v1.8"));
  EXPECT_EQ(s.res.action, Action::Drop);
  EXPECT_TRUE(s.hits.count("ua-sipcli"));
}

class ScannerUserAgent : public DefaultRules, public ::testing::WithParamInterface<std::pair<const char*, const char*>> {};

TEST_P(ScannerUserAgent, EveryKnownScannerIsDroppedInEveryMethod) {
  const auto [ua, rule] = GetParam();
  for (const std::string& m : {test::invite(ua), test::register_msg(ua), test::svmap_options(ua)}) {
    const auto s = scan(*db_, test::without_header(m, "From:"));  // only the User-Agent gives it away
    EXPECT_EQ(s.res.action, Action::Drop) << ua << "\n" << m;
    EXPECT_TRUE(s.hits.count(rule)) << ua;
  }
}

INSTANTIATE_TEST_SUITE_P(
    DefaultRules, ScannerUserAgent,
    ::testing::Values(std::pair{"friendly-scanner", "ua-friendly-scanner"},
                      std::pair{"Friendly-Scanner 1.0", "ua-friendly-scanner"},
                      std::pair{"sipvicious 0.3.4", "ua-sipvicious"}, std::pair{"SIPVicious", "ua-sipvicious"},
                      std::pair{"sipcli/v1.8", "ua-sipcli"}, std::pair{"sundayddr", "ua-sundayddr"},
                      std::pair{"VaxSIPUserAgent/3.1", "ua-vaxsip"}, std::pair{"iWar", "ua-iwar"},
                      std::pair{"SIVuS Scanner 1.09", "ua-sivus"}, std::pair{"sip-scan", "ua-sip-scan"},
                      std::pair{"pplsip", "ua-pplsip"}));

TEST_F(DefaultRules, NormalInvitePassesWithOnlyItsFloodRule) {
  const auto s = scan(*db_, test::invite());
  EXPECT_EQ(s.res.action, Action::RateLimit);  // the per-source INVITE budget, not a refusal
  EXPECT_EQ(s.hits, (std::set<std::string>{"invite-flood"}));
  EXPECT_FALSE(s.res.keepalive);
  EXPECT_FALSE(s.res.scan_error);
}

TEST_F(DefaultRules, ResponsesPassWithoutRequestChecks) {
  const auto s = scan(*db_, test::without_header(test::ok_response(), "CSeq:"));
  EXPECT_EQ(s.res.action, Action::None);
  EXPECT_TRUE(s.hits.empty());
}

TEST_F(DefaultRules, ScannerNameOutsideUserAgentDoesNotCount) {
  // "friendly-scanner" in a Subject or the request URI is not a scanner's User-Agent.
  std::string m = test::with_header(test::invite(), "Subject: friendly-scanner demo");
  m.replace(m.find("sip:bob@"), 8, "sip:friendly-scanner@");
  const auto s = scan(*db_, m);
  EXPECT_EQ(s.res.action, Action::RateLimit);
  EXPECT_EQ(s.hits, (std::set<std::string>{"invite-flood"}));
}

TEST_F(DefaultRules, CompactFromIsTheSameHeader) {
  std::string m = test::register_msg();
  m.replace(m.find("From: <sip:alice"), 6, "f: \"sipvicious\" ");
  const auto s = scan(*db_, m);
  EXPECT_EQ(s.res.action, Action::Drop);
  EXPECT_TRUE(s.hits.count("from-sipvicious"));
}

TEST_F(DefaultRules, OversizedHeaderIsDropped) {
  const auto s = scan(*db_, test::with_header(test::invite(), "X-Pad: " + std::string(2100, 'a')));
  EXPECT_EQ(s.res.action, Action::Drop);
  EXPECT_TRUE(s.hits.count("long-header"));
}

TEST_F(DefaultRules, HeaderJustBelowTheLimitPasses) {
  const std::string line = "X-Pad: " + std::string(2048 - 7, 'a');  // 2048 bytes
  const auto s = scan(*db_, test::with_header(test::invite(), line));
  EXPECT_FALSE(s.hits.count("long-header"));
  EXPECT_EQ(s.res.action, Action::RateLimit);
}

TEST_F(DefaultRules, MissingCallIdIsDropped) {
  const auto s = scan(*db_, test::without_header(test::invite(), "Call-ID:"));
  EXPECT_EQ(s.res.action, Action::Drop);
  EXPECT_TRUE(s.hits.count("missing-headers"));
}

TEST_F(DefaultRules, RequiredHeadersInCompactFormAreFound) {
  std::string m = test::register_msg();
  for (const auto& [full, compact] : {std::pair{"Via: ", "v: "}, std::pair{"From: ", "f: "},
                                      std::pair{"To: ", "t: "}, std::pair{"Call-ID: ", "i: "}})
    m.replace(m.find(full), std::string(full).size(), compact);
  const auto s = scan(*db_, m);
  EXPECT_FALSE(s.hits.count("missing-headers"));
  EXPECT_EQ(s.res.action, Action::RateLimit);
}

TEST_F(DefaultRules, MalformedStartLineAndHeaderAreDropped) {
  auto s = scan(*db_, "HELLO world\r\nVia: x\r\n\r\n");
  EXPECT_EQ(s.res.action, Action::Drop);
  EXPECT_TRUE(s.hits.count("bad-start-line"));
  s = scan(*db_, test::with_header(test::invite(), "this line has no colon"));
  EXPECT_EQ(s.res.action, Action::Drop);
  EXPECT_TRUE(s.hits.count("bad-header"));
}

TEST_F(DefaultRules, OversizedMessageAndTooManyHeadersAreDropped) {
  std::string m = test::invite() + std::string(8001, 'x');
  auto s = scan(*db_, m);
  EXPECT_EQ(s.res.action, Action::Drop);
  EXPECT_TRUE(s.hits.count("big-message"));
  m = test::invite();
  for (int i = 0; i < 90; i++) m = test::with_header(m, "X-H" + std::to_string(i) + ": 1");  // 101 headers
  s = scan(*db_, m);
  EXPECT_EQ(s.res.action, Action::Drop);
  EXPECT_TRUE(s.hits.count("many-headers"));
}

TEST_F(DefaultRules, KeepalivesAreNotScreened) {
  for (const char* k : {"\r\n\r\n", "\r\n"}) {
    const auto s = scan(*db_, k);
    EXPECT_TRUE(s.res.keepalive);
    EXPECT_EQ(s.res.action, Action::None);
    EXPECT_TRUE(s.hits.empty());
  }
}

TEST_F(DefaultRules, TestToolIsOnlyCounted) {
  const auto s = scan(*db_, test::options("sipsak 0.9.8"));
  EXPECT_EQ(s.hits, (std::set<std::string>{"options-flood", "ua-sipsak"}));
  EXPECT_EQ(s.res.action, Action::RateLimit);  // options-flood is higher than count
}

// ---- each check on its own span ----

TEST(SipScanner, RequestLineRulesSeeOnlyTheRequestLine) {
  auto db = test::compile_text("rl drop request-line /friendly/\n");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(scan(*db, test::invite("friendly-scanner")).res.action, Action::None);
  std::string m = test::invite();
  m.replace(m.find("sip:bob@"), 8, "sip:friendly@");
  EXPECT_EQ(scan(*db, m).res.action, Action::Drop);
  EXPECT_EQ(scan(*db, "SIP/2.0 200 friendly\r\n\r\n").res.action, Action::None);  // not a request
}

TEST(SipScanner, MessageRulesSeeTheBody) {
  auto db = test::compile_text("video count message \"m=audio\"\n");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(scan(*db, test::invite()).res.action, Action::Count);
  EXPECT_EQ(scan(*db, test::register_msg()).res.action, Action::None);
}

TEST(SipScanner, AnyHeaderRulesSeeNameAndValue) {
  auto db = test::compile_text("evil count any-header /^x-evil:\\s*1$/i\n");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(scan(*db, test::with_header(test::invite(), "X-Evil:   1")).res.action, Action::Count);
  EXPECT_EQ(scan(*db, test::with_header(test::invite(), "X-Evil: 12")).res.action, Action::None);
  EXPECT_EQ(scan(*db, test::with_header(test::invite(), "Subject: X-Evil: 1")).res.action, Action::None);
}

TEST(SipScanner, AnyHeaderSeesBinaryBytesButNotTheBody) {
  auto db = test::compile_text("nul drop any-header \"\\x00\"\n");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(scan(*db, test::with_header(test::invite(), std::string("X-Bin: a\0b", 10))).res.action, Action::Drop);
  EXPECT_EQ(scan(*db, test::invite() + std::string("\0", 1)).res.action, Action::None);  // in the body
}

TEST(SipScanner, HeaderRulesApplyToTheirHeaderOnly) {
  auto db = test::compile_text("a count header:Subject \"hello\"\nb drop header:X-Custom /^bad$/\n");
  ASSERT_NE(db, nullptr);
  auto s = scan(*db, test::with_header(test::with_header(test::invite(), "X-Custom: hello"), "Subject: bad"));
  EXPECT_TRUE(s.hits.empty());
  s = scan(*db, test::with_header(test::with_header(test::invite(), "s: hello there"), "x-custom:bad"));
  EXPECT_EQ(s.hits, (std::set<std::string>{"a", "b"}));  // case-insensitive name, compact Subject
  EXPECT_EQ(s.res.action, Action::Drop);
}

TEST(SipScanner, FlagsAndLiteralsAreExact) {
  auto db = test::compile_text("cs drop header:User-Agent /^iwar/\nlit count header:User-Agent \"a.c\"\n");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(scan(*db, test::invite("iWar")).res.action, Action::None);  // case-sensitive without i
  EXPECT_EQ(scan(*db, test::invite("iwar")).res.action, Action::Drop);
  EXPECT_EQ(scan(*db, test::invite("abc")).res.action, Action::None);   // '.' of a literal is a dot
  EXPECT_EQ(scan(*db, test::invite("xa.cx")).res.action, Action::Count);
}

TEST(SipScanner, MethodRulesAreExact) {
  auto db = test::compile_text("reg ratelimit=5/s method REGISTER\n");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(scan(*db, test::register_msg()).res.action, Action::RateLimit);
  std::string m = test::register_msg();
  m.replace(0, 8, "register");
  EXPECT_EQ(scan(*db, m).hits.size(), 0u);
  EXPECT_EQ(scan(*db, test::invite()).hits.size(), 0u);
}

TEST(SipScanner, CountAndLimitsOfSeveralThresholds) {
  auto db = test::compile_text("big count max-message-size 500\nhuge drop max-message-size 5000\n");
  ASSERT_NE(db, nullptr);
  const auto s = scan(*db, test::invite());  // about 700 bytes
  EXPECT_EQ(s.res.action, Action::Count);
  EXPECT_EQ(s.hits, (std::set<std::string>{"big"}));
  EXPECT_EQ(scan(*db, test::invite() + std::string(5000, ' ')).res.action, Action::Drop);
}

TEST(SipScanner, DropStopsTheScanButEarlierHitsStay) {
  auto db = test::compile_text(
      "c count header:Via \"UDP\"\n"
      "d1 drop header:User-Agent \"friendly\"\n"
      "d2 drop message \"friendly\"\n");
  ASSERT_NE(db, nullptr);
  const auto s = scan(*db, test::invite("friendly-scanner"));
  EXPECT_EQ(s.res.action, Action::Drop);
  EXPECT_EQ(s.hits, (std::set<std::string>{"c", "d1"}));
}

TEST(SipScanner, StructuralRulesAloneNeedNoScratch) {
  auto db = test::compile_text("req drop required-headers Call-ID\n");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->scratch(0), nullptr);
  EXPECT_EQ(scan(*db, test::invite()).res.action, Action::None);
  EXPECT_EQ(scan(*db, test::without_header(test::invite(), "Call-ID:")).res.action, Action::Drop);
}

}  // namespace
}  // namespace rtpgate::dp::sipguard
