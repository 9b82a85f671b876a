// A compiled SIP guard rule set: one Hyperscan block-mode database per kind of span a
// pattern looks at, the structural checks grouped by kind, the header-name table, and one
// Hyperscan scratch per worker. Compiled off the fast path (guard loader thread, start-up,
// rtpgatectl guard-check); immutable once published, then read by every worker (each uses
// only its own scratch) until a reload retires it after a QSBR grace period.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sipguard/header_names.h"
#include "sipguard/hs_handles.h"
#include "sipguard/rule.h"

namespace rtpgate::dp::sipguard {

// The spans patterns are scanned over, one database each.
enum class SpanClass : uint8_t { RequestLine = 0, HeaderValue = 1, HeaderLine = 2, Message = 3 };
constexpr uint32_t kSpanClasses = 4;
constexpr uint32_t kChecks = static_cast<uint32_t>(Check::MalformedHeader) + 1;
constexpr uint32_t kMaxMethodLen = 31;

// What a worker needs of a rule.
struct CompiledRule {
  Action action = Action::None;
  Check check = Check::Message;
  int8_t name_idx = HeaderNames::kNone;  // Header: the header's index in names()
  uint8_t method_len = 0;                // Method
  uint32_t limit = 0;                    // Max*
  uint32_t rate_per_s = 0, burst = 0;    // RateLimit
  uint64_t required_mask = 0;            // RequiredHeaders: bits of names()
  char method[kMaxMethodLen + 1] = {};   // Method
};

class GuardDb {
 public:
  // Compiles `rs` with `n_scratch` scratch spaces (one per worker, at least 1). On failure
  // returns nullptr and *err names the rule's line (0 when no line is to blame).
  static std::unique_ptr<GuardDb> compile(const RuleSet& rs, uint32_t n_scratch, RuleError* err);

  uint32_t n_rules() const noexcept { return static_cast<uint32_t>(rules_.size()); }
  const CompiledRule& rule(uint32_t i) const noexcept { return rules_[i]; }
  const Rule& source(uint32_t i) const noexcept { return source_.rules[i]; }
  // Rules of one structural or method check, in file order.
  const std::vector<uint16_t>& of(Check c) const noexcept { return by_check_[static_cast<uint32_t>(c)]; }
  const hs_database_t* db(SpanClass c) const noexcept { return db_[static_cast<uint32_t>(c)].get(); }
  // Worker i's scratch (nullptr when the set has no pattern rule).
  hs_scratch_t* scratch(uint32_t i) const noexcept { return i < scratch_.size() ? scratch_[i].get() : nullptr; }
  uint32_t n_scratch() const noexcept { return static_cast<uint32_t>(scratch_.size()); }
  const HeaderNames& names() const noexcept { return *names_; }
  uint64_t header_targets() const noexcept { return header_targets_; }  // names with header: rules
  // Set by whoever publishes the set (GuardRuntime); workers reset per-rule state on a change.
  uint64_t generation() const noexcept { return generation_; }
  void set_generation(uint64_t g) noexcept { generation_ = g; }

 private:
  GuardDb() = default;
  bool add_rule(const Rule& r, uint32_t idx, RuleError* err);
  bool compile_patterns(RuleError* err);
  bool alloc_scratch(uint32_t n, RuleError* err);

  RuleSet source_;
  std::vector<CompiledRule> rules_;
  std::vector<uint16_t> by_check_[kChecks];
  std::vector<uint32_t> pattern_rules_[kSpanClasses];
  HsDatabase db_[kSpanClasses];
  std::vector<HsScratch> scratch_;
  std::unique_ptr<HeaderNames> names_ = std::make_unique<HeaderNames>();
  uint64_t header_targets_ = 0;
  uint64_t generation_ = 0;
};

}  // namespace rtpgate::dp::sipguard
