// The worker lcore loop (one per lcore): bounded command work, RX bursts, TX flushing,
// QSBR quiescent states and the adaptive idle mode.
#include <algorithm>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>

#include "flow/command_apply.h"
#include "exception/exc_worker.h"
#include "lcore/ctl_tx.h"
#include "lcore/worker.h"
#include "rtcp/pli_inject.h"

namespace rtpgate::dp {
namespace {

constexpr uint32_t kIdleItersBeforeSleep = 256;
constexpr uint32_t kMinSleepUs = 8;
constexpr uint64_t kPublishEveryIdleIters = 1u << 14;

// The idle settings in force, re-read whenever a reload stored new ones (one relaxed
// load per loop otherwise).
struct IdlePolicy {
  uint64_t gen = ~uint64_t{0};
  uint64_t drain_tsc = 0;
  uint32_t sleep_max_us = 0;
  bool adaptive = true;
  void refresh(const DpContext& dp) noexcept {
    const uint64_t g = dp.live.gen.load(std::memory_order_acquire);
    if (g == gen) [[likely]] return;
    gen = g;
    drain_tsc = dp.tsc_hz * dp.live.drain_us.load(std::memory_order_relaxed) / 1000000u;
    sleep_max_us = dp.live.idle_sleep_max_us.load(std::memory_order_relaxed);
    adaptive = dp.live.idle_mode.load(std::memory_order_relaxed) == 0;
  }
};

// PLIs control asked for (RTPGATE_CMD_PLI), sent from the command lcore; returns how many.
uint32_t run_pli_requests(DpContext& dp, LcoreCtx& lc, CommandApplier& cmds, uint64_t now) noexcept {
  PliRequest req[16];
  const uint32_t n = cmds.take_pli(req, 16);
  if (n == 0) return 0;
  SrtpOutBurst ob;
  for (uint32_t i = 0; i < n; i++) {
    const FlowAction* a = dp.table.action(req[i].flow_id);
    if (a == nullptr) continue;  // removed meanwhile
    inject_pli(dp, lc, *a, dp.table.dyn(a->flow_id), req[i].sender_ssrc, req[i].force, now, &ob);
  }
  flush_srtp_out(dp, lc, ob);
  flush_all(lc, dp);
  return n;
}

}  // namespace

// Frames the last flushes turned around (our own media address as next hop), processed as
// a received burst; returns how many.
uint32_t process_hairpin(DpContext& dp, LcoreCtx& lc, uint64_t now) noexcept {
  if (lc.port_mac == nullptr && dp.hairpin.load(std::memory_order_relaxed)) [[unlikely]] lc.port_mac = dp.port_mac;
  const uint16_t n = lc.n_hairpin;
  if (n == 0) return 0;
  rte_mbuf* pkts[kMaxBurst];
  std::copy_n(lc.hairpin, n, pkts);
  lc.n_hairpin = 0;
  process_burst(dp, lc, pkts, n, now);
  return n;
}

int worker_main(void* arg) {
  auto* all = static_cast<WorkerArgs*>(arg);
  WorkerArgs& w = all[rte_lcore_id()];
  if (w.dp == nullptr) return 0;  // not a worker
  DpContext& dp = *w.dp;
  LcoreCtx& lc = *w.lc;
  const Config& cfg = dp.cfg;
  const uint32_t lcore = rte_lcore_id();
  if (lc.n_rxq == 0 && lc.n_from_ctl == 0 && w.cmds == nullptr) {
    RTE_LOG(WARNING, USER1, "lcore %u has no RX queue and no commands: idle\n", lcore);
    return 0;
  }
  rte_rcu_qsbr_thread_register(dp.qsbr, lcore);
  rte_rcu_qsbr_thread_online(dp.qsbr, lcore);
  const uint16_t burst = static_cast<uint16_t>(cfg.burst_pkts);
  IdlePolicy idle;
  uint32_t idle_iters = 0, sleep_us = kMinSleepUs;
  uint64_t loops = 0;
  rte_mbuf* pkts[kMaxBurst];
  lc.stats->lcore_id = lcore;
  lc.stats->role = 1;
  while (!dp.stop.load(std::memory_order_relaxed)) {
    idle.refresh(dp);
    const uint64_t now = rte_rdtsc();
    uint32_t work = 0;
    if (w.cmds != nullptr) {
      work += w.cmds->poll(now, cfg.max_cmds_per_poll, lc.ctr);
      work += run_pli_requests(dp, lc, *w.cmds, now);
    }
    uint32_t rx = 0;
    for (uint32_t q = 0; q < lc.n_rxq; q++) {
      const uint16_t nb = rte_eth_rx_burst(lc.rxq[q].port, lc.rxq[q].queue, pkts, burst);
      if (nb == 0) continue;
      process_burst(dp, lc, pkts, nb, now);
      rx += nb;
      if (nb < burst) flush_all(lc, dp);
    }
    rx += process_hairpin(dp, lc, now);
    if (w.cmds != nullptr && dp.kernel_tx_ring != nullptr) work += drain_kernel_tx(dp, lc, burst);
    if (lc.n_from_ctl != 0) {
      const uint32_t sent = drain_ctl_rings(dp, lc, burst, now);
      work += sent;
      if (sent != 0 && sent < burst) flush_all(lc, dp);
    }
    if (now - lc.last_flush_tsc > idle.drain_tsc) {
      flush_all(lc, dp);
      lc.last_flush_tsc = now;
    }
    loops++;
    if (rx != 0) {
      lc.ctr[RTPGATE_CTR_rx_bursts]++;
      lc.stats->busy_tsc += rte_rdtsc() - now;
      lc.stats->loops = loops;
      publish_lcore_stats(lc);
      idle_iters = 0;
      sleep_us = kMinSleepUs;
    } else {
      lc.ctr[RTPGATE_CTR_idle_polls]++;
      if (work != 0 || (loops % kPublishEveryIdleIters) == 0) {
        lc.stats->loops = loops;
        publish_lcore_stats(lc);
      }
    }
    rec_flush(dp, lc);  // no copy stays staged past a quiescent state (REC_STOP waits for one)
    rte_rcu_qsbr_quiescent(dp.qsbr, lcore);
    if (idle.adaptive && rx == 0 && work == 0 && ++idle_iters > kIdleItersBeforeSleep) {
      // Nothing to do for a while: give the core away (l3fwd-power style), growing the
      // nap up to idle_sleep_max_us; offline so reclamation does not wait for us.
      flush_all(lc, dp);
      rte_rcu_qsbr_thread_offline(dp.qsbr, lcore);
      rte_delay_us_sleep(sleep_us);
      rte_rcu_qsbr_thread_online(dp.qsbr, lcore);
      lc.ctr[RTPGATE_CTR_idle_sleeps]++;
      if (sleep_us < idle.sleep_max_us) sleep_us = std::min(sleep_us * 2, idle.sleep_max_us);
      lc.stats->loops = loops;
      publish_lcore_stats(lc);
    }
  }
  flush_all(lc, dp);
  publish_lcore_stats(lc);
  rte_rcu_qsbr_thread_offline(dp.qsbr, lcore);
  rte_rcu_qsbr_thread_unregister(dp.qsbr, lcore);
  return 0;
}

}  // namespace rtpgate::dp
