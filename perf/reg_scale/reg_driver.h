// Drives N plugin handles through register / unregister via the fake Janus core and collects
// each account's outcome and latency. Main thread (events arrive on the plugin's threads and
// are polled from the fake core's queues).
#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <jansson.h>

#include "fake_janus.h"
#include "options.h"

namespace rtpgate::perf {

enum class Outcome : uint8_t { kNone, kPending, kDone, kFailed, kRejected, kTimedOut };

struct Account {
  janus_plugin_session* handle = nullptr;
  Outcome reg = Outcome::kNone;
  Outcome unreg = Outcome::kNone;
  double sent_ms = 0;  // since the phase started
  double done_ms = 0;
};

struct PhaseResult {
  int sent = 0;       // handle_message calls
  int done = 0;       // success events (registered / unregistered)
  int failed = 0;     // registration_failed or an error event
  int rejected = 0;   // handle_message did not answer OK_WAIT
  int timed_out = 0;  // no outcome before the cap
  bool stalled = false;  // not a single event from the plugin within --stall-s: phase abandoned
  double send_ms = 0;     // time spent in handle_message for all requests
  double elapsed_ms = 0;  // first request to last outcome (or to the cap)
  std::vector<double> latency_ms;                 // per success, request to event
  std::map<std::string, int> failures;            // "code reason" -> count
  std::vector<std::pair<double, int>> progress;   // (seconds, successes so far)

  json_t* to_json() const;  // new reference
};

class RegDriver {
 public:
  RegDriver(test::FakeJanus& core, const Options& o) : core_(core), o_(o) {}

  // create_session for N handles; returns how many were attached.
  int attach_all(std::string* error);
  PhaseResult register_all();
  PhaseResult unregister_all();
  // destroy_session for every attached handle; returns the time it took (ms).
  double detach_all();
  int registered_count() const;

 private:
  enum class Phase { kRegister, kUnregister };
  using Clock = std::chrono::steady_clock;
  PhaseResult run_phase(Phase phase);
  // handle_message for every account concerned; returns the indices answered OK_WAIT.
  std::vector<size_t> send_requests(Phase phase, Clock::time_point t0, PhaseResult& r);
  // Waits for each pending account's outcome until the phase's cap.
  void collect(Phase phase, const std::vector<size_t>& pending, Clock::time_point t0,
               PhaseResult& r);
  json_t* request_body(Phase phase, size_t index) const;
  void classify(Phase phase, Account& a, const test::PluginEvent& ev, double now_ms,
                PhaseResult& r) const;

  test::FakeJanus& core_;
  const Options& o_;
  std::vector<Account> accounts_;
};

}  // namespace rtpgate::perf
