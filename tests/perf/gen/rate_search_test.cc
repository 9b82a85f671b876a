// rtpgate-perf's lossless-rate search against a simulated device under test.
#include "rate_search.h"

#include <gtest/gtest.h>

namespace rtpgate::perf {
namespace {

// Forwards everything up to `capacity` pps, loses the excess; the generator tops out at
// `gen_max` pps. Optionally loses one trial in `flaky` (a scheduling hiccup).
class FakeDut final : public TrialRunner {
 public:
  FakeDut(double capacity, double gen_max, int flaky = 0) : capacity_(capacity), gen_max_(gen_max), flaky_(flaky) {}
  TrialResult run(double rate, double seconds) override {
    TrialResult r;
    r.epoch = ++n_;
    r.offered_pps = rate;
    r.seconds = seconds;
    const double sent = rate == 0 ? gen_max_ : std::min(rate, gen_max_);
    r.generated = uint64_t(sent * seconds);
    double rx = std::min(sent, capacity_);
    if (flaky_ != 0 && n_ % flaky_ == 0) rx *= 0.99;
    r.rx.received = uint64_t(rx * seconds);
    rates.push_back(rate);
    return r;
  }
  const LatencyHist& hist() const override { return h_; }
  std::vector<double> rates;

 private:
  double capacity_, gen_max_;
  int flaky_;
  uint32_t n_ = 0;
  LatencyHist h_;
};

const auto kQuiet = [](const char*, const TrialResult&) {};

TEST(RateSearch, FindsTheCapacityWithinTheResolution) {
  FakeDut dut(3.3e6, 20e6);
  SearchParams p;
  p.max_steps = 20;
  const SearchResult s = search_lossless(dut, p, kQuiet);
  EXPECT_EQ(dut.rates.front(), 0);  // the unpaced trial first
  EXPECT_DOUBLE_EQ(s.saturation.rx_pps(), 3.3e6);
  ASSERT_GE(s.best, 0);
  EXPECT_LE(s.lossless_pps(), 3.3e6);
  EXPECT_GE(s.lossless_pps(), 3.3e6 * (1 - p.resolution) * 0.99);
  EXPECT_FALSE(s.generator_limited());
  for (const TrialResult& t : s.trials) {
    if (t.offered_pps > 3.3e6 + 1) {
      EXPECT_GT(t.lost(), 0u);
    }
  }
}

TEST(RateSearch, StepLimitAndTolerance) {
  FakeDut dut(1e6, 20e6);
  SearchParams p;
  p.max_steps = 1;
  const SearchResult one = search_lossless(dut, p, kQuiet);
  EXPECT_EQ(one.trials.size(), 1u);  // 1.05 x overload rate: fails
  EXPECT_EQ(one.best, -1);
  EXPECT_EQ(one.lossless_pps(), 0);
  FakeDut dut2(1e6, 20e6);
  p.loss_tolerance = 0.06;  // 1.05 x 1e6 loses 4.8%
  const SearchResult tol = search_lossless(dut2, p, kQuiet);
  ASSERT_EQ(tol.best, 0);
  EXPECT_NEAR(tol.lossless_pps(), 1.05e6, 1);
}

TEST(RateSearch, ReportsAGeneratorLimitedResult) {
  FakeDut dut(50e6, 2e6);  // the device is faster than the generator
  SearchParams p;
  const SearchResult s = search_lossless(dut, p, kQuiet);
  ASSERT_GE(s.best, 0);
  EXPECT_NEAR(s.lossless_pps(), 2e6, 1);
  EXPECT_TRUE(s.generator_limited());
}

TEST(RateSearch, RetriesAFailedRate) {
  SearchParams p;
  p.max_steps = 1;
  p.retries = 1;
  p.max_pps = 1e6;  // capacity 2e6: the first trial at the cap only fails by the hiccup
  FakeDut dut(2e6, 20e6, 2);  // trials 2, 4, ... lose 1%
  const SearchResult s = search_lossless(dut, p, kQuiet);
  ASSERT_EQ(s.trials.size(), 2u);  // trial 2 failed, its retry (trial 3) passed
  EXPECT_EQ(s.best, 1);
}

TEST(RateSearch, PartialDropRateComesFromTheSameTrials) {
  FakeDut dut(1e6, 20e6);
  SearchParams p;
  p.max_steps = 20;
  const SearchResult s = search_lossless(dut, p, kQuiet);
  // The first paced trial (1.05e6) loses 4.8%: within 5%, not within 1%.
  EXPECT_NEAR(s.best_within(0.05), 1.05e6, 1);
  EXPECT_LE(s.best_within(0.01), 1e6 / 0.99);  // loses at most 1% of what was offered
  EXPECT_GE(s.best_within(0.01), s.lossless_pps());
  EXPECT_DOUBLE_EQ(s.best_within(0), s.lossless_pps());
}

TEST(RateSearch, RampStopsAtTheFirstFailure) {
  FakeDut dut(100000, 20e6);
  SearchParams p;
  p.ramp_start_pps = 20000;
  p.ramp_factor = 1.5;
  p.max_steps = 20;
  const SearchResult s = search_lossless(dut, p, kQuiet);
  // 20k, 30k, 45k, 67.5k pass; 101.25k fails and ends the ramp; no unpaced trial.
  ASSERT_EQ(dut.rates.size(), 5u);
  EXPECT_NE(dut.rates.front(), 0);
  EXPECT_NEAR(s.lossless_pps(), 67500, 1);
  EXPECT_NEAR(s.saturation.offered_pps, 101250, 1);
}

}  // namespace
}  // namespace rtpgate::perf
