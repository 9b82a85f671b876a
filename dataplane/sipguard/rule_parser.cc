// SIP guard rule-file parser: one rule per line, "ID ACTION CHECK [ARGUMENT]" (see
// rule_parser.h). Non-worker threads only.
#include "sipguard/rule_parser.h"

#include <charconv>
#include <fstream>
#include <map>
#include <sstream>

namespace rtpgate::dp::sipguard {
namespace {

constexpr uint32_t kMaxRate = 1000000;
constexpr uint32_t kMaxLimit = 65535;  // a UDP datagram is never longer

bool is_space(char c) { return c == ' ' || c == '\t'; }

// RFC 3261 token characters (methods and header names).
bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("-.!%*_+`'~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_token_char(c)) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (is_space(s.front()) || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (is_space(s.back()) || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Splits off the first whitespace-separated word of *s.
std::string_view next_word(std::string_view* s) {
  *s = trim(*s);
  size_t n = 0;
  while (n < s->size() && !is_space((*s)[n])) n++;
  const std::string_view w = s->substr(0, n);
  s->remove_prefix(n);
  *s = trim(*s);
  return w;
}

bool parse_u32(std::string_view s, uint32_t lo, uint32_t hi, uint32_t* out) {
  uint32_t v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi) return false;
  *out = v;
  return true;
}

// A line-level failure: the caller adds the line number.
struct Fail {
  std::string message;
};

// "drop" | "count" | "ratelimit=N/s" | "ratelimit=N/s:BURST" (burst defaults to N).
bool parse_action(std::string_view w, Rule* r, Fail* f) {
  if (w == "drop") return r->action = Action::Drop, true;
  if (w == "count") return r->action = Action::Count, true;
  if (w.rfind("ratelimit=", 0) != 0) {
    f->message = "unknown action '" + std::string(w) + "' (expected drop, count or ratelimit=N/s[:BURST])";
    return false;
  }
  std::string_view v = w.substr(10);
  const size_t per = v.find("/s");
  if (per == std::string_view::npos || (per + 2 != v.size() && v[per + 2] != ':')) {
    f->message = "ratelimit needs a rate like ratelimit=10/s or ratelimit=10/s:20";
    return false;
  }
  if (!parse_u32(v.substr(0, per), 1, kMaxRate, &r->rate_per_s)) {
    f->message = "ratelimit rate must be 1.." + std::to_string(kMaxRate) + " per second";
    return false;
  }
  r->burst = r->rate_per_s;
  if (per + 2 < v.size() && !parse_u32(v.substr(per + 3), 1, kMaxRate, &r->burst)) {
    f->message = "ratelimit burst must be 1.." + std::to_string(kMaxRate);
    return false;
  }
  r->action = Action::RateLimit;
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool parse_flags(std::string_view s, bool literal, uint8_t* flags, Fail* f) {
  for (char c : s) {
    if (c == 'i') *flags |= kFlagCaseless;
    else if (c == 's' && !literal) *flags |= kFlagDotall;
    else if (c == 'm' && !literal) *flags |= kFlagMultiline;
    else return f->message = std::string("unknown pattern flag '") + c + "' (" + (literal ? "i" : "i, s or m") + ")", false;
  }
  return true;
}

// "..."[i] with escapes \" \\ \t \r \n \xHH.
bool parse_literal(std::string_view s, Rule* r, Fail* f) {
  std::string out;
  size_t i = 1;
  for (; i < s.size() && s[i] != '"'; i++) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    if (++i >= s.size()) break;
    const char e = s[i];
    if (e == '"' || e == '\\') out += e;
    else if (e == 't') out += '\t';
    else if (e == 'r') out += '\r';
    else if (e == 'n') out += '\n';
    else if (e == 'x' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      return f->message = std::string("unknown escape '\\") + e + "' in literal (\\\" \\\\ \\t \\r \\n \\xHH)", false;
    }
  }
  if (i >= s.size()) return f->message = "unterminated literal: missing closing \"", false;
  if (out.empty()) return f->message = "empty literal", false;
  r->pattern = std::move(out);
  r->literal = true;
  return parse_flags(s.substr(i + 1), true, &r->flags, f);
}

// /regex/[ism]: the regex runs to the last '/' of the line.
bool parse_regex(std::string_view s, Rule* r, Fail* f) {
  const size_t close = s.rfind('/');
  if (close == 0) return f->message = "unterminated regex: missing closing /", false;
  if (close == 1) return f->message = "empty regex", false;
  r->pattern = std::string(s.substr(1, close - 1));
  r->literal = false;
  return parse_flags(s.substr(close + 1), false, &r->flags, f);
}

bool parse_pattern(std::string_view s, Rule* r, Fail* f) {
  if (s.empty()) return f->message = "missing pattern (\"literal\" or /regex/)", false;
  if (s[0] == '"') return parse_literal(s, r, f);
  if (s[0] == '/') return parse_regex(s, r, f);
  return f->message = "pattern must be \"literal\" or /regex/", false;
}

bool parse_header_list(std::string_view s, Rule* r, Fail* f) {
  if (s.empty()) return f->message = "required-headers needs a list like Via,From,To,Call-ID,CSeq", false;
  while (!s.empty()) {
    const size_t comma = s.find(',');
    const std::string_view name = trim(s.substr(0, comma));
    if (!is_token(name)) return f->message = "bad header name '" + std::string(name) + "' in required-headers", false;
    r->headers.emplace_back(name);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
    if (trim(s).empty()) return f->message = "required-headers list ends with a comma", false;
  }
  return true;
}

bool no_argument(std::string_view check, std::string_view rest, Fail* f) {
  if (rest.empty()) return true;
  f->message = std::string(check) + " takes no argument (found '" + std::string(rest) + "')";
  return false;
}

bool parse_limit(std::string_view check, std::string_view rest, uint32_t lo, Rule* r, Fail* f) {
  if (parse_u32(rest, lo, kMaxLimit, &r->limit)) return true;
  f->message = std::string(check) + " needs an integer in " + std::to_string(lo) + ".." + std::to_string(kMaxLimit);
  return false;
}

// CHECK [ARGUMENT]: what the rule looks at.
bool parse_check(std::string_view check, std::string_view rest, Rule* r, Fail* f) {
  if (check == "request-line") return r->check = Check::RequestLine, parse_pattern(rest, r, f);
  if (check == "any-header") return r->check = Check::AnyHeader, parse_pattern(rest, r, f);
  if (check == "message") return r->check = Check::Message, parse_pattern(rest, r, f);
  if (check.rfind("header:", 0) == 0) {
    r->check = Check::Header;
    r->header = std::string(check.substr(7));
    if (!is_token(r->header)) return f->message = "header: needs a header name, like header:User-Agent", false;
    return parse_pattern(rest, r, f);
  }
  if (check == "method") {
    r->check = Check::Method;
    r->method = std::string(next_word(&rest));
    if (!is_token(r->method)) return f->message = "method needs a SIP method, like method REGISTER", false;
    return no_argument("method METHOD", rest, f);
  }
  if (check == "max-message-size") return r->check = Check::MaxMessageSize, parse_limit(check, rest, 1, r, f);
  if (check == "max-header-length") return r->check = Check::MaxHeaderLength, parse_limit(check, rest, 1, r, f);
  if (check == "max-header-count") return r->check = Check::MaxHeaderCount, parse_limit(check, rest, 0, r, f);
  if (check == "required-headers") return r->check = Check::RequiredHeaders, parse_header_list(rest, r, f);
  if (check == "malformed-start-line") return r->check = Check::MalformedStartLine, no_argument(check, rest, f);
  if (check == "malformed-header") return r->check = Check::MalformedHeader, no_argument(check, rest, f);
  f->message = "unknown check '" + std::string(check) +
               "' (request-line, header:NAME, any-header, message, method, max-message-size, max-header-length, "
               "max-header-count, required-headers, malformed-start-line, malformed-header)";
  return false;
}

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() >= RTPGATE_GUARD_ID_MAX) return false;
  for (char c : id)
    if (!is_token_char(c) || c == '\'' || c == '`' || c == '%') return false;
  return true;
}

