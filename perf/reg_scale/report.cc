// Report and Watchdog of rtpgate-reg-scale (main thread; the watchdog on its own thread).
#include "report.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace rtpgate::perf {

Report::Report() : root_(json_pack("{s:s}", "bench", "rtpgate-reg-scale")) {}

Report::~Report() { json_decref(root_); }

void Report::set(const char* key, json_t* value) {
  std::lock_guard lock(mu_);
  json_object_set_new(root_, key, value);  // takes ownership of value
}

void Report::set_in(const char* object, const char* key, json_t* value) {
  std::lock_guard lock(mu_);
  json_t* obj = json_object_get(root_, object);
  if (!json_is_object(obj)) {
    obj = json_object();
    json_object_set_new(root_, object, obj);  // root_ owns it
  }
  json_object_set_new(obj, key, value);  // takes ownership of value
}

void Report::set_phase(const char* phase) { set("phase", json_string(phase)); }

void Report::emit() {
  std::lock_guard lock(mu_);
  if (emitted_) return;
  emitted_ = true;
  char* text = json_dumps(root_, JSON_COMPACT | JSON_PRESERVE_ORDER);
  if (text != nullptr) {
    std::printf("%s\n", text);
    std::free(text);
  }
  std::fflush(stdout);
}

Watchdog::Watchdog(Report& report, std::chrono::steady_clock::time_point deadline)
    : report_(report), deadline_(deadline), thread_([this] { run(); }) {}

Watchdog::~Watchdog() {
  cancel();
  if (thread_.joinable()) thread_.join();
}

void Watchdog::extend(std::chrono::steady_clock::time_point deadline) {
  std::lock_guard lock(mu_);
  deadline_ = deadline;
  cv_.notify_all();
}

void Watchdog::cancel() {
  std::lock_guard lock(mu_);
  cancelled_ = true;
  cv_.notify_all();
}

void Watchdog::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (cancelled_) return;
    const auto deadline = deadline_;
    if (cv_.wait_until(lock, deadline, [&] { return cancelled_ || deadline_ != deadline; })) {
      continue;
    }
    break;
  }
  lock.unlock();
  std::fprintf(stderr, "rtpgate-reg-scale: watchdog: the run did not finish in time\n");
  report_.set("aborted", json_true());
  report_.emit();
  std::fflush(stderr);
  _exit(3);
}

}  // namespace rtpgate::perf
