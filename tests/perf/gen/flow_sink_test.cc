// rtpgate-perf's receive side: epochs, sequence gaps, reordering, latency, jitter.
#include "flow_sink.h"

#include <gtest/gtest.h>

namespace rtpgate::perf {
namespace {

Stamp st(uint32_t flow, uint32_t seq, uint32_t epoch, uint64_t tx) { return Stamp{kStampMagic, flow, seq, epoch, tx}; }

TEST(FlowSink, CountsInOrderPacketsAndLatency) {
  FlowSink s(4, 0.5);  // 2 ticks per ns
  s.begin(1);
  for (uint32_t q = 0; q < 10; q++) s.on_packet(st(q % 4, q / 4, 1, 1000 * q), 1000 * q + 200, 214);
  EXPECT_EQ(s.counts().received, 10u);
  EXPECT_EQ(s.counts().bytes, 2140u);
  EXPECT_EQ(s.counts().reordered, 0u);
  EXPECT_EQ(s.counts().seq_gaps, 0u);
  EXPECT_EQ(s.hist().min(), 100u);
  EXPECT_EQ(s.hist().max(), 100u);
  const JitterSummary j = s.jitter();
  EXPECT_EQ(j.flows, 4u);
  EXPECT_DOUBLE_EQ(j.max_ns, 0);
}

TEST(FlowSink, GapsReorderingAndStalePackets) {
  FlowSink s(2, 1.0);
  s.begin(7);
  s.on_packet(st(0, 0, 7, 0), 10, 100);
  s.on_packet(st(0, 3, 7, 0), 10, 100);  // 1, 2 missing so far
  s.on_packet(st(0, 1, 7, 0), 10, 100);  // late: reordered
  s.on_packet(st(1, 0, 6, 0), 10, 100);  // previous trial
  s.on_packet(st(5, 0, 7, 0), 10, 100);  // no such flow
  EXPECT_EQ(s.counts().received, 3u);
  EXPECT_EQ(s.counts().seq_gaps, 2u);
  EXPECT_EQ(s.counts().reordered, 1u);
  EXPECT_EQ(s.counts().stale, 1u);
  EXPECT_EQ(s.counts().foreign, 1u);
  s.begin(8);
  EXPECT_EQ(s.counts().received, 0u);
  EXPECT_EQ(s.hist().count(), 0u);
}

TEST(FlowSink, JitterFollowsRfc3550) {
  FlowSink s(1, 1.0);
  s.begin(1);
  // Transit alternates 100 and 300 ns: |D| = 200 each time; J -> 200 (J += (|D| - J) / 16).
  double expect = 0;
  for (uint32_t q = 0; q < 200; q++) {
    s.on_packet(st(0, q, 1, 1000000 * q), 1000000 * q + (q % 2 ? 300 : 100), 100);
    if (q > 0) expect += (200 - expect) / 16;
  }
  EXPECT_NEAR(s.jitter().mean_ns, expect, 1e-6);
  EXPECT_NEAR(s.jitter().mean_ns, 200, 1);
}

}  // namespace
}  // namespace rtpgate::perf
