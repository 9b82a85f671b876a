// The data plane's runtime after EAL init: region, flow table, ports, worker contexts,
// housekeeping; launching and stopping the lcores. Used by main.cc and the benchmarks.
#pragma once
#include <memory>
#include <vector>
#include <string>

#include "config/reloader.h"
#include "flow/command_apply.h"
#include "exception/exception_thread.h"
#include "housekeeping/housekeeping.h"
#include "lcore/worker.h"
#include "port/port_setup.h"
#include "record/recorder.h"
#include "sipguard/guard_runtime.h"

namespace rtpgate::dp {

class Runtime {
 public:
  Runtime();
  ~Runtime();
  // `src`: where cfg came from, for reloads (none: reloads keep the settings).
  bool init(const Config& cfg, std::string* why, ConfigSource src = {});
  // Runs every worker (the main lcore included) until request_stop(); returns 0 on success.
  int run();
  void request_stop() noexcept { dp_->stop.store(true); }
  // SIGHUP: reload the configuration and the SIP guard's rule file (async-signal-safe).
  void request_reload() noexcept {
    if (reloader_) reloader_->request_reload();
  }
  void shutdown();
  DpContext& dp() noexcept { return *dp_; }
  uint32_t n_workers() const noexcept { return n_workers_; }
  // Tests and benchmarks that drive process_burst() themselves (without run()).
  LcoreCtx& lcore(uint32_t worker) noexcept { return lcores_[worker]; }
  CommandApplier& commands() noexcept { return *cmds_; }
  // Recorder threads (tests drive poll() without starting them).
  Recorder& recorder(uint32_t i) noexcept { return *recorders_[i]; }
  // The SIP guard (tests drive service() without starting its thread).
  sipguard::GuardRuntime& guard() noexcept { return *guard_; }
  // Housekeeping (tests drive its publishing without starting its thread).
  Housekeeping& housekeeping() noexcept { return *hk_; }
  // Configuration reloads (tests drive service() without starting its thread).
  ConfigReloader& reloader() noexcept { return *reloader_; }

 private:
  bool init_region(std::string* why);
  bool init_workers(std::string* why);  // after n_workers_ is known
  bool init_exception_path(std::string* why);
  void free_ring(rte_ring*& r);

  std::unique_ptr<DpContext> dp_;
  std::unique_ptr<CommandApplier> cmds_;
  std::unique_ptr<Housekeeping> hk_;
  std::unique_ptr<ExceptionThread> exc_;
  std::unique_ptr<sipguard::GuardRuntime> guard_;
  std::unique_ptr<ConfigReloader> reloader_;
  std::vector<std::unique_ptr<Recorder>> recorders_;
  rte_mempool* pool_ = nullptr;
  LcoreCtx* lcores_ = nullptr;           // per worker
  TxBuffer* tx_ = nullptr;               // per worker x RTE_MAX_ETHPORTS
  WorkerArgs args_[RTE_MAX_LCORE]{};
  uint32_t n_workers_ = 0;
  std::vector<uint16_t> taps_;
  bool shut_ = false;
};

}  // namespace rtpgate::dp
