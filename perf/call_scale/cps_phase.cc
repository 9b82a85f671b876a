// Phase 1, calls per second (main thread starts the caller threads; they share the pool).
#include "cps_phase.h"

#include <pthread.h>

#include <deque>
#include <mutex>
#include <thread>

#include "call_ops.h"

namespace rtpgate::perf {
namespace {

// Why a reuse gap: a browser needs a new PeerConnection and offer before its next call, and
// the stock plugin breaks when `call` follows the `hangup` event at once on the same handle
// (its relay thread, still exiting, closes the new call's sockets and zeroes its ports: the
// INVITE goes out with m=audio 0; or sofia's nua_invite asserts `b == bend`).
struct Pool {
  std::mutex mu;
  std::deque<std::pair<janus_plugin_session*, Clock::time_point>> idle;  // LRU first

  std::pair<janus_plugin_session*, Clock::time_point> take() {
    std::lock_guard lk(mu);
    auto e = idle.front();
    idle.pop_front();
    return e;
  }
  void give_back(janus_plugin_session* h, Clock::time_point ready_at) {
    std::lock_guard lk(mu);
    idle.emplace_back(h, ready_at);
  }
};

struct Shared {
  std::mutex mu;
  CpsResult* out = nullptr;
  Pool pool;
};

struct CallerTally {
  std::vector<double> setups, hangups;
  std::vector<std::string> errors;
  int ok = 0, setup_fail = 0, hangup_fail = 0;
  double gap_wait_s = 0;
};

// One call on the least recently used handle (waiting for its reuse gap first).
void one_call(const Options& o, uint64_t offer_id, Shared* shared, CallerTally* t) {
  const std::chrono::milliseconds timeout(o.timeout_ms);
  auto [h, ready_at] = shared->pool.take();
  const auto now = Clock::now();
  if (ready_at > now) {
    t->gap_wait_s += std::chrono::duration<double>(ready_at - now).count();
    std::this_thread::sleep_until(ready_at);
  }
  CallSetup setup = place_call(h, o.uas_uri, offer_id, timeout);
  if (!setup.ok) {
    ++t->setup_fail;
    if (t->errors.size() < 5) t->errors.push_back(setup.why);
    // A timed-out call may still be in progress: end it (an answered failure left it idle).
    if (setup.timed_out) hang_up(h, std::chrono::milliseconds(2000));
  } else {
    t->setups.push_back(setup.setup_ms);
    CallEnd end_call = hang_up(h, timeout);
    if (end_call.ok) {
      t->hangups.push_back(end_call.hangup_ms);
      ++t->ok;
    } else {
      ++t->hangup_fail;
      if (t->errors.size() < 5) t->errors.push_back(end_call.why);
    }
  }
  shared->pool.give_back(h, Clock::now() + std::chrono::milliseconds(o.reuse_gap_ms));
}

void caller(const Options& o, int index, Clock::time_point end, Shared* shared) {
  pthread_setname_np(pthread_self(), "cs-caller");
  CallerTally t;
  const clockid_t my_clock = self_cpu_clock();
  const double cpu0 = thread_cpu_s(my_clock);
  for (uint64_t n = 1; Clock::now() < end; ++n) {
    one_call(o, (static_cast<uint64_t>(index) << 32) | n, shared, &t);
  }
  const double cpu = thread_cpu_s(my_clock) - cpu0;
  std::lock_guard lk(shared->mu);
  CpsResult& r = *shared->out;
  r.calls_ok += t.ok;
  r.setup_failures += t.setup_fail;
  r.hangup_failures += t.hangup_fail;
  r.setup_ms.insert(r.setup_ms.end(), t.setups.begin(), t.setups.end());
  r.hangup_ms.insert(r.hangup_ms.end(), t.hangups.begin(), t.hangups.end());
  for (auto& e : t.errors) {
    if (r.first_errors.size() < 5) r.first_errors.push_back(std::move(e));
  }
  r.gap_wait_s += t.gap_wait_s;
  r.harness_cpu_s += cpu;
}

}  // namespace

CpsResult run_cps_phase(const Options& o, const std::vector<janus_plugin_session*>& pool) {
  CpsResult r;
  Shared shared;
  shared.out = &r;
  r.callers = o.cps_callers;
  r.pool = static_cast<int>(pool.size());
  r.reuse_gap_ms = o.reuse_gap_ms;
  const auto start = Clock::now();
  for (janus_plugin_session* h : pool) shared.pool.idle.emplace_back(h, start);
  r.before = take_snapshot(o.dp_pid);
  const auto end = start + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(o.cps_seconds));
  std::vector<std::thread> threads;
  for (int i = 0; i < o.cps_callers; ++i) {
    threads.emplace_back(caller, std::cref(o), i, end, &shared);
  }
  for (auto& t : threads) t.join();
  r.after = take_snapshot(o.dp_pid);
  r.seconds = r.after.wall_s - r.before.wall_s;
  return r;
}

}  // namespace rtpgate::perf
