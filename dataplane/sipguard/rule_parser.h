// Parser of the SIP guard rule file (format: docs/sipguard.md, sample: conf/sipguard.rules).
// Runs on the guard loader thread, the main thread at start-up and in rtpgatectl; never on
// a worker. Every refusal names the offending line.
#pragma once
#include <string>
#include <string_view>

#include "sipguard/rule.h"

namespace rtpgate::dp::sipguard {

// Parses the whole file text. On error returns false, *out unspecified, *err set.
bool parse_rules(std::string_view text, RuleSet* out, RuleError* err);
// Reads and parses `path` (an unreadable file is an error of line 0).
bool load_rules(const std::string& path, RuleSet* out, RuleError* err);

}  // namespace rtpgate::dp::sipguard
