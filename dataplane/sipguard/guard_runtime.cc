// SIP guard runtime (see guard_runtime.h): start-up load, reload thread, QSBR retirement.
#include "sipguard/guard_runtime.h"

#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_rcu_qsbr.h>
#include <time.h>

#include "sipguard/guard_publish.h"
#include "sipguard/rule_parser.h"

namespace rtpgate::dp::sipguard {
namespace {

constexpr long kPollNs = 10 * 1000 * 1000;  // loader thread: requests and grace periods

}  // namespace

GuardRuntime::GuardRuntime(DpContext& dp, uint32_t n_workers) : dp_(dp), n_workers_(n_workers) {
  auto& block = dp_.region.guard();
  for (uint32_t w = 0; w < n_workers; w++)
    lcores_.push_back(std::make_unique<GuardLcore>(
        w, dp_.cfg.sip_guard_sources, w < RTPGATE_GUARD_MAX_WORKERS ? &block.lcore[w] : nullptr));
}

GuardRuntime::~GuardRuntime() {
  stop();
  // The workers are gone: nothing can hold a rule set any more.
  delete dp_.sip_guard.exchange(nullptr, std::memory_order_acq_rel);
  for (const Retired& r : retired_) delete r.db;
}

bool GuardRuntime::init(std::string* why) {
  init_guard_block(&dp_.region.guard(), dp_.cfg.sip_guard, n_workers_, dp_.cfg.sip_guard_sources);
  if (!dp_.cfg.sip_guard) return true;
  const ReloadResult r = load(false);
  if (r.errc == Errc::Ok) return true;
  *why = "sip_guard_rules = " + dp_.cfg.sip_guard_rules + ": " + dp_.region.guard().last_error;
  return false;
}

ReloadResult GuardRuntime::load(bool is_reload) noexcept {
  auto* block = &dp_.region.guard();
  const std::string& path = dp_.cfg.sip_guard_rules;
  RuleError err;
  if (!dp_.cfg.sip_guard) {
    err.message = "sip_guard = off: there is no rule set to reload";
    publish_failure(block, Errc::Unsupported, err, is_reload);
    return ReloadResult{Errc::Unsupported, 0};
  }
  std::unique_ptr<GuardDb> db;
  try {
    RuleSet rs;
    if (load_rules(path, &rs, &err)) db = GuardDb::compile(rs, n_workers_, &err);
  } catch (const std::exception& e) {
    err = RuleError{0, std::string("cannot compile the rule set: ") + e.what()};
  }
  if (db == nullptr) {
    publish_failure(block, Errc::BadRuleFile, err, is_reload);
    RTE_LOG(WARNING, USER1, "SIP guard: %s refused: %s%s\n", path.c_str(), err.text().c_str(),
            is_reload ? " (the rules in force stay)" : "");
    return ReloadResult{Errc::BadRuleFile, err.line};
  }
  db->set_generation(++generation_);
  publish_ruleset(block, *db, path, is_reload);
  RTE_LOG(INFO, USER1, "SIP guard: %u rules from %s (rule set %lu)\n", db->n_rules(), path.c_str(),
          static_cast<unsigned long>(generation_));
  const GuardDb* old = dp_.sip_guard.exchange(db.release(), std::memory_order_acq_rel);
  if (old != nullptr) {
    try {
      retired_.push_back(Retired{rte_rcu_qsbr_start(dp_.qsbr), old});
    } catch (...) {
      // Cannot queue it: keep it for ever rather than free it under a worker.
      RTE_LOG(ERR, USER1, "SIP guard: out of memory retiring a rule set (leaked)\n");
    }
  }
  return ReloadResult{Errc::Ok, 0};
}

ReloadResult GuardRuntime::reload() noexcept { return load(true); }

uint32_t GuardRuntime::reclaim() noexcept {
  uint32_t n = 0;
  while (!retired_.empty() && rte_rcu_qsbr_check(dp_.qsbr, retired_.front().token, false) == 1) {
    delete retired_.front().db;
    retired_.erase(retired_.begin());
    n++;
  }
  return n;
}

bool GuardRuntime::service() noexcept {
  bool did = reclaim() != 0;
  if (const uint64_t want = tickets_.wanted(); want != 0) {
    tickets_.finish(want, reload());
    did = true;
  }
  return did;
}

void* GuardRuntime::thread_main(void* self) {
  auto* g = static_cast<GuardRuntime*>(self);
  while (!g->dp_.stop.load(std::memory_order_relaxed)) {
    g->service();
    timespec ts{0, kPollNs};
    nanosleep(&ts, nullptr);
  }
  return nullptr;
}

bool GuardRuntime::start() {
  running_ = rte_ctrl_thread_create(&tid_, "rtpgate-guard", nullptr, &GuardRuntime::thread_main, this) == 0;
  return running_;
}

void GuardRuntime::stop() {
  if (!running_) return;
  pthread_join(tid_, nullptr);
  running_ = false;
}

}  // namespace rtpgate::dp::sipguard
