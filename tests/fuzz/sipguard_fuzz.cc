// libFuzzer target: the SIP guard's tokenizer and scanner on arbitrary datagrams, with the
// shipped default rules plus pattern rules on every kind of span. Checks that every span
// stays inside the datagram, that the walk over the headers makes progress, that Hyperscan
// never fails, and that the burst verdict agrees with the scan.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "fuzz_check.h"
#include "sipguard/guard_db.h"
#include "sipguard/guard_screen.h"
#include "sipguard/rule_parser.h"
#include "sipguard/sip_scanner.h"
#include "sipguard/sip_tokenizer.h"

namespace {

using namespace rtpgate::dp::sipguard;

constexpr char kExtraRules[] =
    "x-rl count request-line /^(INVITE|OPTIONS) sip:[0-9]{3,}@/\n"
    "x-any count any-header /^x-[a-z]+:\\s*\\d+$/i\n"
    "x-msg count message /m=video \\d+ RTP/s\n"
    "x-subj ratelimit=2/s:3 header:Subject \"test\"i\n";

const GuardDb& rules() {
  static const std::unique_ptr<GuardDb> db = [] {
    RuleSet rs, extra;
    RuleError err;
    FUZZ_CHECK(load_rules(RTPGATE_SOURCE_DIR "/conf/sipguard.rules", &rs, &err));
    FUZZ_CHECK(parse_rules(kExtraRules, &extra, &err));
    rs.rules.insert(rs.rules.end(), extra.rules.begin(), extra.rules.end());
    auto d = GuardDb::compile(rs, 1, &err);
    FUZZ_CHECK(d != nullptr);
    d->set_generation(1);
    return d;
  }();
  return *db;
}

void check_tokens(const uint8_t* p, uint32_t n) {
  const StartLine sl = parse_start_line(p, n);
  FUZZ_CHECK(sl.line.off + sl.line.len <= n);
  FUZZ_CHECK(sl.next <= n);
  if (sl.kind == StartKind::Request) FUZZ_CHECK(sl.method.len > 0 && sl.method.len < sl.line.len);
  uint32_t pos = sl.next, count = 0;
  HeaderLine h;
  while (next_header(p, n, &pos, &h)) {
    FUZZ_CHECK(h.line.off + h.line.len <= n);
    FUZZ_CHECK(h.name.off >= h.line.off && h.name.off + h.name.len <= h.line.off + h.line.len);
    FUZZ_CHECK(h.value.off >= h.line.off && h.value.off + h.value.len <= h.line.off + h.line.len);
    FUZZ_CHECK(pos > h.line.off && pos <= n);  // progress
    FUZZ_CHECK(++count <= n);
  }
  FUZZ_CHECK(pos <= n);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 65535) return 0;  // larger than any UDP payload
  const auto n = static_cast<uint32_t>(size);
  check_tokens(data, n);
  const GuardDb& db = rules();
  RuleHits hits;
  const ScanResult r = scan_datagram(db, db.scratch(0), data, n, &hits);
  FUZZ_CHECK(!r.scan_error);
  FUZZ_CHECK(r.action <= Action::Drop);
  FUZZ_CHECK(!r.keepalive || (r.action == Action::None && !hits.any()));
  hits.for_each([&](uint32_t rule) { FUZZ_CHECK(rule < db.n_rules() && db.rule(rule).action <= r.action); });
  // The same datagram through the burst verdict, from a source derived from its bytes.
  static GuardLcore gl(0, 64, nullptr);
  static uint64_t tsc = 0;
  SipDatagram d{data, n, SourceKey{}};
  d.src.family = size > 0 && (data[0] & 1) ? 6 : 4;
  for (size_t i = 0; i < 4 && i < size; i++) d.src.addr[i] = data[size - 1 - i];
  Verdict v;
  gl.screen_burst(db, &d, 1, &v, tsc += 1000, 1000000);
  FUZZ_CHECK(v == Verdict::Pass || v == Verdict::Drop || v == Verdict::RateLimited);
  FUZZ_CHECK((v == Verdict::Drop) == (r.action == Action::Drop));
  if (r.action < Action::RateLimit) FUZZ_CHECK(v == Verdict::Pass);
  return 0;
}
