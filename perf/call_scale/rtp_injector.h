// The browser side of K calls' media: one thread injects G.711 20 ms RTP (12 + 160 bytes,
// 50 packets/s per call, calls spread over the 20 ms period) through the plugin's
// incoming_rtp, as Janus's ICE loop would after SRTP unprotect; another counts what the
// plugin relays back (relay_rtp, recorded by the fake core) per call.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "fake_janus.h"

namespace rtpgate::perf {

class RtpInjector {
 public:
  explicit RtpInjector(std::vector<janus_plugin_session*> calls);
  ~RtpInjector();
  RtpInjector(const RtpInjector&) = delete;
  RtpInjector& operator=(const RtpInjector&) = delete;

  void start();             // both threads
  void stop_sending();      // injector thread ends
  void stop_counting();     // counter thread ends after a last collection

  uint64_t sent_total() const;
  uint64_t received_total() const;
  uint64_t sent(size_t call) const { return sent_[call].load(std::memory_order_relaxed); }
  uint64_t received(size_t call) const { return received_[call].load(std::memory_order_relaxed); }
  size_t calls() const { return calls_.size(); }

  // CPU seconds of the two threads so far (readable from any thread while they run).
  double injector_cpu_s() const;
  double counter_cpu_s() const;
  double max_lag_ms() const { return max_lag_us_.load() / 1000.0; }

 private:
  void inject_loop();
  void count_loop();
  void collect();

  std::vector<janus_plugin_session*> calls_;
  std::unique_ptr<std::atomic<uint64_t>[]> sent_, received_;
  std::atomic<bool> sending_{false}, counting_{false};
  std::atomic<int64_t> max_lag_us_{0};
  std::atomic<clockid_t> inject_clock_{0}, count_clock_{0};
  std::atomic<bool> inject_clock_set_{false}, count_clock_set_{false};
  std::atomic<double> inject_cpu_final_{0}, count_cpu_final_{0};
  std::thread injector_, counter_;
};

}  // namespace rtpgate::perf
