// Screens one SIP datagram against a compiled rule set: the tokenizer finds the start
// line and header spans, structural checks run on them, and Hyperscan scans each span
// class with its database; every rule that matched is recorded in a fixed bitmap. No
// allocation, no locks; worker lcores (each with its own scratch), tests, fuzzers.
#pragma once
#include <cstdint>

#include "sipguard/guard_db.h"
#include "sipguard/rule_hits.h"

namespace rtpgate::dp::sipguard {

struct ScanResult {
  Action action = Action::None;  // highest action among the hits
  bool keepalive = false;        // CRLF or STUN keepalive: not screened by rules
  bool scan_error = false;       // a Hyperscan scan failed (the hits may be incomplete)
};

// Fills *hits (cleared first). Scanning stops at the first drop rule that matched: rules
// evaluated after it are not recorded. `scratch` is the caller's (db.scratch(worker)).
ScanResult scan_datagram(const GuardDb& db, hs_scratch_t* scratch, const uint8_t* p, uint32_t len,
                         RuleHits* hits) noexcept;

}  // namespace rtpgate::dp::sipguard
