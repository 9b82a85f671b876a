// SpscRing over plain (non-shared) memory: ordering, full/empty, wraparound, depth and a
// two-thread producer/consumer run.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <thread>

#include "rtpgate/shm/spsc_ring.h"

namespace rtpgate::shm {
namespace {

struct Rec {
  uint64_t seq;
  uint64_t check;
};

// A ring header plus `capacity` slots in cache-line aligned heap memory.
template <typename T>
class RingMemory {
 public:
  explicit RingMemory(uint32_t capacity) {
    const uint64_t bytes = (SpscRing<T>::bytes_for(capacity) + 63) / 64 * 64;
    mem_.reset(static_cast<uint8_t*>(std::aligned_alloc(64, bytes)));
    hdr_ = reinterpret_cast<rtpgate_shm_ring_hdr*>(mem_.get());
    SpscRing<T>::init(hdr_, capacity);
  }
  SpscRing<T> ring() const { return SpscRing<T>(hdr_); }
  rtpgate_shm_ring_hdr* hdr() const { return hdr_; }

 private:
  struct Free {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t, Free> mem_;
  rtpgate_shm_ring_hdr* hdr_ = nullptr;
};

Rec rec(uint64_t i) { return Rec{i, i * 0x9E3779B97F4A7C15ull}; }

TEST(SpscRing, InitSetsCapacityAndElemSize) {
  RingMemory<Rec> m(8);
  EXPECT_EQ(m.hdr()->capacity, 8u);
  EXPECT_EQ(m.hdr()->elem_size, sizeof(Rec));
  EXPECT_EQ(m.hdr()->head, 0u);
  EXPECT_EQ(m.hdr()->tail, 0u);
  EXPECT_EQ(SpscRing<Rec>::bytes_for(8), sizeof(rtpgate_shm_ring_hdr) + 8 * sizeof(Rec));
  SpscRing<Rec> r = m.ring();
  EXPECT_TRUE(r.valid());
  EXPECT_EQ(r.capacity(), 8u);
  EXPECT_FALSE(SpscRing<Rec>().valid());
}

TEST(SpscRing, PopsInPushOrder) {
  RingMemory<Rec> m(8);
  auto r = m.ring();
  for (uint64_t i = 0; i < 5; i++) ASSERT_TRUE(r.push(rec(i)));
  for (uint64_t i = 0; i < 5; i++) {
    Rec out{};
    ASSERT_TRUE(r.pop(out));
    EXPECT_EQ(out.seq, i);
    EXPECT_EQ(out.check, rec(i).check);
  }
}

TEST(SpscRing, EmptyRingPopsNothing) {
  RingMemory<Rec> m(4);
  auto r = m.ring();
  Rec out{7, 7};
  EXPECT_FALSE(r.pop(out));
  EXPECT_EQ(out.seq, 7u);  // untouched
  EXPECT_EQ(r.peek(), nullptr);
  EXPECT_EQ(r.depth(), 0u);
}

TEST(SpscRing, FullRingRefusesPushUntilPop) {
  RingMemory<Rec> m(4);
  auto r = m.ring();
  for (uint64_t i = 0; i < 4; i++) ASSERT_TRUE(r.push(rec(i)));
  EXPECT_FALSE(r.push(rec(99)));
  EXPECT_EQ(r.reserve(), nullptr);
  EXPECT_EQ(r.depth(), 4u);
  Rec out{};
  ASSERT_TRUE(r.pop(out));
  EXPECT_EQ(out.seq, 0u);
  EXPECT_TRUE(r.push(rec(4)));
  EXPECT_FALSE(r.push(rec(5)));
  for (uint64_t i = 1; i <= 4; i++) {
    ASSERT_TRUE(r.pop(out));
    EXPECT_EQ(out.seq, i);
  }
  EXPECT_FALSE(r.pop(out));
}

TEST(SpscRing, ReservePublishPeekReleaseRoundTrip) {
  RingMemory<Rec> m(4);
  auto r = m.ring();
  Rec* s = r.reserve();
  ASSERT_NE(s, nullptr);
  *s = rec(42);
  EXPECT_EQ(r.depth(), 0u);  // not visible before publish
  EXPECT_EQ(r.peek(), nullptr);
  r.publish();
  EXPECT_EQ(r.depth(), 1u);
  const Rec* p = r.peek();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->seq, 42u);
  EXPECT_EQ(r.peek(), p);  // peek does not consume
  r.release();
  EXPECT_EQ(r.depth(), 0u);
  EXPECT_EQ(r.peek(), nullptr);
}

TEST(SpscRing, WrapsAroundAcrossManyCycles) {
  RingMemory<Rec> m(4);
  auto r = m.ring();
  uint64_t next_in = 0, next_out = 0;
  // Vary the fill level so head and tail cross the slot boundary at every phase.
  for (int cycle = 0; cycle < 1000; cycle++) {
    const int n = 1 + cycle % 4;
    for (int i = 0; i < n; i++) ASSERT_TRUE(r.push(rec(next_in++)));
    EXPECT_EQ(r.depth(), static_cast<uint64_t>(n));
    for (int i = 0; i < n; i++) {
      Rec out{};
      ASSERT_TRUE(r.pop(out));
      ASSERT_EQ(out.seq, next_out);
      ASSERT_EQ(out.check, rec(next_out).check);
      next_out++;
    }
    EXPECT_EQ(r.depth(), 0u);
  }
  EXPECT_EQ(m.hdr()->head, next_in);  // free-running counts, not slot indices
  EXPECT_EQ(m.hdr()->tail, next_out);
  EXPECT_GT(next_in, 4u * 100);
}

TEST(SpscRing, DepthTracksQueuedRecords) {
  RingMemory<Rec> m(4);
  auto r = m.ring();
  Rec out{};
  EXPECT_EQ(r.depth(), 0u);
  r.push(rec(0));
  r.push(rec(1));
  EXPECT_EQ(r.depth(), 2u);
  r.pop(out);
  EXPECT_EQ(r.depth(), 1u);
  r.push(rec(2));
  r.push(rec(3));
  r.push(rec(4));
  EXPECT_EQ(r.depth(), 4u);
}

TEST(SpscRing, TwoThreadsTransferOneMillionRecordsInOrder) {
  constexpr uint64_t kN = 1000000;
  RingMemory<Rec> m(1024);
  uint64_t bad = 0, got = 0;
  std::thread consumer([&] {
    auto r = m.ring();
    Rec out{};
    while (got < kN) {
      if (!r.pop(out)) {
        std::this_thread::yield();
        continue;
      }
      if (out.seq != got || out.check != rec(got).check) bad++;
      got++;
    }
  });
  std::thread producer([&] {
    auto r = m.ring();
    for (uint64_t i = 0; i < kN;) {
      if (r.push(rec(i))) {
        i++;
      } else {
        std::this_thread::yield();
      }
    }
  });
  producer.join();
  consumer.join();
  EXPECT_EQ(got, kN);
  EXPECT_EQ(bad, 0u);
  EXPECT_EQ(m.ring().depth(), 0u);
}

}  // namespace
}  // namespace rtpgate::shm
