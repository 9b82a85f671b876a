// Data-plane runtime set-up and teardown (main thread).
#include "runtime.h"

#include "exception/tap_iface.h"
#include "stats/telemetry.h"

#include <algorithm>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <unistd.h>

#include <cstring>

namespace rtpgate::dp {

// The port whose media prefix contains `a` (the first port when none does).
uint16_t port_towards(const Config& cfg, const rtpgate_shm_addr& a) {
  for (const auto& pc : cfg.ports)
    for (const auto& ma : pc.addrs)
      if (in_prefix(ma.addr, ma.prefix_len, a)) return pc.port_id;
  return cfg.ports.empty() ? 0 : cfg.ports[0].port_id;
}

Runtime::Runtime() : dp_(std::make_unique<DpContext>()) {}

Runtime::~Runtime() { shutdown(); }

bool Runtime::init_region(std::string* why) {
  const Config& c = dp_->cfg;
  shm::RegionConfig rc;
  rc.name = c.shm_name;
  rc.group = c.shm_group;
  rc.flow_capacity = c.flow_capacity;
  rc.srtp_capacity = c.srtp_capacity;
  rc.rec_capacity = c.rec_capacity;
  rc.port_min = c.port_min;
  rc.port_max = c.port_max;
  // + housekeeping + exception thread + recorder threads
  rc.n_lcore_stats = n_workers_ + 2 + (c.rec_capacity != 0 ? c.rec_threads : 0);
  rc.cmd_ring_capacity = c.cmd_ring_capacity;
  rc.cpl_ring_capacity = c.cpl_ring_capacity;
  rc.n_pkt_rings_to_ctl = n_workers_;
  rc.n_pkt_rings_to_dp = c.n_pkt_rings_to_dp;
  rc.pkt_ring_capacity = c.pkt_ring_capacity;
  rc.heartbeat_interval_ms = c.heartbeat_interval_ms;
  for (const auto& pc : c.ports)
    for (const auto& ma : pc.addrs) {
      dp_->addr_info[rc.addrs.size()] = MediaAddrInfo{pc.port_id, ma.prefix_len, pc.gateway};
      rc.addrs.push_back(ma.addr);
    }
  auto r = shm::Region::create(rc, why);
  if (!r) return false;
  dp_->region = std::move(r.value());
  return true;
}

bool Runtime::init_workers(std::string* why) {
  const uint32_t n_lcores = rte_lcore_count();
  if (n_workers_ < n_lcores)
    RTE_LOG(WARNING, USER1, "%u lcores but only %u queue(s) per port: %u lcore(s) stay idle\n", n_lcores,
            n_workers_, n_lcores - n_workers_);
  lcores_ = static_cast<LcoreCtx*>(rte_zmalloc("rtpgate_lcores", sizeof(LcoreCtx) * n_workers_, 64));
  tx_ = static_cast<TxBuffer*>(rte_zmalloc("rtpgate_tx", sizeof(TxBuffer) * RTE_MAX_ETHPORTS * n_workers_, 64));
  if (lcores_ == nullptr || tx_ == nullptr) return *why = "cannot allocate lcore contexts", false;
  uint32_t w = 0;
  unsigned lcore;
  RTE_LCORE_FOREACH(lcore) {
    if (w == n_workers_) break;
    LcoreCtx& lc = *new (&lcores_[w]) LcoreCtx();
    lc.lcore_id = lcore;
    lc.worker_idx = w;
    lc.tx = tx_ + w * RTE_MAX_ETHPORTS;
    for (uint16_t i = 0; i < dp_->n_ports; i++) {
      const uint16_t port = dp_->port_ids[i];
      lc.rxq[lc.n_rxq++] = {port, static_cast<uint16_t>(w)};
      lc.tx[port].queue = static_cast<uint16_t>(w);
    }
    lc.stats = &dp_->region.lcore_stats(w);
    lc.guard = guard_->lcore(w);
    lc.srtp = dp_->srtp.batch(w);
    lc.to_ctl = dp_->region.pkt_ring_to_ctl(w);
    for (uint32_t r = w; r < dp_->region.hdr()->n_pkt_rings_to_dp; r += n_workers_)
      lc.from_ctl[lc.n_from_ctl++] = dp_->region.pkt_ring_to_dp(r);
    args_[lcore] = WorkerArgs{dp_.get(), &lc, w == 0 ? cmds_.get() : nullptr};
    w++;
  }
  return true;
}

bool Runtime::init(const Config& cfg, std::string* why, ConfigSource src) {
  dp_->cfg = cfg;
  dp_->tsc_hz = rte_get_tsc_hz();
  dp_->tsc_base = rte_rdtsc();
  dp_->ns_base = shm::monotonic_ns();
  dp_->live.store(cfg, dp_->tsc_hz);
  dp_->rec_shed_tsc = dp_->tsc_hz / 20000;  // 50 us: the recorder drains a burst per ring meanwhile
  const size_t qsz = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);
  dp_->qsbr = static_cast<rte_rcu_qsbr*>(rte_zmalloc("rtpgate_qsbr", qsz, RTE_CACHE_LINE_SIZE));
  if (dp_->qsbr == nullptr || rte_rcu_qsbr_init(dp_->qsbr, RTE_MAX_LCORE) != 0)
    return *why = "cannot initialise QSBR", false;
  for (const auto& n : cfg.neighbours) {
    const uint16_t idx = dp_->nbrs.find_or_add(n.addr, port_towards(cfg, n.addr));
    dp_->nbrs.set_mac(idx, n.mac, shm::monotonic_ns());
    dp_->nbrs.set_static(idx);
  }
  dp_->notify_ring = rte_ring_create("rtpgate_notify", 8192, static_cast<int>(rte_socket_id()),
                                     RING_F_SP_ENQ | RING_F_SC_DEQ);
  if (dp_->notify_ring == nullptr) return *why = "cannot create the notification ring", false;
  pool_ = create_pool(cfg, why);
  if (pool_ == nullptr) return false;
  dp_->pool = pool_;
  PortPlan plan{};
  if (!setup_ports(*dp_, static_cast<uint16_t>(rte_lcore_count()), pool_, &plan, why)) return false;
  n_workers_ = std::min<uint32_t>({rte_lcore_count(), plan.n_queues, kMaxWorkers});
  if (!init_region(why)) return false;
  if (!dp_->table.init(cfg.flow_capacity, *dp_->region.hdr(), static_cast<int>(rte_socket_id()), dp_->qsbr, why))
    return false;
  if (!dp_->srtp.init(cfg.srtp_capacity, n_workers_, static_cast<int>(rte_socket_id()), why)) return false;
  if (!init_exception_path(why)) return false;
  if (!create_rec_rings(*dp_, n_workers_, why)) return false;
  for (uint32_t t = 0; t < dp_->rec.n_threads; t++)
    recorders_.push_back(
        std::make_unique<Recorder>(*dp_, t, n_workers_, &dp_->region.lcore_stats(n_workers_ + 2 + t)));
  cmds_ = std::make_unique<CommandApplier>(*dp_);
  guard_ = std::make_unique<sipguard::GuardRuntime>(*dp_, n_workers_);
  if (!guard_->init(why)) return false;
  dp_->guard = guard_.get();
  reloader_ = std::make_unique<ConfigReloader>(*dp_, std::move(src));
  reloader_->init();
  dp_->reloader = reloader_.get();
  if (!init_workers(why)) return false;
  hk_ = std::make_unique<Housekeeping>(*dp_, &dp_->region.lcore_stats(n_workers_));
  exc_ = std::make_unique<ExceptionThread>(*dp_, &dp_->region.lcore_stats(n_workers_ + 1));
  return true;
}

