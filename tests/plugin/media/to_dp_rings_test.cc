// ToDpRings: many producer threads into SPSC shared-memory rings through per-ring locks;
// every packet arrives once, in order per key, intact; full rings refuse without blocking.
#include "media/to_dp_rings.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

namespace rtpgate::ctl::media {
namespace {

using Ring = shm::SpscRing<rtpgate_shm_pkt_slot>;

// Rings in plain heap memory, laid out as in the region (header + slots).
class HeapRings {
 public:
  HeapRings(uint32_t n, uint32_t cap) : n_(n) {
    for (uint32_t i = 0; i < n; i++) {
      mem_.emplace_back(new uint64_t[Ring::bytes_for(cap) / 8 + 1]);
      auto* h = reinterpret_cast<rtpgate_shm_ring_hdr*>(mem_.back().get());
      Ring::init(h, cap);
      rings_[i] = Ring(h);
    }
  }
  Ring* rings() { return rings_; }
  Ring& at(uint32_t i) { return rings_[i]; }
  uint32_t n() const { return n_; }

 private:
  uint32_t n_;
  std::vector<std::unique_ptr<uint64_t[]>> mem_;
  Ring rings_[ToDpRings::kMaxRings];
};

auto accept_flow(uint32_t f) {
  return [f]() noexcept { return f; };
}
auto no_done() {
  return [](PushResult) noexcept {};
}

TEST(ToDpRings, NoRingUntilBound) {
  ToDpRings r;
  const uint8_t d[4] = {1, 2, 3, 4};
  EXPECT_EQ(r.push(1, accept_flow(0), no_done(), false, d, 4), PushResult::NoRing);
}

TEST(ToDpRings, FullRingRefusesAndTooBigIsRefused) {
  HeapRings hr(1, 4);
  ToDpRings r;
  r.lock_all();
  r.bind_locked(hr.rings(), 1);
  r.unlock_all();
  uint8_t d[RTPGATE_PKT_SLOT_DATA + 1] = {};
  int full_done = 0;
  auto done = [&](PushResult p) noexcept { full_done += p == PushResult::Full; };
  for (int i = 0; i < 4; i++) EXPECT_EQ(r.push(7, accept_flow(3), done, false, d, 10), PushResult::Ok);
  EXPECT_EQ(r.push(7, accept_flow(3), done, false, d, 10), PushResult::Full);
  EXPECT_EQ(full_done, 1);
  EXPECT_EQ(r.push(7, accept_flow(3), done, false, d, RTPGATE_PKT_SLOT_DATA + 1), PushResult::TooBig);
  EXPECT_EQ(r.push(7, [] () noexcept { return UINT32_MAX; }, done, false, d, 10), PushResult::Refused);
  rtpgate_shm_pkt_slot s;
  ASSERT_TRUE(hr.at(0).pop(s));
  EXPECT_EQ(s.flow_id, 3u);
  EXPECT_EQ(s.len, 10);
}

TEST(ToDpRings, UnbindStopsProducers) {
  HeapRings hr(2, 4);
  ToDpRings r;
  r.lock_all();
  r.bind_locked(hr.rings(), 2);
  r.unlock_all();
  const uint8_t d[1] = {0};
  EXPECT_EQ(r.push(1, accept_flow(1), no_done(), true, d, 1), PushResult::Ok);
  r.lock_all();
  r.unbind_locked();
  r.unlock_all();
  EXPECT_EQ(r.push(1, accept_flow(1), no_done(), true, d, 1), PushResult::NoRing);
  EXPECT_EQ(r.count(), 0u);
}

// 8 producers x 20000 packets, 3 rings of 256 slots, one consumer per ring. A producer
// retries on Full (the test wants every packet; the link itself drops). Each packet
// carries (producer, index) and a pattern; consumers check order per producer.
TEST(ToDpRings, ManyProducersEveryPacketOnceInOrder) {
  constexpr uint32_t kProducers = 8, kPerProducer = 20000, kRings = 3;
  HeapRings hr(kRings, 256);
  ToDpRings r;
  r.lock_all();
  r.bind_locked(hr.rings(), kRings);
  r.unlock_all();
  std::atomic<bool> done{false};
  std::atomic<uint64_t> received{0}, bad{0};
  std::vector<std::thread> consumers;
  for (uint32_t c = 0; c < kRings; c++) {
    consumers.emplace_back([&, c] {
      std::vector<int64_t> last(kProducers, -1);
      Ring ring = hr.at(c);
      while (true) {
        const rtpgate_shm_pkt_slot* s = ring.peek();
        if (s == nullptr) {
          if (done.load() && ring.depth() == 0) break;
          std::this_thread::yield();
          continue;
        }
        uint32_t producer, index;
        std::memcpy(&producer, s->data, 4);
        std::memcpy(&index, s->data + 4, 4);
        bool ok = producer < kProducers && s->flow_id == producer * 2 + (s->is_rtcp ? 1 : 0) &&
                  ToDpRings::pick(uint64_t{producer} + 1000, kRings) == c &&
                  static_cast<int64_t>(index) == last[producer] + 1 && s->len == 8 + index % 100;
        for (uint32_t i = 8; ok && i < s->len; i++) ok = s->data[i] == uint8_t(index + i);
        if (!ok) bad++;
        if (producer < kProducers) last[producer] = index;
        ring.release();
        received++;
      }
    });
  }
  std::atomic<uint64_t> retries{0};
  std::vector<std::thread> producers;
  for (uint32_t p = 0; p < kProducers; p++) {
    producers.emplace_back([&, p] {
      uint8_t buf[128];
      for (uint32_t i = 0; i < kPerProducer; i++) {
        const auto len = static_cast<uint16_t>(8 + i % 100);
        std::memcpy(buf, &p, 4);
        std::memcpy(buf + 4, &i, 4);
        for (uint32_t k = 8; k < len; k++) buf[k] = uint8_t(i + k);
        const bool rtcp = i % 7 == 0;
        while (r.push(uint64_t{p} + 1000, accept_flow(p * 2 + (rtcp ? 1 : 0)), no_done(), rtcp, buf, len) ==
               PushResult::Full)
          retries++;
      }
    });
  }
  for (auto& t : producers) t.join();
  done = true;
  for (auto& t : consumers) t.join();
  EXPECT_EQ(received.load(), uint64_t{kProducers} * kPerProducer);
  EXPECT_EQ(bad.load(), 0u);
  RecordProperty("full_retries", static_cast<int>(retries.load()));
}

TEST(ToDpRings, BarrierWaitsForAPushInsideItsCheck) {
  HeapRings hr(1, 8);
  ToDpRings r;
  r.lock_all();
  r.bind_locked(hr.rings(), 1);
  r.unlock_all();
  std::atomic<bool> in_check{false}, release{false}, barrier_done{false};
  std::thread producer([&] {
    const uint8_t d[1] = {0};
    r.push(1, [&]() noexcept {
      in_check = true;
      while (!release) std::this_thread::yield();
      return 5u;
    }, no_done(), false, d, 1);
  });
  while (!in_check) std::this_thread::yield();
  std::thread closer([&] {
    r.barrier();
    barrier_done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(barrier_done.load());
  release = true;
  producer.join();
  closer.join();
  EXPECT_TRUE(barrier_done.load());
  EXPECT_EQ(hr.at(0).depth(), 1u);  // the packet was published before the barrier returned
}

}  // namespace
}  // namespace rtpgate::ctl::media
