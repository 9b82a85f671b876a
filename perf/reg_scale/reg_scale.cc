// rtpgate-reg-scale: loads a SIP plugin (ours or Janus's stock libjanus_sip.so) through the fake
// Janus core, registers N accounts with digest auth against a sipp registrar, unregisters and
// detaches them, and prints one JSON line: time, registrations/s, threads, fds, memory.
// Main thread (plus a watchdog thread); see perf/README.md "Registration scale".
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <cstdio>
#include <string>
#include <vector>
#include <thread>

#include "fake_janus.h"
#include "jcfg_writer.h"
#include "options.h"
#include "proc_sample.h"
#include "reg_driver.h"
#include "report.h"

extern "C" int janus_log_level;  // tests/plugin/harness/janus_exports.cc

namespace rtpgate::perf {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

const Clock::time_point g_start = Clock::now();

double seconds_since_start() {
  return std::chrono::duration<double>(Clock::now() - g_start).count();
}

Clock::time_point after(double seconds) {
  return Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

test::JcfgWriter plugin_config(const Options& o) {
  test::JcfgWriter cfg;
  cfg.set_string("general", "local_ip", o.local_ip)
      .set_int("general", "keepalive_interval", 0)
      .set_bool("general", "behind_nat", false)
      .set_int("general", "register_ttl", 3600)
      .set_string("general", "rtp_port_range", "20000-40000")
      .set_bool("general", "events", false);
  // Registration needs no data plane: the region does not exist, the plugin runs without it.
  if (o.flavor == "rtpgate") {
    cfg.set_string("general", "rtpgate_shm", "/rtpgate-reg-scale-none-" + std::to_string(getpid()));
  }
  return cfg;
}

// Descriptors that count as "not given back": everything opened since `before` except the
// /dev/urandom Sofia-SIP opens once per process and keeps (su_uniqueid.c).
int64_t fds_not_back(const std::vector<std::string>& before, const std::vector<std::string>& after) {
  std::vector<std::string> diff;
  std::set_difference(after.begin(), after.end(), before.begin(), before.end(),
                      std::back_inserter(diff));
  return std::count_if(diff.begin(), diff.end(),
                       [](const std::string& t) { return t != "/dev/urandom"; });
}

// Waits until threads and descriptors are back to `base` (or `settle_s` passes); returns the
// seconds it took.
double settle(const ProcSample& base, const std::vector<std::string>& base_fds, double settle_s) {
  const auto t0 = Clock::now();
  const auto deadline = after(settle_s);
  while (Clock::now() < deadline) {
    if (sample_proc(0).threads <= base.threads && fds_not_back(base_fds, fd_targets()) == 0) break;
    std::this_thread::sleep_for(100ms);
  }
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double ratio(int64_t delta, int n) { return n > 0 ? static_cast<double>(delta) / n : 0; }

json_t* per_account(const ProcSample& loaded, const ProcSample& attached,
                    const ProcSample& registered, int attached_n, int registered_n) {
  return json_pack(
      "{s:f, s:f, s:f, s:f, s:f, s:f}",
      "rss_kb", ratio(registered.rss_kb - loaded.rss_kb, registered_n),
      "rss_kb_session", ratio(attached.rss_kb - loaded.rss_kb, attached_n),
      "rss_kb_registration", ratio(registered.rss_kb - attached.rss_kb, registered_n),
      "vm_size_kb", ratio(registered.vm_size_kb - loaded.vm_size_kb, registered_n),
      "fds", ratio(registered.fds - loaded.fds, registered_n),
      "threads", ratio(registered.threads - loaded.threads, registered_n));
}

json_t* cleanup_json(const ProcSample& loaded, const ProcSample& detached, int64_t not_back,
                     double settle_s) {
  return json_pack("{s:b, s:b, s:I, s:I, s:I, s:f}", "fds_back", not_back == 0,
                   "threads_back", detached.threads <= loaded.threads, "fds_left",
                   static_cast<json_int_t>(detached.fds - loaded.fds), "threads_left",
                   static_cast<json_int_t>(detached.threads - loaded.threads), "rss_kb_retained",
                   static_cast<json_int_t>(detached.rss_kb - loaded.rss_kb), "settle_s",
                   settle_s);
}

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

ProcSample record(Report& report, const char* name) {
  const ProcSample s = sample_proc(seconds_since_start());
  report.set_in("proc", name, to_json(s));
  return s;
}

// Writes the configuration and loads the plugin through the fake core; false + "error" in the
// report on failure. Both plugins read their configuration in init() only: the folder goes
// away on return, so a run ended by the watchdog leaves nothing behind.
bool load_plugin(const Options& o, Report& report) {
  const test::TempDir config_dir;
  std::string error;
  if (!plugin_config(o).write(config_dir.path() + "/janus.plugin.sip.jcfg", &error)) {
    report.set("error", json_string(error.c_str()));
    return false;
  }
  test::LoadOptions load;
  load.plugin_path = o.plugin_path;
  load.config_dir = config_dir.path();
  load.janus_core_binary = o.janus_core;
  load.events_enabled = false;  // no event handlers: neither plugin builds notify_event JSON
  if (!test::FakeJanus::instance().load(load, &error)) {
    report.set("error", json_string(("load: " + error).c_str()));
    return false;
  }
  return true;
}

// Detach every handle, wait for threads and descriptors to go back, report what stayed.
void detach_and_settle(const Options& o, RegDriver& driver, const ProcSample& loaded,
                       const std::vector<std::string>& loaded_fds, Report& report) {
  report.set_phase("detach");
  report.set("detach_ms", json_real(driver.detach_all()));
  const double settle_s = settle(loaded, loaded_fds, o.settle_s);
  const ProcSample detached = record(report, "detached");
  const std::vector<std::string> detached_fds = fd_targets();
  json_t* cleanup =
      cleanup_json(loaded, detached, fds_not_back(loaded_fds, detached_fds), settle_s);
  json_object_set_new(cleanup, "fds_left_kinds", fds_opened(loaded_fds, detached_fds, 20));
  report.set("cleanup", cleanup);
}

int run(const Options& o) {
  Report report;
  report.set("label", json_string(o.label.c_str()));
  report.set("flavor", json_string(o.flavor.c_str()));
  report.set("plugin", json_string(o.plugin_path.c_str()));
  report.set("accounts", json_integer(o.accounts));
  report.set("registrar", json_string(o.registrar.c_str()));
  report.set("rlimit_nofile", json_integer(nofile_limit()));
  report.set("timeout_s", json_real(o.register_timeout_s));
  record(report, "start");
  // Generous: attach and detach of 10k handles take well under a minute each.
  Watchdog watchdog(report,
                    after(o.register_timeout_s + o.unregister_timeout_s + o.settle_s + 180));

  report.set_phase("load");
  if (!load_plugin(o, report)) {
    report.emit();
    return 2;
  }
  const ProcSample loaded = record(report, "loaded");
  const std::vector<std::string> loaded_fds = fd_targets();

  report.set_phase("attach");
  test::FakeJanus& core = test::FakeJanus::instance();
  RegDriver driver(core, o);
  const auto t_attach = Clock::now();
  std::string error;
  const int attached_n = driver.attach_all(&error);
  report.set("attach_ms", json_real(ms_since(t_attach)));
  report.set("attached", json_integer(attached_n));
  if (!error.empty()) report.set("attach_error", json_string(error.c_str()));
  const ProcSample attached = record(report, "attached");

  report.set_phase("register");
  const PhaseResult reg = driver.register_all();
  report.set("register", reg.to_json());
  const ProcSample registered = record(report, "registered");
  report.set("per_account", per_account(loaded, attached, registered, attached_n, reg.done));

  report.set_phase("unregister");
  report.set("unregister", driver.unregister_all().to_json());
  record(report, "unregistered");

  detach_and_settle(o, driver, loaded, loaded_fds, report);
  const int bad = reg.failed + reg.rejected + reg.timed_out + (o.accounts - attached_n);
  const bool ok = bad * 100 <= o.accounts;  // failure rate <= 1%
  report.set("ok", json_boolean(ok));
  report.set("failure_rate", json_real(static_cast<double>(bad) / o.accounts));

  if (!o.skip_destroy) {
    report.set_phase("destroy");
    watchdog.extend(after(o.destroy_timeout_s));
    const auto t_destroy = Clock::now();
    core.shutdown();
    report.set("destroy_ms", json_real(ms_since(t_destroy)));
    record(report, "destroyed");
  }
  report.set_phase("done");
  watchdog.cancel();
  report.emit();
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace rtpgate::perf

int main(int argc, char** argv) {
  rtpgate::perf::Options o;
  if (!rtpgate::perf::parse_options(argc, argv, &o)) return 2;
  janus_log_level = o.log_level;
  const int rc = rtpgate::perf::run(o);
  std::fflush(stdout);
  std::fflush(stderr);
  // Plugin threads (the stock plugin's per-account threads in particular) may still be
  // unwinding: skip static destructors and library teardown.
  _exit(rc);
}
