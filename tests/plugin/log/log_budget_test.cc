// The budget for log lines remote peers can cause (control/log_budget.h): a burst, then a
// steady rate, and an exact count of what was left out.
#include "log_budget.h"

#include <gtest/gtest.h>

namespace rtpgate::ctl {
namespace {

constexpr uint64_t kSec = 1000000000ull;

TEST(LogBudget, BurstThenRefusesAndCountsWhatItLeftOut) {
  LogBudget b(20, 2);
  uint64_t sup = 99;
  const uint64_t t0 = 5 * kSec;
  for (int i = 0; i < 20; i++) {
    ASSERT_TRUE(b.admit(t0, &sup)) << i;
    EXPECT_EQ(sup, 0u);
  }
  for (int i = 0; i < 1000; i++) EXPECT_FALSE(b.admit(t0 + i, &sup));  // a flood
  ASSERT_TRUE(b.admit(t0 + kSec / 2, &sup));  // one token after half a second at 2/s
  EXPECT_EQ(sup, 1000u);
  EXPECT_FALSE(b.admit(t0 + kSec / 2, &sup));
}

TEST(LogBudget, SteadyRateAfterTheBurstAndRefillCappedAtTheBurst) {
  LogBudget b(20, 2);
  uint64_t sup = 0;
  const uint64_t t0 = kSec;
  for (int i = 0; i < 20; i++) ASSERT_TRUE(b.admit(t0, &sup));
  // A flood of one line per millisecond for 10 s passes 2 a second.
  int admitted = 0;
  for (uint64_t ms = 1; ms <= 10000; ms++) admitted += b.admit(t0 + ms * 1000000, &sup);
  EXPECT_GE(admitted, 19);
  EXPECT_LE(admitted, 21);
  // An hour of quiet refills only up to the burst.
  const uint64_t later = t0 + 3600 * kSec;
  int burst = 0;
  while (b.admit(later, &sup)) burst++;
  EXPECT_EQ(burst, 20);
}

TEST(LogBudget, ClockGoingBackwardsGrantsNothing) {
  LogBudget b(1, 1);
  uint64_t sup = 0;
  ASSERT_TRUE(b.admit(10 * kSec, &sup));
  EXPECT_FALSE(b.admit(5 * kSec, &sup));
  EXPECT_FALSE(b.admit(10 * kSec, &sup));
  EXPECT_TRUE(b.admit(11 * kSec, &sup));
  EXPECT_EQ(sup, 2u);
}

}  // namespace
}  // namespace rtpgate::ctl
