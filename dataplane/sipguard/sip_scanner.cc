// One datagram through the SIP guard's rules (see sip_scanner.h). Worker lcores.
#include "sipguard/sip_scanner.h"

#include <cstring>

#include "sipguard/sip_tokenizer.h"

namespace rtpgate::dp::sipguard {
namespace {

// State of one datagram's screening, shared with the Hyperscan match callback.
struct Screen {
  const GuardDb& db;
  hs_scratch_t* scratch;
  const uint8_t* p;
  RuleHits* hits;
  ScanResult res;
  int cur_name = HeaderNames::kNone;  // header whose value is being scanned
  bool stop = false;                  // a drop rule matched

  void hit(uint32_t rule) noexcept {
    hits->set(rule);
    const Action a = db.rule(rule).action;
    if (a > res.action) res.action = a;
    if (a == Action::Drop) stop = true;
  }
  void hit_all(Check c) noexcept {
    for (const uint16_t r : db.of(c)) hit(r);
  }
  template <typename Pred>
  void hit_if(Check c, Pred&& pred) noexcept {
    for (const uint16_t r : db.of(c))
      if (pred(db.rule(r))) hit(r);
  }
  void scan(SpanClass k, const Span& s) noexcept;
};

int on_match(unsigned id, unsigned long long, unsigned long long, unsigned, void* ctx) noexcept {
  auto* sc = static_cast<Screen*>(ctx);
  const CompiledRule& r = sc->db.rule(id);
  if (r.check == Check::Header && r.name_idx != sc->cur_name) return 0;  // another header's rule
  sc->hit(id);
  return sc->stop ? 1 : 0;
}

void Screen::scan(SpanClass k, const Span& s) noexcept {
  const hs_database_t* d = db.db(k);
  if (d == nullptr || stop) return;
  const hs_error_t rc = hs_scan(d, reinterpret_cast<const char*>(p + s.off), s.len, 0, scratch, on_match, this);
  if (rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED) [[unlikely]] res.scan_error = true;
}

bool same_method(const CompiledRule& r, const uint8_t* m, uint32_t len) noexcept {
  return r.method_len == len && std::memcmp(r.method, m, len) == 0;
}

// Header lines: structural checks, name lookup, value and line scans. Returns the count.
uint32_t screen_headers(Screen& sc, uint32_t pos, uint32_t len, uint64_t* seen) noexcept {
  const GuardDb& db = sc.db;
  const bool lookup = db.names().size() != 0;
  const bool any_header = db.db(SpanClass::HeaderLine) != nullptr;
  const auto& count_rules = db.of(Check::MaxHeaderCount);
  HeaderLine h;
  uint32_t count = 0;
  while (!sc.stop && next_header(sc.p, len, &pos, &h)) {
    count++;
    for (const uint16_t r : count_rules)
      if (count == db.rule(r).limit + 1) sc.hit(r);
    sc.hit_if(Check::MaxHeaderLength, [&](const CompiledRule& r) { return h.line.len > r.limit; });
    if (h.malformed) {
      sc.hit_all(Check::MalformedHeader);
    } else if (lookup) {
      const int idx = db.names().find(sc.p + h.name.off, h.name.len);
      if (idx != HeaderNames::kNone) {
        *seen |= uint64_t{1} << idx;
        if ((db.header_targets() >> idx) & 1u) {
          sc.cur_name = idx;
          sc.scan(SpanClass::HeaderValue, h.value);
        }
      }
    }
    if (any_header) sc.scan(SpanClass::HeaderLine, h.line);
  }
  return count;
}

}  // namespace

ScanResult scan_datagram(const GuardDb& db, hs_scratch_t* scratch, const uint8_t* p, uint32_t len,
                         RuleHits* hits) noexcept {
  hits->clear();
  Screen sc{db, scratch, p, hits, ScanResult{}};
  const StartLine sl = parse_start_line(p, len);
  if (sl.kind == StartKind::KeepAlive) {
    sc.res.keepalive = true;
    return sc.res;
  }
  sc.hit_if(Check::MaxMessageSize, [&](const CompiledRule& r) { return len > r.limit; });
  const bool request = sl.kind == StartKind::Request;
  if (sl.kind == StartKind::Malformed) sc.hit_all(Check::MalformedStartLine);
  if (request) {
    sc.hit_if(Check::Method, [&](const CompiledRule& r) { return same_method(r, p + sl.method.off, sl.method.len); });
    sc.scan(SpanClass::RequestLine, sl.line);
  }
  if (sc.stop) return sc.res;
  uint64_t seen = 0;
  screen_headers(sc, sl.next, len, &seen);
  if (sc.stop) return sc.res;
  if (request) sc.hit_if(Check::RequiredHeaders, [&](const CompiledRule& r) { return (r.required_mask & ~seen) != 0; });
  sc.scan(SpanClass::Message, Span{0, len});
  return sc.res;
}

}  // namespace rtpgate::dp::sipguard
