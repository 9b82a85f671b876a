// SIP guard verdicts for a burst on one worker (see guard_screen.h). Worker lcores.
#include "sipguard/guard_screen.h"

#include <cstring>

#include "sipguard/sip_scanner.h"

namespace rtpgate::dp::sipguard {

GuardLcore::GuardLcore(uint32_t worker, uint32_t sources, rtpgate_shm_guard_lcore* stats)
    : worker_(worker), buckets_(sources), stats_(stats != nullptr ? stats : &own_) {}

void GuardLcore::adopt(const GuardDb& db) noexcept {
  gen_ = db.generation();
  adopted_ = true;
  bucket_gen_ = static_cast<uint32_t>(gen_) != 0 ? static_cast<uint32_t>(gen_) : 1;
  std::memset(stats_->hits, 0, sizeof stats_->hits);
  std::memset(stats_->limited, 0, sizeof stats_->limited);
  __atomic_store_n(&stats_->ruleset_gen, gen_, __ATOMIC_RELEASE);
}

Verdict GuardLcore::decide(const GuardDb& db, const SipDatagram& d, uint64_t now_tsc, uint64_t tsc_hz) noexcept {
  rtpgate_shm_guard_lcore& st = *stats_;
  RuleHits hits;
  const ScanResult r = scan_datagram(db, db.scratch(worker_), d.data, d.len, &hits);
  st.screened++;
  if (r.scan_error) [[unlikely]] st.scan_errors++;
  if (r.keepalive) {
    st.keepalives++;
    st.passed++;
    return Verdict::Pass;
  }
  hits.for_each([&](uint32_t rule) { st.hits[rule]++; });
  if (r.action == Action::Drop) {
    st.dropped++;
    return Verdict::Drop;
  }
  bool limited = false;
  if (r.action == Action::RateLimit) {
    const uint64_t evicted0 = buckets_.evictions();
    hits.for_each([&](uint32_t rule) {
      const CompiledRule& cr = db.rule(rule);
      if (cr.action != Action::RateLimit) return;
      if (!buckets_.take(d.src, static_cast<uint16_t>(rule), bucket_gen_, cr.rate_per_s, cr.burst, now_tsc, tsc_hz)) {
        st.limited[rule]++;
        limited = true;
      }
    });
    st.bucket_evictions += buckets_.evictions() - evicted0;
  }
  if (limited) {
    st.rate_limited++;
    return Verdict::RateLimited;
  }
  st.passed++;
  if (hits.any() && r.action >= Action::Count) {
    bool counted = r.action == Action::Count;
    if (!counted) hits.for_each([&](uint32_t rule) { counted |= db.rule(rule).action == Action::Count; });
    if (counted) st.counted++;
  }
  return Verdict::Pass;
}

void GuardLcore::screen_burst(const GuardDb& db, const SipDatagram* d, uint32_t n, Verdict* out, uint64_t now_tsc,
                              uint64_t tsc_hz) noexcept {
  if (db.generation() != gen_ || !adopted_) [[unlikely]] adopt(db);
  for (uint32_t i = 0; i < n; i++) {
    if (i + 1 < n) __builtin_prefetch(d[i + 1].data);
    out[i] = decide(db, d[i], now_tsc, tsc_hz);
  }
}

}  // namespace rtpgate::dp::sipguard
