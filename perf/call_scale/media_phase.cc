// Phase 2, CPU per call with media (main thread; worker threads set up and end calls).
#include "media_phase.h"

#include <pthread.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>

#include "call_ops.h"
#include "flows_probe.h"
#include "rtp_injector.h"

namespace rtpgate::perf {
namespace {

void sleep_s(double s) { std::this_thread::sleep_for(std::chrono::duration<double>(s)); }

// Runs fn(i) for i in [0, n) on `workers` threads.
template <typename Fn>
void parallel_for(int n, int workers, Fn fn) {
  std::atomic<int> next{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < std::min(workers, n); ++w) {
    threads.emplace_back([&] {
      pthread_setname_np(pthread_self(), "cs-setup");
      for (int i = next++; i < n; i = next++) fn(i);
    });
  }
  for (auto& t : threads) t.join();
}

void set_up_calls(const Options& o, const std::vector<janus_plugin_session*>& handles, int k,
                  MediaResult* r, std::vector<char>* up) {
  std::mutex mu;
  const auto t0 = Clock::now();
  parallel_for(k, o.setup_workers, [&](int i) {
    const uint64_t offer_id = 0x100000000ULL * static_cast<uint64_t>(k) + static_cast<uint64_t>(i);
    CallSetup s = place_call(handles[i], o.uas_uri, offer_id, std::chrono::milliseconds(o.timeout_ms));
    if (s.timed_out) hang_up(handles[i], std::chrono::milliseconds(2000));
    std::lock_guard lk(mu);
    (*up)[i] = s.ok ? 1 : 0;
    if (s.ok) {
      r->setup_ms.push_back(s.setup_ms);
    } else if (r->first_errors.size() < 5) {
      r->first_errors.push_back(s.why);
    }
  });
  r->setup_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
}

void account_media(const RtpInjector& inj, MediaResult* r) {
  r->sent = inj.sent_total();
  r->received = inj.received_total();
  for (size_t i = 0; i < inj.calls(); ++i) {
    const uint64_t s = inj.sent(i), g = inj.received(i);
    if (g == 0) ++r->calls_silent;
    const double loss = s == 0 ? 0 : 1.0 - static_cast<double>(g) / static_cast<double>(s);
    if (loss > 0.01) ++r->calls_lossy;
    if (loss > r->worst_call_loss) r->worst_call_loss = loss;
  }
  r->max_inject_lag_ms = inj.max_lag_ms();
}

}  // namespace

MediaResult run_media_phase(const Options& o, const std::vector<janus_plugin_session*>& handles,
                            int k) {
  MediaResult r;
  r.calls_wanted = k;
  k = std::min<int>(k, static_cast<int>(handles.size()));
  r.idle = take_snapshot(o.dp_pid);
  std::vector<char> up(static_cast<size_t>(k), 0);
  std::fprintf(stderr, "[call-scale] media K=%d: setting up calls\n", k);
  set_up_calls(o, handles, k, &r, &up);
  std::vector<janus_plugin_session*> live;
  for (int i = 0; i < k; ++i) {
    if (up[i] != 0) live.push_back(handles[i]);
  }
  r.calls_up = static_cast<int>(live.size());
  std::fprintf(stderr, "[call-scale] media K=%d: %d up in %.1f s; media for %.0f+%.0f s\n", k,
               r.calls_up, r.setup_seconds, o.warmup_seconds, o.media_seconds);

  if (!live.empty()) {
    RtpInjector inj(live);
    const clockid_t main_clock = self_cpu_clock();
    inj.start();
    sleep_s(o.warmup_seconds);
    r.start = take_snapshot(o.dp_pid);
    const double inj0 = inj.injector_cpu_s(), cnt0 = inj.counter_cpu_s();
    const double main0 = thread_cpu_s(main_clock);
    const uint64_t sent0 = inj.sent_total(), recv0 = inj.received_total();
    sleep_s(o.media_seconds);
    r.end = take_snapshot(o.dp_pid);
    r.injector_cpu_s = inj.injector_cpu_s() - inj0;
    r.counter_cpu_s = inj.counter_cpu_s() - cnt0;
    r.main_cpu_s = thread_cpu_s(main_clock) - main0;
    r.window_sent = inj.sent_total() - sent0;
    r.window_received = inj.received_total() - recv0;
    r.window_s = r.end.wall_s - r.start.wall_s;
    inj.stop_sending();
    sleep_s(1.0);  // the echo of the last packets
    inj.stop_counting();
    account_media(inj, &r);
  }

  std::fprintf(stderr, "[call-scale] media K=%d: hanging up\n", k);
  std::mutex mu;
  parallel_for(static_cast<int>(live.size()), o.setup_workers, [&](int i) {
    CallEnd e = hang_up(live[i], std::chrono::milliseconds(o.timeout_ms));
    if (e.ok) return;
    std::lock_guard lk(mu);
    ++r.hangup_failures;
    if (r.first_errors.size() < 5) r.first_errors.push_back(e.why);
  });
  for (janus_plugin_session* h : live) test::FakeJanus::instance().take_rtp(h);  // late echoes
  if (!o.flows_cmd.empty()) r.flows_after = wait_flows_released(o.flows_cmd, 5000);
  sleep_s(1.0);  // the stock plugin's relay threads wind down
  return r;
}

}  // namespace rtpgate::perf
