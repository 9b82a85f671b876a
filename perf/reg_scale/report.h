// The run's one-line JSON report, filled phase by phase, and the watchdog that prints what
// there is and exits if a phase hangs. Main thread fills it; the watchdog thread may emit it.
#pragma once
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include <jansson.h>

namespace rtpgate::perf {

class Report {
 public:
  Report();
  ~Report();
  Report(const Report&) = delete;
  Report& operator=(const Report&) = delete;

  void set(const char* key, json_t* value);  // steals value
  // report[object][key] = value (the object is created on first use); steals value.
  void set_in(const char* object, const char* key, json_t* value);
  void set_phase(const char* phase);         // what the run is doing now ("phase")
  // Prints {"bench":"rtpgate-reg-scale",…} as one line on stdout, once.
  void emit();

 private:
  std::mutex mu_;
  json_t* root_;
  bool emitted_ = false;
};

// Exits the process with status 3 after printing `report` with "aborted": <phase> if the
// deadline passes before cancel(). Plugin threads that hang (a destroy() that never returns)
// cannot be interrupted otherwise.
class Watchdog {
 public:
  Watchdog(Report& report, std::chrono::steady_clock::time_point deadline);
  ~Watchdog();
  void extend(std::chrono::steady_clock::time_point deadline);
  void cancel();

 private:
  void run();
  Report& report_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::chrono::steady_clock::time_point deadline_;
  bool cancelled_ = false;
  std::thread thread_;
};

}  // namespace rtpgate::perf