// One non-comment line.
bool parse_line(std::string_view line, Rule* r, Fail* f) {
  const std::string_view id = next_word(&line);
  const std::string_view action = next_word(&line);
  const std::string_view check = next_word(&line);
  if (check.empty()) return f->message = "expected: ID ACTION CHECK [ARGUMENT]", false;
  if (!valid_id(id)) {
    f->message = "bad rule id '" + std::string(id) + "' (1.." + std::to_string(RTPGATE_GUARD_ID_MAX - 1) +
                 " of A-Z a-z 0-9 - . _ ! * + ~)";
    return false;
  }
  r->id = std::string(id);
  return parse_action(action, r, f) && parse_check(check, line, r, f);
}

}  // namespace

bool parse_rules(std::string_view text, RuleSet* out, RuleError* err) {
  out->rules.clear();
  std::map<std::string, uint32_t, std::less<>> ids;  // id -> line
  uint32_t n = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view raw = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    n++;
    const std::string_view line = trim(raw);
    if (line.empty() || line[0] == '#') continue;
    Rule r;
    r.line = n;
    Fail f;
    if (!parse_line(line, &r, &f)) return *err = RuleError{n, f.message}, false;
    if (const auto it = ids.find(r.id); it != ids.end())
      return *err = RuleError{n, "rule id '" + r.id + "' already used on line " + std::to_string(it->second)}, false;
    if (out->rules.size() == RTPGATE_GUARD_MAX_RULES)
      return *err = RuleError{n, "too many rules (at most " + std::to_string(RTPGATE_GUARD_MAX_RULES) + ")"}, false;
    ids.emplace(r.id, n);
    out->rules.push_back(std::move(r));
  }
  return true;
}

bool load_rules(const std::string& path, RuleSet* out, RuleError* err) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return *err = RuleError{0, "cannot read rule file " + path}, false;
  std::stringstream ss;
  ss << f.rdbuf();
  return parse_rules(ss.str(), out, err);
}

const char* action_name(Action a) noexcept {
  switch (a) {
    case Action::Count: return "count";
    case Action::RateLimit: return "ratelimit";
    case Action::Drop: return "drop";
    case Action::None: break;
  }
  return "none";
}

const char* check_name(Check c) noexcept {
  switch (c) {
    case Check::RequestLine: return "request-line";
    case Check::Header: return "header";
    case Check::AnyHeader: return "any-header";
    case Check::Message: return "message";
    case Check::Method: return "method";
    case Check::MaxMessageSize: return "max-message-size";
    case Check::MaxHeaderLength: return "max-header-length";
    case Check::MaxHeaderCount: return "max-header-count";
    case Check::RequiredHeaders: return "required-headers";
    case Check::MalformedStartLine: return "malformed-start-line";
    case Check::MalformedHeader: return "malformed-header";
  }
  return "?";
}

}  // namespace rtpgate::dp::sipguard
