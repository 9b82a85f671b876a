// rtpgate-perf's latency histogram: bucket bounds, quantiles, CDF.
#include "latency_hist.h"

#include <gtest/gtest.h>

namespace rtpgate::perf {
namespace {

TEST(LatencyHist, BucketsCoverEveryValueInOrder) {
  for (uint64_t v : {0ull, 1ull, 31ull, 32ull, 33ull, 1000ull, 123456ull, 1ull << 39}) {
    const auto [lo, hi] = LatencyHist::bounds(LatencyHist::index(v));
    EXPECT_LE(lo, v);
    EXPECT_LT(v, hi);
    EXPECT_LE(double(hi - lo), 1 + double(v) / LatencyHist::kSub) << v;  // about 3%
  }
  for (uint32_t i = 1; i + 1 < LatencyHist::kBuckets; i++)
    EXPECT_EQ(LatencyHist::bounds(i - 1).second, LatencyHist::bounds(i).first) << i;
}

TEST(LatencyHist, QuantilesWithinBucketPrecision) {
  LatencyHist h;
  for (uint64_t v = 1; v <= 100000; v++) h.add(v * 10);  // 10 ns .. 1 ms, uniform
  EXPECT_EQ(h.count(), 100000u);
  EXPECT_EQ(h.min(), 10u);
  EXPECT_EQ(h.max(), 1000000u);
  EXPECT_NEAR(double(h.quantile(0.5)), 500000, 500000 * 0.04);
  EXPECT_NEAR(double(h.quantile(0.99)), 990000, 990000 * 0.04);
  EXPECT_NEAR(double(h.quantile(0.999)), 999000, 999000 * 0.04);
  EXPECT_EQ(h.quantile(1.0), 1000000u);
  EXPECT_NEAR(h.mean(), 500005, 1);
}

TEST(LatencyHist, TailOutlierShowsOnlyAtHighQuantiles) {
  LatencyHist h;
  for (int i = 0; i < 999; i++) h.add(1000);
  h.add(5000000);
  EXPECT_NEAR(double(h.quantile(0.99)), 1000, 40);
  EXPECT_EQ(h.quantile(0.9999), 5000000u);
}

TEST(LatencyHist, CdfIsMonotonicAndEndsAtOne) {
  LatencyHist h;
  for (uint64_t v = 1; v < 5000; v += 7) h.add(v * v);
  const auto cdf = h.cdf(50);
  ASSERT_LE(cdf.size(), 50u);
  ASSERT_GE(cdf.size(), 2u);
  for (size_t i = 1; i < cdf.size(); i++) {
    EXPECT_GE(cdf[i].first, cdf[i - 1].first);
    EXPECT_GE(cdf[i].second, cdf[i - 1].second);
  }
  EXPECT_DOUBLE_EQ(cdf.back().second, 1.0);
  h.clear();
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.quantile(0.5), 0u);
  EXPECT_TRUE(h.cdf(10).empty());
}

}  // namespace
}  // namespace rtpgate::perf
