// RegDriver: sends register/unregister to every handle at once, then polls the fake core's
// per-handle event queues until every account has an outcome or the phase's cap passes.
// Main thread.
#include "reg_driver.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace rtpgate::perf {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  return v[i];
}

std::string user_name(const Options& o, size_t index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06zu", index + 1);
  return o.user_prefix + buf;
}

std::string registrar_host(const Options& o) {
  const auto colon = o.registrar.rfind(':');
  return colon == std::string::npos ? o.registrar : o.registrar.substr(0, colon);
}

}  // namespace

json_t* PhaseResult::to_json() const {
  json_t* fails = json_object();
  for (const auto& [what, n] : failures) json_object_set_new(fails, what.c_str(), json_integer(n));
  json_t* prog = json_array();
  for (const auto& [t, n] : progress) json_array_append_new(prog, json_pack("[f,i]", t, n));
  const double per_s = elapsed_ms > 0 ? done / (elapsed_ms / 1000.0) : 0;
  return json_pack(
      "{s:i, s:i, s:i, s:i, s:i, s:b, s:f, s:f, s:f, s:{s:f, s:f, s:f, s:f}, s:o, s:o}", "sent",
      sent, "done", done, "failed", failed, "rejected", rejected, "timed_out", timed_out,
      "stalled", stalled, "send_ms",
      send_ms, "elapsed_ms", elapsed_ms, "per_s", per_s, "latency_ms", "p50",
      percentile(latency_ms, 0.50), "p90", percentile(latency_ms, 0.90), "p99",
      percentile(latency_ms, 0.99), "max", percentile(latency_ms, 1.0), "failures", fails,
      "progress", prog);
}

int RegDriver::attach_all(std::string* error) {
  accounts_.reserve(static_cast<size_t>(o_.accounts));
  for (int i = 0; i < o_.accounts; ++i) {
    int err = 0;
    janus_plugin_session* h = core_.attach(&err);
    if (h == nullptr) {
      *error = "create_session failed for handle " + std::to_string(i) + " (error " +
               std::to_string(err) + ")";
      break;
    }
    accounts_.push_back(Account{h});
  }
  return static_cast<int>(accounts_.size());
}

json_t* RegDriver::request_body(Phase phase, size_t index) const {
  if (phase == Phase::kUnregister) return json_pack("{s:s}", "request", "unregister");
  const std::string identity = "sip:" + user_name(o_, index) + "@" + registrar_host(o_);
  const std::string proxy = "sip:" + o_.registrar;
  return json_pack("{s:s, s:s, s:s, s:s}", "request", "register", "username", identity.c_str(),
                   "secret", o_.secret.c_str(), "proxy", proxy.c_str());
}

void RegDriver::classify(Phase phase, Account& a, const test::PluginEvent& ev, double now_ms,
                         PhaseResult& r) const {
  Outcome& out = phase == Phase::kRegister ? a.reg : a.unreg;
  const char* success = phase == Phase::kRegister ? "registered" : "unregistered";
  if (const auto code = ev.error_code()) {
    out = Outcome::kFailed;
    ++r.failed;
    ++r.failures[std::to_string(*code) + " " + ev.error().value_or("")];
    return;
  }
  const std::string name = ev.result_event();
  if (name == success) {
    out = Outcome::kDone;
    a.done_ms = now_ms;
    ++r.done;
    r.latency_ms.push_back(now_ms - a.sent_ms);
  } else if (name == "registration_failed") {
    out = Outcome::kFailed;
    ++r.failed;
    const auto code = test::integer_at(ev.result(), "code").value_or(0);
    ++r.failures[std::to_string(code) + " " + test::string_at(ev.result(), "reason").value_or("")];
  }
  // "registering", "unregistering" and anything else: not an outcome.
}

