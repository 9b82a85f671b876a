// One SIP guard rule as the rule file states it (conf/sipguard.rules, docs/sipguard.md),
// before compilation. Built by the parser on a non-worker thread; never seen by workers.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "rtpgate/shm/guard_block.h"

namespace rtpgate::dp::sipguard {

// Ordered like rtpgate_guard_action: the highest action among a datagram's hits decides.
enum class Action : uint8_t {
  None = RTPGATE_GUARD_ACT_NONE,
  Count = RTPGATE_GUARD_ACT_COUNT,
  RateLimit = RTPGATE_GUARD_ACT_RATELIMIT,
  Drop = RTPGATE_GUARD_ACT_DROP,
};

enum class Check : uint8_t {
  RequestLine = RTPGATE_GUARD_CHK_REQUEST_LINE,
  Header = RTPGATE_GUARD_CHK_HEADER,
  AnyHeader = RTPGATE_GUARD_CHK_ANY_HEADER,
  Message = RTPGATE_GUARD_CHK_MESSAGE,
  Method = RTPGATE_GUARD_CHK_METHOD,
  MaxMessageSize = RTPGATE_GUARD_CHK_MAX_MESSAGE_SIZE,
  MaxHeaderLength = RTPGATE_GUARD_CHK_MAX_HEADER_LENGTH,
  MaxHeaderCount = RTPGATE_GUARD_CHK_MAX_HEADER_COUNT,
  RequiredHeaders = RTPGATE_GUARD_CHK_REQUIRED_HEADERS,
  MalformedStartLine = RTPGATE_GUARD_CHK_MALFORMED_START_LINE,
  MalformedHeader = RTPGATE_GUARD_CHK_MALFORMED_HEADER,
};

constexpr bool is_pattern_check(Check c) noexcept { return c <= Check::Message; }

// Pattern flags of the rule file (/.../ims, "..."i).
constexpr uint8_t kFlagCaseless = 1;
constexpr uint8_t kFlagDotall = 2;
constexpr uint8_t kFlagMultiline = 4;

struct Rule {
  std::string id;
  uint32_t line = 0;                  // in the rule file
  Action action = Action::None;
  uint32_t rate_per_s = 0;            // RateLimit
  uint32_t burst = 0;                 // RateLimit
  Check check = Check::Message;
  std::string header;                 // Header: the header's name as written
  std::vector<std::string> headers;   // RequiredHeaders
  std::string method;                 // Method
  uint32_t limit = 0;                 // MaxMessageSize, MaxHeaderLength, MaxHeaderCount
  std::string pattern;                // pattern checks: the regex, or the literal's bytes
  bool literal = false;               // pattern is a literal string, not a regex
  uint8_t flags = 0;                  // kFlag*
};

struct RuleSet {
  std::vector<Rule> rules;
};

// Why a rule file was refused: the 1-based line (0 = the file as a whole) and the reason.
struct RuleError {
  uint32_t line = 0;
  std::string message;
  std::string text() const { return line == 0 ? message : "line " + std::to_string(line) + ": " + message; }
};

const char* action_name(Action a) noexcept;
const char* check_name(Check c) noexcept;

}  // namespace rtpgate::dp::sipguard
