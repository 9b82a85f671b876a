// The SIP guard's rule-file parser and compiler: every rule form, the shipped default
// file, and every refusal with the line it names.
#include <gtest/gtest.h>

#include <string>

#include "sipguard/guard_db.h"
#include "sipguard/rule_parser.h"

namespace rtpgate::dp::sipguard {
namespace {

constexpr char kDefaultRules[] = RTPGATE_SOURCE_DIR "/conf/sipguard.rules";

// Two good lines, a comment and a blank line before the line under test (line 5).
std::string at_line5(const std::string& line) {
  return "# header comment\ngood-1 drop message \"x\"\n\n  # indented comment\n" + line + "\ngood-2 count method BYE\n";
}

TEST(RuleParser, ParsesEveryCheckAndAction) {
  const std::string text =
      "ua drop header:User-Agent \"friendly-scanner\"i\n"
      "rl ratelimit=10/s:25 method REGISTER\n"
      "rl2 ratelimit=7/s request-line /^OPTIONS sip:100@/\n"
      "any count any-header /x-evil:\\s*1/im\n"
      "msg drop message \"a\\\"b\\\\c\\t\\x00\"\n"
      "size drop max-message-size 4000\n"
      "len drop max-header-length 512\n"
      "cnt drop max-header-count 0\n"
      "req drop required-headers Via, From ,To,Call-ID,CSeq\n"
      "start drop malformed-start-line\n"
      "hdr drop malformed-header   \r\n";
  RuleSet rs;
  RuleError err;
  ASSERT_TRUE(parse_rules(text, &rs, &err)) << err.text();
  ASSERT_EQ(rs.rules.size(), 11u);
  const Rule& ua = rs.rules[0];
  EXPECT_EQ(ua.id, "ua");
  EXPECT_EQ(ua.line, 1u);
  EXPECT_EQ(ua.action, Action::Drop);
  EXPECT_EQ(ua.check, Check::Header);
  EXPECT_EQ(ua.header, "User-Agent");
  EXPECT_TRUE(ua.literal);
  EXPECT_EQ(ua.pattern, "friendly-scanner");
  EXPECT_EQ(ua.flags, kFlagCaseless);
  EXPECT_EQ(rs.rules[1].action, Action::RateLimit);
  EXPECT_EQ(rs.rules[1].rate_per_s, 10u);
  EXPECT_EQ(rs.rules[1].burst, 25u);
  EXPECT_EQ(rs.rules[1].check, Check::Method);
  EXPECT_EQ(rs.rules[1].method, "REGISTER");
  EXPECT_EQ(rs.rules[2].burst, 7u);  // burst defaults to the rate
  EXPECT_EQ(rs.rules[2].check, Check::RequestLine);
  EXPECT_EQ(rs.rules[2].pattern, "^OPTIONS sip:100@");
  EXPECT_FALSE(rs.rules[2].literal);
  EXPECT_EQ(rs.rules[3].action, Action::Count);
  EXPECT_EQ(rs.rules[3].check, Check::AnyHeader);
  EXPECT_EQ(rs.rules[3].flags, kFlagCaseless | kFlagMultiline);
  EXPECT_EQ(rs.rules[4].pattern, std::string("a\"b\\c\t\0", 7));
  EXPECT_EQ(rs.rules[5].check, Check::MaxMessageSize);
  EXPECT_EQ(rs.rules[5].limit, 4000u);
  EXPECT_EQ(rs.rules[7].limit, 0u);
  EXPECT_EQ(rs.rules[8].headers, (std::vector<std::string>{"Via", "From", "To", "Call-ID", "CSeq"}));
  EXPECT_EQ(rs.rules[9].check, Check::MalformedStartLine);
  EXPECT_EQ(rs.rules[10].check, Check::MalformedHeader);
  EXPECT_EQ(rs.rules[10].line, 11u);
  auto db = GuardDb::compile(rs, 2, &err);
  ASSERT_NE(db, nullptr) << err.text();
  EXPECT_EQ(db->n_rules(), 11u);
  EXPECT_EQ(db->n_scratch(), 2u);
}

TEST(RuleParser, ShippedDefaultRulesLoadAndCompile) {
  RuleSet rs;
  RuleError err;
  ASSERT_TRUE(load_rules(kDefaultRules, &rs, &err)) << err.text();
  EXPECT_GE(rs.rules.size(), 20u);
  for (const char* ua : {"friendly-scanner", "sipvicious", "sipcli", "sundayddr", "VaxSIPUserAgent", "SIVuS",
                         "sip-scan", "pplsip"}) {
    bool found = false;
    for (const Rule& r : rs.rules) found |= r.check == Check::Header && r.pattern == ua;
    EXPECT_TRUE(found) << ua;
  }
  auto db = GuardDb::compile(rs, 1, &err);
  EXPECT_NE(db, nullptr) << err.text();
}

TEST(RuleParser, EmptyFileIsAnEmptyRuleSet) {
  RuleSet rs;
  RuleError err;
  ASSERT_TRUE(parse_rules("# nothing\n\n", &rs, &err));
  EXPECT_TRUE(rs.rules.empty());
  auto db = GuardDb::compile(rs, 1, &err);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->scratch(0), nullptr);  // no pattern: nothing to scan with
}

TEST(RuleParser, UnreadableFileIsLineZero) {
  RuleSet rs;
  RuleError err;
  EXPECT_FALSE(load_rules("/nonexistent/sipguard.rules", &rs, &err));
  EXPECT_EQ(err.line, 0u);
  EXPECT_NE(err.text().find("cannot read rule file /nonexistent/sipguard.rules"), std::string::npos);
}

struct BadLine {
  const char* line;
  const char* why;  // a part of the message
};

class RuleParserError : public ::testing::TestWithParam<BadLine> {};

TEST_P(RuleParserError, NamesTheLine) {
  RuleSet rs;
  RuleError err;
  ASSERT_FALSE(parse_rules(at_line5(GetParam().line), &rs, &err)) << GetParam().line;
  EXPECT_EQ(err.line, 5u) << err.text();
  EXPECT_NE(err.text().find(std::string("line 5: ") + GetParam().why), std::string::npos) << err.text();
}

INSTANTIATE_TEST_SUITE_P(
    EveryErrorPath, RuleParserError,
    ::testing::Values(
        BadLine{"only-two drop", "expected: ID ACTION CHECK"},
        BadLine{"bad/id drop message \"x\"", "bad rule id 'bad/id'"},
        BadLine{"id-that-is-far-too-long-for-the-table drop message \"x\"", "bad rule id"},
        BadLine{"a block message \"x\"", "unknown action 'block'"},
        BadLine{"a ratelimit=10 method REGISTER", "ratelimit needs a rate"},
        BadLine{"a ratelimit=10/sx method REGISTER", "ratelimit needs a rate"},
        BadLine{"a ratelimit=0/s method REGISTER", "ratelimit rate must be"},
        BadLine{"a ratelimit=x/s method REGISTER", "ratelimit rate must be"},
        BadLine{"a ratelimit=10/s:0 method REGISTER", "ratelimit burst must be"},
        BadLine{"a ratelimit=10/s: method REGISTER", "ratelimit burst must be"},
        BadLine{"a drop body \"x\"", "unknown check 'body'"},
        BadLine{"a drop header: \"x\"", "header: needs a header name"},
        BadLine{"a drop header:Us@r \"x\"", "header: needs a header name"},
        BadLine{"a drop message", "missing pattern"},
        BadLine{"a drop message foo", "pattern must be \"literal\" or /regex/"},
        BadLine{"a drop message \"foo", "unterminated literal"},
        BadLine{"a drop message \"foo\\", "unterminated literal"},
        BadLine{"a drop message \"\"", "empty literal"},
        BadLine{"a drop message \"\\q\"", "unknown escape '\\q'"},
        BadLine{"a drop message \"\\x4\"", "unknown escape '\\x'"},
        BadLine{"a drop message /foo", "unterminated regex"},
        BadLine{"a drop message //", "empty regex"},
        BadLine{"a drop message \"x\"s", "unknown pattern flag 's'"},
        BadLine{"a drop message /x/q", "unknown pattern flag 'q'"},
        BadLine{"a drop method", "method needs a SIP method"},
        BadLine{"a drop method REG/ISTER", "method needs a SIP method"},
        BadLine{"a drop method REGISTER INVITE", "method METHOD takes no argument (found 'INVITE')"},
        BadLine{"a drop max-message-size big", "max-message-size needs an integer in 1..65535"},
        BadLine{"a drop max-message-size 0", "max-message-size needs an integer"},
        BadLine{"a drop max-header-length 70000", "max-header-length needs an integer"},
        BadLine{"a drop max-header-count -1", "max-header-count needs an integer in 0..65535"},
        BadLine{"a drop required-headers", "required-headers needs a list"},
        BadLine{"a drop required-headers Via,,From", "bad header name ''"},
        BadLine{"a drop required-headers Via,", "required-headers list ends with a comma"},
        BadLine{"a drop malformed-header now", "malformed-header takes no argument"},
        BadLine{"a drop malformed-start-line x", "malformed-start-line takes no argument"},
        BadLine{"good-1 drop message \"y\"", "rule id 'good-1' already used on line 2"}));

TEST(RuleParser, TooManyRulesNamesTheFirstExtraLine) {
  std::string text;
  for (int i = 0; i <= RTPGATE_GUARD_MAX_RULES; i++) text += "r" + std::to_string(i) + " drop method M" + std::to_string(i) + "\n";
  RuleSet rs;
  RuleError err;
  ASSERT_FALSE(parse_rules(text, &rs, &err));
  EXPECT_EQ(err.line, uint32_t{RTPGATE_GUARD_MAX_RULES} + 1);
  EXPECT_NE(err.message.find("too many rules (at most 256)"), std::string::npos) << err.text();
}

// Refusals of the compiler also name the rule's line.
struct BadCompile {
  const char* line;
  const char* why;
};

class GuardDbError : public ::testing::TestWithParam<BadCompile> {};

TEST_P(GuardDbError, NamesTheLine) {
  RuleSet rs;
  RuleError err;
  ASSERT_TRUE(parse_rules(at_line5(GetParam().line), &rs, &err)) << err.text();
  EXPECT_EQ(GuardDb::compile(rs, 1, &err), nullptr);
  EXPECT_EQ(err.line, 5u) << err.text();
  EXPECT_NE(err.text().find(std::string("line 5: ") + GetParam().why), std::string::npos) << err.text();
}

INSTANTIATE_TEST_SUITE_P(
    EveryErrorPath, GuardDbError,
    ::testing::Values(BadCompile{"bad-re drop header:User-Agent /foo(/", "pattern of rule 'bad-re' does not compile"},
                      BadCompile{"empty-re drop message /a*/", "pattern of rule 'empty-re' does not compile"},
                      BadCompile{"backref drop request-line /(a)\\1/", "pattern of rule 'backref' does not compile"},
                      BadCompile{"long drop header:X-A-Header-Name-That-Is-Much-Too-Long-For-Us \"x\"",
                                 "header name 'X-A-Header-Name-That-Is-Much-Too-Long-For-Us' is longer than 40"},
                      BadCompile{"meth drop method ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGH",
                                 "method name longer than 31 characters"}));

TEST(GuardDb, TooManyHeaderNamesNamesTheLine) {
  std::string text;
  for (int i = 0; i < 65; i++) text += "h" + std::to_string(i) + " drop header:X-H" + std::to_string(i) + " \"x\"\n";
  RuleSet rs;
  RuleError err;
  ASSERT_TRUE(parse_rules(text, &rs, &err)) << err.text();
  EXPECT_EQ(GuardDb::compile(rs, 1, &err), nullptr);
  EXPECT_EQ(err.line, 65u);
  EXPECT_NE(err.message.find("more than 64 distinct header names"), std::string::npos) << err.text();
}

}  // namespace
}  // namespace rtpgate::dp::sipguard
