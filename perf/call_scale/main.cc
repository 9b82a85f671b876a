// rtpgate-call-scale: the browser leg of issue 4 — calls per second and CPU per call with
// media, for one SIP plugin (ours or Janus 1.1.2's stock libjanus_sip.so) loaded in the
// fake Janus core. run.sh runs it once per plugin and compares. Main thread.
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "call_ops.h"
#include "cps_phase.h"
#include "fake_janus.h"
#include "flows_probe.h"
#include "jcfg_writer.h"
#include "media_phase.h"
#include "options.h"
#include "report.h"

extern "C" int janus_log_level;  // tests/plugin/harness/janus_exports.cc

namespace rtpgate::perf {
namespace {

using test::FakeJanus;

void raise_nofile() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  rl.rlim_cur = std::max<rlim_t>(rl.rlim_cur, std::min<rlim_t>(rl.rlim_max, 65536));
  setrlimit(RLIMIT_NOFILE, &rl);
}

bool write_config(const Options& o, const std::string& dir, std::string* why) {
  test::JcfgWriter cfg;
  cfg.set_string("general", "local_ip", o.local_ip)
      .set_string("general", "sdp_ip", o.sdp_ip)
      .set_int("general", "keepalive_interval", 0)
      .set_bool("general", "behind_nat", false)
      .set_int("general", "register_ttl", 3600)
      .set_string("general", "rtp_port_range", o.rtp_port_range)
      .set_bool("general", "events", false)
      .set_string("general", "user_agent", "rtpgate-call-scale")
      .set_int("general", "sip_timer_t1x64", 32000);
  if (o.flavor == "stock") cfg.set_string("general", "local_media_ip", o.local_ip);
  if (!o.shm.empty()) cfg.set_string("general", "rtpgate_shm", o.shm);
  return cfg.write(dir + "/janus.plugin.sip.jcfg", why);
}

// Attaches n handles and registers each as a guest (requests pipelined, then awaited).
bool register_handles(const Options& o, int n, std::vector<janus_plugin_session*>* out,
                      double* seconds, std::string* why) {
  static int next_user = 0;  // every handle gets its own account name
  FakeJanus& core = FakeJanus::instance();
  const auto t0 = Clock::now();
  for (int i = 0; i < n; ++i) {
    int err = 0;
    janus_plugin_session* h = core.attach(&err);
    if (h == nullptr) return *why = "create_session error " + std::to_string(err), false;
    out->push_back(h);
    if (!send_guest_register(h, "sip:cs" + std::to_string(next_user++) + "@" + o.local_ip, why)) return false;
  }
  for (janus_plugin_session* h : *out) {
    if (!wait_registered(h, std::chrono::milliseconds(2 * o.timeout_ms), why)) return false;
  }
  *seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return true;
}

json_t* load_average() {
  double la[3] = {0, 0, 0};
  if (getloadavg(la, 3) != 3) return json_null();
  return json_pack("[f,f,f]", la[0], la[1], la[2]);
}

// plugin->destroy() with a watchdog: a plugin that does not stop in 60 s ends the process.
void shut_down() {
  std::thread([] {
    std::this_thread::sleep_for(std::chrono::seconds(60));
    std::fprintf(stderr, "[call-scale] plugin destroy() did not return in 60 s\n");
    std::fflush(stderr);
    _exit(3);
  }).detach();
  FakeJanus::instance().shutdown();
}

// Registers n new handles (out["last_register_seconds"] = how long it took). Exit 4 when the
// plugin does not answer: run.sh loads it again (seen when our plugin's SIP loop never ran).
std::vector<janus_plugin_session*> register_or_exit(const Options& o, int n, json_t* out) {
  std::vector<janus_plugin_session*> handles;
  double seconds = 0;
  std::string why;
  std::fprintf(stderr, "[call-scale] %s: registering %d guest handles\n", o.flavor.c_str(), n);
  if (!register_handles(o, n, &handles, &seconds, &why)) {
    std::fprintf(stderr, "[call-scale] %s (after %zu handles)\n", why.c_str(), handles.size());
    std::fflush(stderr);
    _exit(4);
  }
  json_object_set_new(out, "last_register_seconds", json_real(seconds));
  return handles;
}

// Idle baseline with the registered handles and no call.
json_t* measure_idle(const Options& o, int handles) {
  const Snapshot a = take_snapshot(o.dp_pid);
  std::this_thread::sleep_for(std::chrono::duration<double>(o.idle_seconds));
  return idle_json(a, take_snapshot(o.dp_pid), handles);
}

// destroy_session for every handle (the core detaching them), then the reuse gap: the stock
// plugin's per-session threads wind down.
void detach_all(const std::vector<janus_plugin_session*>& handles) {
  for (janus_plugin_session* h : handles) FakeJanus::instance().detach(h);
  std::this_thread::sleep_for(std::chrono::seconds(2));
}

int run(const Options& o) {
  raise_nofile();
  if (const char* lvl = std::getenv("JANUS_LOG_LEVEL")) janus_log_level = std::atoi(lvl);
  test::TempDir cfg_dir;
  std::string why;
  if (!write_config(o, cfg_dir.path(), &why)) {
    std::fprintf(stderr, "[call-scale] config: %s\n", why.c_str());
    return 1;
  }
  test::LoadOptions lo;
  lo.plugin_path = o.plugin;
  lo.config_dir = cfg_dir.path();
  lo.janus_core_binary = o.janus_core;
  lo.events_enabled = false;  // no event handler: notify_event is never used
  if (!FakeJanus::instance().load(lo, &why)) {
    std::fprintf(stderr, "[call-scale] load %s: %s\n", o.plugin.c_str(), why.c_str());
    return 1;
  }
  // Threads the plugin starts from now on inherit their creator's name; ours are all "cs-*".
  pthread_setname_np(pthread_self(), "cs-main");
  json_t* out = json_object();
  json_object_set_new(out, "bench", json_string("rtpgate-call-scale"));
  json_object_set_new(out, "flavor", json_string(o.flavor.c_str()));
  json_object_set_new(out, "plugin", json_string(o.plugin.c_str()));
  json_object_set_new(out, "note", json_string(o.note.c_str()));
  json_object_set_new(out, "load_avg_start", load_average());

  // Each phase registers its own handles and ends them afterwards, so that the idle baseline
  // and the figures of a phase are taken with exactly its handles registered.
  if (o.cps_callers > 0) {
    std::vector<janus_plugin_session*> pool = register_or_exit(o, o.cps_pool, out);
    json_t* idle = measure_idle(o, o.cps_pool);
    std::fprintf(stderr, "[call-scale] calls/s: %d callers on %d handles for %.0f s\n", o.cps_callers,
                 o.cps_pool, o.cps_seconds);
    json_t* cps = cps_json(run_cps_phase(o, pool));
    if (!o.flows_cmd.empty()) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      json_object_set_new(cps, "flows_after_hangup", json_integer(wait_flows_released(o.flows_cmd, 5000)));
    }
    json_object_set_new(cps, "idle", idle);
    json_object_set(cps, "register_seconds", json_object_get(out, "last_register_seconds"));
    json_object_set_new(out, "cps", cps);
    detach_all(pool);
  }
  json_t* media = json_array();
  for (int k : o.media_calls) {
    std::vector<janus_plugin_session*> handles = register_or_exit(o, k, out);
    json_t* idle = measure_idle(o, k);
    json_t* m = media_json(run_media_phase(o, handles, k));
    json_object_set_new(m, "idle", idle);
    json_object_set(m, "register_seconds", json_object_get(out, "last_register_seconds"));
    json_array_append_new(media, m);
    detach_all(handles);
  }
  json_object_del(out, "last_register_seconds");
  json_object_set_new(out, "media", media);
  json_object_set_new(out, "load_avg_end", load_average());

  char* text = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(9));
  std::printf("%s\n", text);
  std::fflush(stdout);
  free(text);
  json_decref(out);
  shut_down();
  return 0;
}

}  // namespace
}  // namespace rtpgate::perf

int main(int argc, char** argv) {
  rtpgate::perf::Options o;
  if (!rtpgate::perf::parse_options(argc, argv, &o)) return 2;
  return rtpgate::perf::run(o);
}
