// Helpers of the SIP guard tests: compile a rule text or the shipped default file, scan a
// message and name the rules it hit.
#pragma once
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>

#include "sipguard/guard_db.h"
#include "sipguard/rule_parser.h"
#include "sipguard/sip_scanner.h"

namespace rtpgate::dp::sipguard::test {

constexpr char kDefaultRules[] = RTPGATE_SOURCE_DIR "/conf/sipguard.rules";

inline std::unique_ptr<GuardDb> compile_text(const std::string& text, uint32_t n_scratch = 1) {
  RuleSet rs;
  RuleError err;
  if (!parse_rules(text, &rs, &err)) {
    ADD_FAILURE() << "parse: " << err.text();
    return nullptr;
  }
  auto db = GuardDb::compile(rs, n_scratch, &err);
  if (db == nullptr) ADD_FAILURE() << "compile: " << err.text();
  return db;
}

inline std::unique_ptr<GuardDb> compile_default(uint32_t n_scratch = 1) {
  RuleSet rs;
  RuleError err;
  if (!load_rules(kDefaultRules, &rs, &err)) {
    ADD_FAILURE() << kDefaultRules << ": " << err.text();
    return nullptr;
  }
  auto db = GuardDb::compile(rs, n_scratch, &err);
  if (db == nullptr) ADD_FAILURE() << "compile: " << err.text();
  return db;
}

struct Screened {
  ScanResult res;
  std::set<std::string> hits;  // rule ids
};

inline Screened scan(const GuardDb& db, const std::string& msg) {
  Screened s;
  RuleHits hits;
  s.res = scan_datagram(db, db.scratch(0), reinterpret_cast<const uint8_t*>(msg.data()),
                        static_cast<uint32_t>(msg.size()), &hits);
  hits.for_each([&](uint32_t r) { s.hits.insert(db.source(r).id); });
  return s;
}

}  // namespace rtpgate::dp::sipguard::test