bool Runtime::init_exception_path(std::string* why) {
  const Config& c = dp_->cfg;
  const int sock = static_cast<int>(rte_socket_id());
  dp_->exc_ring = rte_ring_create("rtpgate_exc", c.exception_ring, sock, RING_F_SC_DEQ);
  dp_->hold_ring = rte_ring_create("rtpgate_hold", c.resolve_queue, sock, RING_F_SC_DEQ);
  dp_->kernel_tx_ring = rte_ring_create("rtpgate_ktx", 1024, sock, RING_F_SP_ENQ | RING_F_SC_DEQ);
  if (dp_->exc_ring == nullptr || dp_->hold_ring == nullptr || dp_->kernel_tx_ring == nullptr)
    return *why = "cannot create the exception-path rings", false;
  for (const uint16_t p : c.sip_ports) dp_->sip_port_bm[p / 64] |= uint64_t{1} << (p % 64);
  for (const auto& pc : c.ports) {
    if (pc.tap.empty()) continue;
    uint16_t tap = 0;
    if (!create_tap(pc, dp_->port_mac[pc.port_id], pool_, &tap, why)) return false;
    taps_.push_back(tap);
    dp_->tap_port[pc.port_id] = tap;
  }
  return true;
}

void Runtime::free_ring(rte_ring*& r) {
  if (r == nullptr) return;
  void* m;
  while (rte_ring_dequeue(r, &m) == 0) rte_pktmbuf_free(static_cast<rte_mbuf*>(m));
  rte_ring_free(r);
  r = nullptr;
}

