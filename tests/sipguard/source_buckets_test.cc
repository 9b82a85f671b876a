// Per-source token buckets, alone and through the guard's burst verdicts: a REGISTER flood
// from one source is limited, another source is not, buckets refill with time, the table
// stays bounded, and a new rule set starts from full buckets.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "guard_test_util.h"
#include "sip_messages.h"
#include "sipguard/guard_screen.h"
#include "sipguard/source_buckets.h"

namespace rtpgate::dp::sipguard {
namespace {

constexpr uint64_t kHz = 1000000;  // a 1 MHz "TSC": 1 tick = 1 us

SourceKey v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  SourceKey k;
  k.family = 4;
  k.addr[0] = a;
  k.addr[1] = b;
  k.addr[2] = c;
  k.addr[3] = d;
  return k;
}

SourceKey v6(uint16_t last) {
  SourceKey k;
  k.family = 6;
  k.addr[0] = 0x20;
  k.addr[1] = 0x01;
  k.addr[2] = 0x0d;
  k.addr[3] = 0xb8;
  k.addr[14] = uint8_t(last >> 8);
  k.addr[15] = uint8_t(last);
  return k;
}

uint32_t passed(SourceBuckets& b, const SourceKey& k, uint16_t rule, uint32_t n, uint64_t now, uint32_t gen = 1) {
  uint32_t ok = 0;
  for (uint32_t i = 0; i < n; i++) ok += b.take(k, rule, gen, 10, 20, now, kHz);
  return ok;
}

TEST(SourceBuckets, BurstThenRate) {
  SourceBuckets b(1024);
  const SourceKey a = v4(198, 51, 100, 7);
  EXPECT_EQ(passed(b, a, 0, 100, 1000), 20u);       // the burst
  EXPECT_EQ(passed(b, a, 0, 100, 1000 + 500000), 5u);  // 0.5 s at 10/s
  EXPECT_EQ(passed(b, a, 0, 100, 1000 + 600000), 1u);  // 0.1 s later: one more
  EXPECT_EQ(passed(b, a, 0, 100, 1000 + 600000 + 10 * kHz), 20u);  // long idle: full again, never more
}

TEST(SourceBuckets, SourcesRulesAndFamiliesAreSeparate) {
  SourceBuckets b(1024);
  const SourceKey a = v4(198, 51, 100, 7), c = v4(198, 51, 100, 8);
  EXPECT_EQ(passed(b, a, 0, 50, 0), 20u);
  EXPECT_EQ(passed(b, c, 0, 50, 0), 20u);   // another source: unaffected
  EXPECT_EQ(passed(b, a, 1, 50, 0), 20u);   // the same source under another rule
  SourceKey mapped = v6(0);                 // same low bytes, other family
  std::memcpy(mapped.addr, a.addr, 4);
  std::memset(mapped.addr + 4, 0, 12);
  EXPECT_EQ(passed(b, mapped, 0, 50, 0), 20u);
  EXPECT_EQ(passed(b, v6(1), 0, 50, 0), 20u);
  EXPECT_EQ(passed(b, v6(1), 0, 50, 0), 0u);
  EXPECT_EQ(b.evictions(), 0u);
}

TEST(SourceBuckets, TableStaysBoundedAndEvictsTheStalest) {
  SourceBuckets b(64);
  EXPECT_EQ(b.capacity(), 64u);
  for (uint32_t i = 0; i < 1000; i++) EXPECT_TRUE(b.take(v4(10, 0, uint8_t(i >> 8), uint8_t(i)), 0, 1, 10, 20, i, kHz));
  EXPECT_GE(b.evictions(), 1000u - 64u);
  // A source seen just now is still tracked (older ones were evicted first).
  const SourceKey last = v4(10, 0, 999 >> 8, 999 & 0xff);
  EXPECT_EQ(passed(b, last, 0, 50, 999), 19u);
}

TEST(SourceBuckets, NewGenerationStartsFull) {
  SourceBuckets b(1024);
  const SourceKey a = v4(192, 0, 2, 1);
  EXPECT_EQ(passed(b, a, 0, 50, 0, 1), 20u);
  EXPECT_EQ(passed(b, a, 0, 50, 0, 1), 0u);
  EXPECT_EQ(passed(b, a, 0, 50, 0, 2), 20u);  // rule 0 of the next rule set is another rule
}

// ---- the verdicts of a burst (guard_screen) ----

std::vector<Verdict> screen(GuardLcore& gl, const GuardDb& db, const std::vector<std::string>& msgs,
                            const std::vector<SourceKey>& srcs, uint64_t now) {
  std::vector<SipDatagram> d;
  for (size_t i = 0; i < msgs.size(); i++)
    d.push_back(SipDatagram{reinterpret_cast<const uint8_t*>(msgs[i].data()), static_cast<uint32_t>(msgs[i].size()),
                            srcs[i % srcs.size()]});
  std::vector<Verdict> v(d.size());
  for (size_t i = 0; i < d.size(); i += 32)
    gl.screen_burst(db, d.data() + i, static_cast<uint32_t>(std::min<size_t>(32, d.size() - i)), v.data() + i, now,
                    kHz);
  return v;
}

size_t count(const std::vector<Verdict>& v, Verdict x) { return static_cast<size_t>(std::count(v.begin(), v.end(), x)); }

uint32_t rule_index(const GuardDb& db, const std::string& id) {
  for (uint32_t i = 0; i < db.n_rules(); i++)
    if (db.source(i).id == id) return i;
  ADD_FAILURE() << "no rule " << id;
  return 0;
}

TEST(GuardScreen, RegisterFloodFromOneSourceIsLimitedAnotherSourceIsNot) {
  auto db = test::compile_default();
  ASSERT_NE(db, nullptr);
  db->set_generation(1);
  GuardLcore gl(0, 4096, nullptr);
  const SourceKey attacker = v4(203, 0, 113, 66), user = v4(192, 0, 2, 20);
  std::vector<std::string> flood;
  for (int i = 0; i < 500; i++) flood.push_back(test::register_msg("Zoiper rv2.10", "flood-" + std::to_string(i)));
  const auto v = screen(gl, *db, flood, {attacker}, 1000);
  EXPECT_EQ(count(v, Verdict::Pass), 40u);  // register-flood: ratelimit=20/s:40
  EXPECT_EQ(count(v, Verdict::RateLimited), 460u);
  // Meanwhile a user's REGISTERs (same instant) all pass.
  const auto u = screen(gl, *db, {test::register_msg(), test::register_msg()}, {user}, 1000);
  EXPECT_EQ(count(u, Verdict::Pass), 2u);
  // One second later the attacker gets 20 more.
  const auto later = screen(gl, *db, std::vector<std::string>(100, test::register_msg()), {attacker}, 1000 + kHz);
  EXPECT_EQ(count(later, Verdict::Pass), 20u);
  const auto& st = gl.stats();
  const uint32_t r = rule_index(*db, "register-flood");
  EXPECT_EQ(st.hits[r], 602u);
  EXPECT_EQ(st.limited[r], 540u);
  EXPECT_EQ(st.screened, 602u);
  EXPECT_EQ(st.rate_limited, 540u);
  EXPECT_EQ(st.passed, 62u);
  EXPECT_EQ(st.dropped, 0u);
  EXPECT_EQ(st.ruleset_gen, 1u);
}

TEST(GuardScreen, VerdictsAndCountersOfAMixedBurst) {
  auto db = test::compile_default();
  ASSERT_NE(db, nullptr);
  db->set_generation(7);
  GuardLcore gl(0, 4096, nullptr);
  const std::vector<std::string> msgs = {test::invite(),           test::svmap_options(),
                                         test::svwar_register(),   "\r\n\r\n",
                                         test::ok_response(),      test::options("sipsak"),
                                         test::without_header(test::invite(), "Call-ID:")};
  const auto v = screen(gl, *db, msgs, {v6(9)}, 5);
  EXPECT_EQ(v, (std::vector<Verdict>{Verdict::Pass, Verdict::Drop, Verdict::Drop, Verdict::Pass, Verdict::Pass,
                                     Verdict::Pass, Verdict::Drop}));
  const auto& st = gl.stats();
  EXPECT_EQ(st.screened, 7u);
  EXPECT_EQ(st.dropped, 3u);
  EXPECT_EQ(st.passed, 4u);
  EXPECT_EQ(st.keepalives, 1u);
  EXPECT_EQ(st.counted, 1u);  // the sipsak OPTIONS
  EXPECT_EQ(st.hits[rule_index(*db, "from-sipvicious")], 1u);
  EXPECT_EQ(st.hits[rule_index(*db, "ua-friendly-scanner")], 1u);
  EXPECT_EQ(st.hits[rule_index(*db, "missing-headers")], 1u);
  EXPECT_EQ(st.hits[rule_index(*db, "ua-sipsak")], 1u);
  EXPECT_EQ(st.hits[rule_index(*db, "invite-flood")], 2u);
  EXPECT_EQ(st.ruleset_gen, 7u);
}

TEST(GuardScreen, ANewRuleSetRestartsRuleCountersAndBuckets) {
  auto db1 = test::compile_text("reg ratelimit=1/s:2 method REGISTER\n");
  auto db2 = test::compile_text("other count method INVITE\nreg ratelimit=1/s:2 method REGISTER\n");
  ASSERT_TRUE(db1 && db2);
  db1->set_generation(1);
  db2->set_generation(2);
  GuardLcore gl(0, 1024, nullptr);
  const SourceKey a = v4(203, 0, 113, 1);
  auto v = screen(gl, *db1, std::vector<std::string>(5, test::register_msg()), {a}, 0);
  EXPECT_EQ(count(v, Verdict::Pass), 2u);
  EXPECT_EQ(gl.stats().hits[0], 5u);
  v = screen(gl, *db2, std::vector<std::string>(5, test::register_msg()), {a}, 0);
  EXPECT_EQ(count(v, Verdict::Pass), 2u);   // a fresh bucket for the new set's rule
  EXPECT_EQ(gl.stats().hits[0], 0u);        // rule 0 is "other" now
  EXPECT_EQ(gl.stats().hits[1], 5u);
  EXPECT_EQ(gl.stats().limited[1], 3u);
  EXPECT_EQ(gl.stats().ruleset_gen, 2u);
  EXPECT_EQ(gl.stats().screened, 10u);      // action counters run on across rule sets
}

}  // namespace
}  // namespace rtpgate::dp::sipguard
