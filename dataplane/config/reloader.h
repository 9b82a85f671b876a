// Configuration reloads (SIGHUP, RTPGATE_CMD_CONFIG_RELOAD) on their own control thread:
// re-read the file and the --set overrides, refuse the whole reload when it is invalid or
// changes a key that needs a restart (naming the key and its line), otherwise store the
// new run-time settings (LiveSettings) and then reload the SIP guard's rule file (when the
// guard is on). The outcome goes to the region's configuration block. Flows, SRTP contexts
// and recordings are untouched: calls keep running.
#pragma once
#include <pthread.h>

#include <string>
#include <vector>

#include "lcore/dp_context.h"
#include "util/reload_tickets.h"

namespace rtpgate::dp {

// Where the configuration in force came from (main.cc's --config and --set).
struct ConfigSource {
  std::string path;                    // "" = none (benchmarks, tests): the settings never change
  std::vector<std::string> overrides;  // --set key=value, applied after the file
};

class ConfigReloader {
 public:
  ConfigReloader(DpContext& dp, ConfigSource src);
  ~ConfigReloader();
  ConfigReloader(const ConfigReloader&) = delete;
  ConfigReloader& operator=(const ConfigReloader&) = delete;

  // Start-up (main thread): publishes the block for the configuration in force.
  void init() noexcept;
  // Any thread, async-signal-safe: asks for a reload; returns its ticket.
  uint64_t request_reload() noexcept { return tickets_.request(); }
  bool reload_done(uint64_t ticket, ReloadResult* r) const noexcept { return tickets_.done(ticket, r); }

  // Performs a requested reload; true when it did. The thread calls it; tests may instead.
  bool service() noexcept;
  // Reloads now: the configuration, then the SIP guard's rules (waits for its thread).
  ReloadResult reload() noexcept;

  bool start();
  void stop();

 private:
  ReloadResult reload_config() noexcept;
  ReloadResult reload_guard() noexcept;
  void publish(const ReloadResult& r, const std::string& error, const std::string& changed, uint32_t n_changed);
  static void* thread_main(void* self);

  DpContext& dp_;
  const ConfigSource src_;
  Config running_;  // the configuration in force (reload thread only)
  ReloadTickets tickets_;
  pthread_t tid_{};
  bool running_thread_ = false;
};

}  // namespace rtpgate::dp
