// Browser-side RTP for the media phase: the injector thread (calls incoming_rtp) and the
// counter thread (drains the fake core's relay_rtp records).
#include "rtp_injector.h"

#include <arpa/inet.h>
#include <pthread.h>

#include <cstring>
#include <ctime>

#include "proc_meter.h"

namespace rtpgate::perf {
namespace {

constexpr int kPeriodMs = 20;           // G.711 ptime
constexpr size_t kPayload = 160;        // 20 ms of 8 kHz
constexpr size_t kPacket = 12 + kPayload;
constexpr uint32_t kTsStep = 160;

void add_ns(timespec* t, long ns) {
  t->tv_nsec += ns;
  while (t->tv_nsec >= 1000000000L) {
    t->tv_nsec -= 1000000000L;
    ++t->tv_sec;
  }
}

int64_t diff_us(const timespec& a, const timespec& b) {  // a - b
  return (a.tv_sec - b.tv_sec) * 1000000LL + (a.tv_nsec - b.tv_nsec) / 1000;
}

}  // namespace

RtpInjector::RtpInjector(std::vector<janus_plugin_session*> calls)
    : calls_(std::move(calls)),
      sent_(new std::atomic<uint64_t>[calls_.size()]),
      received_(new std::atomic<uint64_t>[calls_.size()]) {
  for (size_t i = 0; i < calls_.size(); ++i) {
    sent_[i] = 0;
    received_[i] = 0;
  }
}

RtpInjector::~RtpInjector() {
  stop_sending();
  stop_counting();
}

void RtpInjector::start() {
  sending_ = true;
  counting_ = true;
  counter_ = std::thread([this] { count_loop(); });
  injector_ = std::thread([this] { inject_loop(); });
}

void RtpInjector::stop_sending() {
  sending_ = false;
  if (injector_.joinable()) injector_.join();
}

void RtpInjector::stop_counting() {
  counting_ = false;
  if (counter_.joinable()) counter_.join();
}

uint64_t RtpInjector::sent_total() const {
  uint64_t n = 0;
  for (size_t i = 0; i < calls_.size(); ++i) n += sent(i);
  return n;
}

uint64_t RtpInjector::received_total() const {
  uint64_t n = 0;
  for (size_t i = 0; i < calls_.size(); ++i) n += received(i);
  return n;
}

double RtpInjector::injector_cpu_s() const {
  if (sending_.load() && inject_clock_set_.load()) return thread_cpu_s(inject_clock_.load());
  return inject_cpu_final_.load();
}

double RtpInjector::counter_cpu_s() const {
  if (counting_.load() && count_clock_set_.load()) return thread_cpu_s(count_clock_.load());
  return count_cpu_final_.load();
}

void RtpInjector::inject_loop() {
  pthread_setname_np(pthread_self(), "cs-inject");
  inject_clock_ = self_cpu_clock();
  inject_clock_set_ = true;
  janus_plugin* plugin = test::FakeJanus::instance().plugin();
  const size_t n = calls_.size();
  std::vector<uint16_t> seq(n);
  std::vector<uint32_t> ts(n);
  for (size_t i = 0; i < n; ++i) {
    seq[i] = static_cast<uint16_t>(1000 + i * 7);
    ts[i] = static_cast<uint32_t>(90000 + i * 13);
  }
  timespec next{};
  clock_gettime(CLOCK_MONOTONIC, &next);
  uint64_t tick = 0;
  alignas(8) uint8_t buf[kPacket];
  while (sending_.load(std::memory_order_relaxed)) {
    const size_t slot = tick % kPeriodMs;  // each call sends once per 20 ticks of 1 ms
    for (size_t i = slot; i < n; i += kPeriodMs) {
      buf[0] = 0x80;
      buf[1] = sent_[i].load(std::memory_order_relaxed) == 0 ? 0x80 : 0x00;  // marker, PT 0
      const uint16_t s = htons(seq[i]++);
      const uint32_t t = htonl(ts[i]);
      const uint32_t ssrc = htonl(0x5a000000u + static_cast<uint32_t>(i));
      ts[i] += kTsStep;
      std::memcpy(buf + 2, &s, 2);
      std::memcpy(buf + 4, &t, 4);
      std::memcpy(buf + 8, &ssrc, 4);
      std::memset(buf + 12, 0xff, kPayload);  // PCMU silence; the plugin may rewrite in place
      janus_plugin_rtp pkt;
      janus_plugin_rtp_reset(&pkt);
      pkt.mindex = 0;
      pkt.video = FALSE;
      pkt.buffer = reinterpret_cast<char*>(buf);
      pkt.length = static_cast<uint16_t>(kPacket);
      plugin->incoming_rtp(calls_[i], &pkt);
      sent_[i].fetch_add(1, std::memory_order_relaxed);
    }
    ++tick;
    add_ns(&next, 1000000L);
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    const int64_t lag = diff_us(now, next);
    if (lag > max_lag_us_.load(std::memory_order_relaxed)) max_lag_us_.store(lag);
    if (lag < 0) clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr);
    // Late: go on without sleeping until caught up (every packet is sent, none skipped).
  }
  inject_cpu_final_ = thread_cpu_s(inject_clock_.load());
}

void RtpInjector::collect() {
  test::FakeJanus& core = test::FakeJanus::instance();
  for (size_t i = 0; i < calls_.size(); ++i) {
    uint64_t got = 0;
    for (const auto& p : core.take_rtp(calls_[i])) {
      if (!p.video && p.data.size() >= 12) ++got;
    }
    if (got != 0) received_[i].fetch_add(got, std::memory_order_relaxed);
  }
}

void RtpInjector::count_loop() {
  pthread_setname_np(pthread_self(), "cs-count");
  count_clock_ = self_cpu_clock();
  count_clock_set_ = true;
  while (counting_.load(std::memory_order_relaxed)) {
    collect();
    timespec ts{0, 100000000L};  // 100 ms
    nanosleep(&ts, nullptr);
  }
  collect();
  count_cpu_final_ = thread_cpu_s(count_clock_.load());
}

}  // namespace rtpgate::perf