int Runtime::run() {
  if (!hk_->start() || !exc_->start() || !guard_->start() || !reloader_->start()) {
    RTE_LOG(ERR, USER1, "cannot start the housekeeping, exception, SIP guard or reload thread\n");
    return 1;
  }
  for (auto& r : recorders_)
    if (!r->start()) {
      RTE_LOG(ERR, USER1, "cannot start a recorder thread\n");
      return 1;
    }
  __atomic_store_n(&dp_->region.hdr()->dp_state, RTPGATE_DP_RUNNING, __ATOMIC_RELEASE);
  telemetry_attach(dp_.get());  // /rtpgate/info, /rtpgate/stats, /rtpgate/flows
  rte_eal_mp_remote_launch(worker_main, args_, CALL_MAIN);
  rte_eal_mp_wait_lcore();
  for (auto& r : recorders_) r->stop();  // after the workers: their last copies are queued
  hk_->stop();
  exc_->stop();
  reloader_->stop();  // before the guard: a reload may wait for the guard's thread
  guard_->stop();
  return 0;
}

void Runtime::shutdown() {
  if (shut_) return;
  shut_ = true;
  dp_->stop.store(true);
  telemetry_attach(nullptr);
  if (hk_) hk_->stop();
  if (exc_) exc_->stop();
  exc_.reset();
  dp_->reloader = nullptr;
  reloader_.reset();
  dp_->guard = nullptr;
  guard_.reset();  // frees every rule set: no worker runs any more
  recorders_.clear();  // writes what is queued and closes every file
  free_rec_rings(*dp_, n_workers_);
  if (dp_->region.mapped()) {
    __atomic_store_n(&dp_->region.hdr()->dp_state, RTPGATE_DP_STOPPED, __ATOMIC_RELEASE);
    dp_->region.unlink();
  }
  stop_ports(*dp_);
  for (const uint16_t t : taps_) destroy_tap(t);
  taps_.clear();
  free_ring(dp_->exc_ring);
  free_ring(dp_->hold_ring);
  free_ring(dp_->kernel_tx_ring);
  hk_.reset();
  cmds_.reset();
  rte_free(lcores_);
  rte_free(tx_);
  lcores_ = nullptr;
  tx_ = nullptr;
  if (pool_ != nullptr) rte_mempool_free(pool_);
  pool_ = nullptr;
  if (dp_->notify_ring != nullptr) rte_ring_free(dp_->notify_ring);
  dp_->notify_ring = nullptr;
  dp_->table.~FlowTable();
  new (&dp_->table) FlowTable();
  dp_->srtp.~SrtpTable();  // wipes every context
  new (&dp_->srtp) srtp::SrtpTable();
  rte_free(dp_->qsbr);
  dp_->qsbr = nullptr;
}

}  // namespace rtpgate::dp
