// The SIP guard inside the data plane: owns the rule set in force (published to workers
// through DpContext::sip_guard) and each worker's guard state, and reloads the rule file
// on request (SIGHUP, RTPGATE_CMD_GUARD_RELOAD) on its own control thread: parse and
// compile there, publish the rule table, swap the pointer, and free the old set once a
// QSBR grace period shows no worker can still hold it. A refused file changes nothing but
// the status. Start-up and the loader thread write; workers only read.
#pragma once
#include <pthread.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "lcore/dp_context.h"
#include "sipguard/guard_screen.h"
#include "util/reload_tickets.h"

namespace rtpgate::dp::sipguard {

using dp::ReloadResult;  // line: the rule-file line of a refusal

class GuardRuntime {
 public:
  GuardRuntime(DpContext& dp, uint32_t n_workers);
  ~GuardRuntime();
  GuardRuntime(const GuardRuntime&) = delete;
  GuardRuntime& operator=(const GuardRuntime&) = delete;

  // Start-up (main thread, before the workers): initialises the guard block and, with
  // sip_guard = on, loads the rule file. False with *why naming the setting and the line.
  bool init(std::string* why);
  GuardLcore* lcore(uint32_t worker) noexcept { return worker < lcores_.size() ? lcores_[worker].get() : nullptr; }

  // Any thread, async-signal-safe (one atomic add): asks for a reload; returns its ticket.
  uint64_t request_reload() noexcept { return tickets_.request(); }
  // True once a reload that started after `ticket` was requested finished; *r its result.
  bool reload_done(uint64_t ticket, ReloadResult* r) const noexcept { return tickets_.done(ticket, r); }

  // Loader work: performs a requested reload and frees retired rule sets whose grace period
  // ended. Returns true when it did either. The thread calls it; tests may call it instead.
  bool service() noexcept;
  // Loads the rule file now (loader thread, tests).
  ReloadResult reload() noexcept;
  size_t retired() const noexcept { return retired_.size(); }  // sets waiting for a grace period

  bool start();  // the loader thread
  void stop();

 private:
  struct Retired {
    uint64_t token;
    const GuardDb* db;
  };
  ReloadResult load(bool is_reload) noexcept;
  uint32_t reclaim() noexcept;
  static void* thread_main(void* self);

  DpContext& dp_;
  const uint32_t n_workers_;
  std::vector<std::unique_ptr<GuardLcore>> lcores_;
  std::vector<Retired> retired_;  // loader thread only
  uint64_t generation_ = 0;
  ReloadTickets tickets_;
  pthread_t tid_{};
  bool running_ = false;
};

}  // namespace rtpgate::dp::sipguard