std::vector<size_t> RegDriver::send_requests(Phase phase, Clock::time_point t0, PhaseResult& r) {
  std::vector<size_t> pending;
  for (size_t i = 0; i < accounts_.size(); ++i) {
    Account& a = accounts_[i];
    Outcome& out = phase == Phase::kRegister ? a.reg : a.unreg;
    if (phase == Phase::kUnregister && a.reg != Outcome::kDone) continue;
    a.sent_ms = ms_since(t0);
    const test::MessageResult m = core_.send_raw(a.handle, request_body(phase, i), nullptr);
    ++r.sent;
    if (m.type != JANUS_PLUGIN_OK_WAIT) {
      out = Outcome::kRejected;
      ++r.rejected;
      continue;
    }
    out = Outcome::kPending;
    pending.push_back(i);
  }
  r.send_ms = ms_since(t0);
  return pending;
}

// Blocks on one handle at a time, in request order (the fake core wakes the waiter on every
// push): no polling, so the benchmark takes no CPU from the plugin. An outcome is stamped when it
// is consumed, i.e. not before the outcomes of every earlier request; the phase's end (the last
// outcome) is exact to within that consumption.
void RegDriver::collect(Phase phase, const std::vector<size_t>& pending, Clock::time_point t0,
                        PhaseResult& r) {
  const double cap_ms =
      1000.0 * (phase == Phase::kRegister ? o_.register_timeout_s : o_.unregister_timeout_s);
  double next_progress_ms = 0, last_outcome_ms = 0;
  bool any_event = false;
  size_t next = 0;  // pending[0, next) have an outcome
  while (next < pending.size()) {
    const double now_ms = ms_since(t0);
    if (now_ms >= cap_ms) break;
    if (phase == Phase::kRegister && !any_event && now_ms >= 1000.0 * o_.stall_s) {
      // Both plugins answer (at least "registering") within a fraction of a second. Not for
      // unregister: the stock plugin's single request queue may still hold registers.
      std::fprintf(stderr, "[reg-scale] no event at all after %.0f s: the plugin is stuck\n",
                   now_ms / 1000.0);
      r.stalled = true;
      break;
    }
    if (now_ms >= next_progress_ms) {
      r.progress.emplace_back(now_ms / 1000.0, r.done);
      std::fprintf(stderr, "[reg-scale] %s %.1f s: %d done, %d failed, %zu pending\n",
                   phase == Phase::kRegister ? "register" : "unregister", now_ms / 1000.0, r.done,
                   r.failed, pending.size() - next);
      next_progress_ms += o_.progress_ms;
    }
    Account& a = accounts_[pending[next]];
    const auto wait = std::chrono::milliseconds(
        1 + static_cast<int64_t>(std::min(cap_ms - now_ms, 100.0)));
    auto ev = core_.wait_event(a.handle, wait);
    if (!ev) continue;
    any_event = true;
    const double t = ms_since(t0);
    classify(phase, a, *ev, t, r);
    if ((phase == Phase::kRegister ? a.reg : a.unreg) != Outcome::kPending) {
      last_outcome_ms = t;
      ++next;
    }
  }
  for (size_t k = next; k < pending.size(); ++k) {
    Account& a = accounts_[pending[k]];
    (phase == Phase::kRegister ? a.reg : a.unreg) = Outcome::kTimedOut;
  }
  r.timed_out = static_cast<int>(pending.size() - next);
  r.elapsed_ms = r.timed_out == 0 ? last_outcome_ms : std::min(cap_ms, ms_since(t0));
  r.progress.emplace_back(r.elapsed_ms / 1000.0, r.done);
}

PhaseResult RegDriver::run_phase(Phase phase) {
  PhaseResult r;
  const auto t0 = Clock::now();
  const std::vector<size_t> pending = send_requests(phase, t0, r);
  collect(phase, pending, t0, r);
  return r;
}

PhaseResult RegDriver::register_all() { return run_phase(Phase::kRegister); }
PhaseResult RegDriver::unregister_all() { return run_phase(Phase::kUnregister); }

double RegDriver::detach_all() {
  const auto t0 = Clock::now();
  for (Account& a : accounts_) core_.detach(a.handle);
  return ms_since(t0);
}

int RegDriver::registered_count() const {
  return static_cast<int>(std::count_if(accounts_.begin(), accounts_.end(),
                                        [](const Account& a) { return a.reg == Outcome::kDone; }));
}

}  // namespace rtpgate::perf
