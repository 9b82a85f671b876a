// Configuration reloads (see reloader.h).
#include "config/reloader.h"

#include <rte_lcore.h>
#include <rte_log.h>
#include <time.h>

#include <cstdio>

#include "config/config_diff.h"
#include "rtpgate/shm/seqlock.h"
#include "sipguard/guard_runtime.h"

namespace rtpgate::dp {
namespace {

constexpr long kPollNs = 20 * 1000 * 1000;  // reload thread: look for requests
constexpr long kGuardWaitNs = 5 * 1000 * 1000;

void nap(long ns) {
  timespec ts{0, ns};
  nanosleep(&ts, nullptr);
}

// "FILE: line 12: ..." -> 12 (0 when the text names no line); the search starts after FILE.
uint32_t line_of(const std::string& text, size_t from) {
  unsigned n = 0;
  const auto at = text.find("line ", from);
  return at != std::string::npos && std::sscanf(text.c_str() + at + 5, "%u", &n) == 1 ? n : 0;
}

void copy_text(char* dst, size_t cap, const std::string& s) { std::snprintf(dst, cap, "%s", s.c_str()); }

}  // namespace

ConfigReloader::ConfigReloader(DpContext& dp, ConfigSource src) : dp_(dp), src_(std::move(src)) {}

ConfigReloader::~ConfigReloader() { stop(); }

void ConfigReloader::init() noexcept {
  running_ = dp_.cfg;
  rtpgate_shm_config_block& b = dp_.region.config();
  shm::seq_write_begin(&b.seq);
  b.block_version = RTPGATE_CONFIG_BLOCK_VERSION;
  b.block_size = sizeof b;
  b.config_gen = 1;
  b.loaded_ns = shm::realtime_ns();
  b.live = dp_.live.snapshot();
  copy_text(b.path, sizeof b.path, src_.path);
  shm::seq_write_end(&b.seq);
}

void ConfigReloader::publish(const ReloadResult& r, const std::string& error, const std::string& changed,
                             uint32_t n_changed) {
  rtpgate_shm_config_block& b = dp_.region.config();
  shm::seq_write_begin(&b.seq);
  b.reloads++;
  b.last_attempt_ns = shm::realtime_ns();
  b.last_errc = static_cast<uint32_t>(r.errc);
  b.last_error_line = r.line;
  copy_text(b.last_error, sizeof b.last_error, error);
  if (r.errc != Errc::Ok) {
    b.reload_failures++;
  } else if (n_changed != 0) {
    b.config_gen++;
    b.loaded_ns = b.last_attempt_ns;
    b.n_changed = n_changed;
    copy_text(b.last_changed, sizeof b.last_changed, changed);
  }
  b.live = dp_.live.snapshot();
  shm::seq_write_end(&b.seq);
}

ReloadResult ConfigReloader::reload_config() noexcept {
  auto refuse = [&](Errc e, const std::string& why) {
    const ReloadResult r{e, line_of(why, src_.path.size())};
    publish(r, why, "", 0);
    RTE_LOG(WARNING, USER1, "configuration reload refused: %s (the settings in force stay)\n", why.c_str());
    return r;
  };
  if (src_.path.empty()) {  // tests and benchmarks: no file, the settings stay
    publish(ReloadResult{}, "", "", 0);
    return ReloadResult{};
  }
  Config next;
  std::string why;
  if (!read_config(src_.path, src_.overrides, &next, &why)) return refuse(Errc::BadConfig, why);
  const auto changes = diff_config(running_, next);
  std::string restart, applied;
  for (const auto& k : changes) {
    std::string& list = k.runtime ? applied : restart;
    list += (list.empty() ? "" : "; ") + format_change(k);
  }
  if (!restart.empty()) return refuse(Errc::BadConfig, src_.path + ": " + restart + ": needs a restart");
  if (!changes.empty()) {
    dp_.live.store(next, dp_.tsc_hz);
    __atomic_store_n(&dp_.region.hdr()->heartbeat_interval_ms, next.heartbeat_interval_ms, __ATOMIC_RELEASE);
    running_ = std::move(next);
    RTE_LOG(NOTICE, USER1, "configuration reloaded from %s: %s\n", src_.path.c_str(), applied.c_str());
  }
  const ReloadResult ok{};
  publish(ok, "", applied, static_cast<uint32_t>(changes.size()));
  return ok;
}

ReloadResult ConfigReloader::reload_guard() noexcept {
  ReloadResult r;
  if (dp_.guard == nullptr || !dp_.cfg.sip_guard) return r;
  const uint64_t t = dp_.guard->request_reload();
  while (!dp_.guard->reload_done(t, &r)) {
    if (dp_.stop.load(std::memory_order_relaxed)) return ReloadResult{Errc::Timeout, 0};
    nap(kGuardWaitNs);
  }
  return r;
}

ReloadResult ConfigReloader::reload() noexcept {
  const ReloadResult r = reload_config();
  return r.errc != Errc::Ok ? r : reload_guard();
}

bool ConfigReloader::service() noexcept {
  const uint64_t want = tickets_.wanted();
  if (want == 0) return false;
  tickets_.finish(want, reload());
  return true;
}

void* ConfigReloader::thread_main(void* self) {
  auto* c = static_cast<ConfigReloader*>(self);
  while (!c->dp_.stop.load(std::memory_order_relaxed)) {
    c->service();
    nap(kPollNs);
  }
  return nullptr;
}

bool ConfigReloader::start() {
  running_thread_ =
      rte_ctrl_thread_create(&tid_, "rtpgate-reload", nullptr, &ConfigReloader::thread_main, this) == 0;
  return running_thread_;
}

void ConfigReloader::stop() {
  if (!running_thread_) return;
  pthread_join(tid_, nullptr);
  running_thread_ = false;
}

}  // namespace rtpgate::dp
