// SIP guard rule-set compiler (see guard_db.h): Hyperscan databases, check lists, header
// names and scratch spaces. Never runs on a worker.
#include "sipguard/guard_db.h"

#include <cstdio>
#include <cstring>

namespace rtpgate::dp::sipguard {
namespace {

SpanClass span_of(Check c) noexcept {
  switch (c) {
    case Check::RequestLine: return SpanClass::RequestLine;
    case Check::Header: return SpanClass::HeaderValue;
    case Check::AnyHeader: return SpanClass::HeaderLine;
    default: return SpanClass::Message;
  }
}

// A literal as a Hyperscan regex: letters and digits as they are, every other byte \xHH.
std::string escape_literal(const std::string& s) {
  std::string out;
  out.reserve(s.size() * 2);
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      out += ch;
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  return out;
}

unsigned hs_flags(const Rule& r) noexcept {
  unsigned f = HS_FLAG_SINGLEMATCH;
  if (r.flags & kFlagCaseless) f |= HS_FLAG_CASELESS;
  if (r.flags & kFlagDotall) f |= HS_FLAG_DOTALL;
  if (r.flags & kFlagMultiline) f |= HS_FLAG_MULTILINE;
  return f;
}

}  // namespace

bool GuardDb::add_rule(const Rule& r, uint32_t idx, RuleError* err) {
  CompiledRule c;
  c.action = r.action;
  c.check = r.check;
  c.limit = r.limit;
  c.rate_per_s = r.rate_per_s;
  c.burst = r.burst;
  const auto name_index = [&](const std::string& name) {
    const int i = names_->add(name);
    if (i == HeaderNames::kNone)
      *err = RuleError{r.line, name.size() > 40 ? "header name '" + name + "' is longer than 40 characters"
                                                : "more than " + std::to_string(HeaderNames::kMaxNames) +
                                                      " distinct header names in the rule set"};
    return i;
  };
  if (r.check == Check::Header) {
    const int i = name_index(r.header);
    if (i == HeaderNames::kNone) return false;
    c.name_idx = static_cast<int8_t>(i);
    header_targets_ |= uint64_t{1} << i;
  } else if (r.check == Check::RequiredHeaders) {
    for (const auto& h : r.headers) {
      const int i = name_index(h);
      if (i == HeaderNames::kNone) return false;
      c.required_mask |= uint64_t{1} << i;
    }
  } else if (r.check == Check::Method) {
    if (r.method.size() > kMaxMethodLen)
      return *err = RuleError{r.line, "method name longer than " + std::to_string(kMaxMethodLen) + " characters"},
             false;
    c.method_len = static_cast<uint8_t>(r.method.size());
    std::memcpy(c.method, r.method.data(), r.method.size());
  }
  if (is_pattern_check(r.check)) pattern_rules_[static_cast<uint32_t>(span_of(r.check))].push_back(idx);
  else by_check_[static_cast<uint32_t>(r.check)].push_back(static_cast<uint16_t>(idx));
  rules_.push_back(c);
  return true;
}

bool GuardDb::compile_patterns(RuleError* err) {
  for (uint32_t k = 0; k < kSpanClasses; k++) {
    const auto& ids = pattern_rules_[k];
    if (ids.empty()) continue;
    std::vector<std::string> exprs;
    std::vector<const char*> ptrs;
    std::vector<unsigned> flags;
    for (const uint32_t i : ids) {
      const Rule& r = source_.rules[i];
      exprs.push_back(r.literal ? escape_literal(r.pattern) : r.pattern);
      flags.push_back(hs_flags(r));
    }
    for (const auto& e : exprs) ptrs.push_back(e.c_str());
    hs_database_t* db = nullptr;
    hs_compile_error_t* raw_err = nullptr;
    const hs_error_t rc = hs_compile_multi(ptrs.data(), flags.data(), ids.data(), static_cast<unsigned>(ids.size()),
                                           HS_MODE_BLOCK, nullptr, &db, &raw_err);
    const HsCompileError cerr(raw_err);
    if (rc != HS_SUCCESS) {
      const std::string msg = cerr ? cerr->message : "hs_compile_multi failed (" + std::to_string(rc) + ")";
      if (cerr && cerr->expression >= 0 && static_cast<size_t>(cerr->expression) < ids.size()) {
        const Rule& r = source_.rules[ids[static_cast<size_t>(cerr->expression)]];
        *err = RuleError{r.line, "pattern of rule '" + r.id + "' does not compile: " + msg};
      } else {
        *err = RuleError{0, "Hyperscan cannot compile the rule set: " + msg};
      }
      return false;
    }
    db_[k].reset(db);
  }
  return true;
}

bool GuardDb::alloc_scratch(uint32_t n, RuleError* err) {
  hs_scratch_t* first = nullptr;
  for (const auto& db : db_) {
    if (!db) continue;
    if (hs_alloc_scratch(db.get(), &first) != HS_SUCCESS) {
      if (first != nullptr) hs_free_scratch(first);
      return *err = RuleError{0, "cannot allocate Hyperscan scratch space"}, false;
    }
  }
  if (first == nullptr) return true;  // no pattern rule: nothing to scan with
  scratch_.emplace_back(first);
  for (uint32_t i = 1; i < n; i++) {
    hs_scratch_t* s = nullptr;
    if (hs_clone_scratch(first, &s) != HS_SUCCESS) return *err = RuleError{0, "cannot clone Hyperscan scratch space"}, false;
    scratch_.emplace_back(s);
  }
  return true;
}

std::unique_ptr<GuardDb> GuardDb::compile(const RuleSet& rs, uint32_t n_scratch, RuleError* err) {
  if (hs_valid_platform() != HS_SUCCESS) {
    *err = RuleError{0, "this CPU cannot run Hyperscan (SSSE3 is required)"};
    return nullptr;
  }
  if (rs.rules.size() > RTPGATE_GUARD_MAX_RULES) {
    *err = RuleError{rs.rules[RTPGATE_GUARD_MAX_RULES].line,
                     "too many rules (at most " + std::to_string(RTPGATE_GUARD_MAX_RULES) + ")"};
    return nullptr;
  }
  std::unique_ptr<GuardDb> g(new GuardDb());
  g->source_ = rs;
  g->rules_.reserve(rs.rules.size());
  for (uint32_t i = 0; i < rs.rules.size(); i++)
    if (!g->add_rule(rs.rules[i], i, err)) return nullptr;
  if (!g->compile_patterns(err) || !g->alloc_scratch(n_scratch < 1 ? 1 : n_scratch, err)) return nullptr;
  return g;
}

}  // namespace rtpgate::dp::sipguard
