// rtpgate-loop-bench: packets/s of one worker lcore through the real forwarding path in a
// closed loop (a single net_ring vdev loops its TX back to its RX). The main lcore runs
// the worker (Runtime::run); a control thread on another CPU programs the flows through
// the command ring, injects the frames, measures and stops. See perf/README.md.
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_ring.h>
#include <sched.h>
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "loop_flows.h"
#include "loop_frame.h"
#include "loop_inject.h"
#include "loop_pmu.h"
#include "loop_stats.h"
#include "runtime.h"

namespace rtpgate::perf {
namespace {

std::atomic<bool> g_abort{false};

void on_signal(int) { g_abort.store(true); }

struct Args {
  FlowCycle fc;
  double seconds = 5;
  double warmup_s = 1;
  uint32_t pkt_size = 214;
  uint32_t inflight = 2048;
  uint32_t burst = 32;
  bool verify = true;
  uint32_t publish_ms = 0;  // 0 = the Config default (housekeeping's flow-counter sweep)
  std::string label;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "rtpgate-loop-bench: %s\n"
               "usage: rtpgate-loop-bench EAL-ARGS --vdev=net_ring0 -- [--flows N] [--seconds S] [--warmup S]\n"
               "         [--pkt-size BYTES] [--inflight K] [--burst B] [--rewrite|--no-rewrite] [--no-verify]\n"
               "         [--publish-ms MS] [--label TEXT] [--record-pct P --rec-dir DIR]\n",
               why);
  std::exit(2);
}

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 0; i < argc; i++) {
    const std::string k = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) usage((k + " needs a value").c_str());
      return argv[++i];
    };
    if (k == "--flows") a.fc.n_flows = static_cast<uint32_t>(std::stoul(val()));
    else if (k == "--seconds") a.seconds = std::stod(val());
    else if (k == "--warmup") a.warmup_s = std::stod(val());
    else if (k == "--pkt-size") a.pkt_size = static_cast<uint32_t>(std::stoul(val()));
    else if (k == "--inflight") a.inflight = static_cast<uint32_t>(std::stoul(val()));
    else if (k == "--burst") a.burst = static_cast<uint32_t>(std::stoul(val()));
    else if (k == "--rewrite") a.fc.rewrite = true;
    else if (k == "--no-rewrite") a.fc.rewrite = false;
    else if (k == "--no-verify") a.verify = false;
    else if (k == "--publish-ms") a.publish_ms = static_cast<uint32_t>(std::stoul(val()));
    else if (k == "--label") a.label = val();
    else if (k == "--record-pct") a.fc.record_pct = static_cast<uint32_t>(std::stoul(val()));
    else if (k == "--rec-dir") a.fc.rec_dir = val();
    else usage(("unknown option " + k).c_str());
  }
  const uint32_t max_flows = RTPGATE_SHM_MAX_ADDRS * a.fc.ports_per_addr();
  if (a.fc.n_flows < 2 || a.fc.n_flows > max_flows) usage(("--flows must be 2.." + std::to_string(max_flows)).c_str());
  if (a.pkt_size < kMinFrame || a.pkt_size > 1514) usage("--pkt-size must be 54..1514");
  if (a.burst == 0 || a.burst > dp::kMaxBurst) usage("--burst must be 1..64");
  if (a.inflight == 0 || a.seconds <= 0 || a.warmup_s < 0) usage("--inflight, --seconds must be > 0");
  if (a.fc.record_pct > 100) usage("--record-pct must be 0..100");
  if (a.fc.record_pct > 0 && (a.fc.rec_dir.empty() || a.fc.rec_dir[0] != '/')) usage("--record-pct needs --rec-dir ABSOLUTE-DIR");
  return a;
}

dp::Config make_config(const Args& a, uint16_t port) {
  dp::Config c;
  c.shm_name = "/rtpgate-loopbench-" + std::to_string(getpid());
  dp::PortConfig pc;
  pc.port_id = port;
  for (uint32_t i = 0; i < a.fc.n_addrs(); i++) {
    pc.addrs.push_back(dp::MediaAddr{FlowCycle::addr(i), 16});
    dp::StaticNeighbour nb;  // every next hop is one of our own addresses on the loop
    nb.addr = FlowCycle::addr(i);
    const uint8_t mac[6] = {0x02, 0, 0, 0x99, 0, static_cast<uint8_t>(i)};
    std::memcpy(nb.mac, mac, 6);
    c.neighbours.push_back(nb);
  }
  c.ports.push_back(pc);
  c.port_min = a.fc.port_min;
  c.port_max = a.fc.port_max;
  c.flow_capacity = a.fc.n_flows;
  c.burst_pkts = a.burst;
  c.idle_mode = dp::IdleMode::Poll;
  if (a.publish_ms != 0) c.publish_interval_ms = a.publish_ms;
  c.rec_capacity = a.fc.n_flows * a.fc.record_pct / 100 + 2;
  return c;
}

// Capacity of the ring behind a net_ring port's queue 0 (net_ring names it ETH_RXTX0_<dev>).
uint32_t loop_ring_capacity(uint16_t port) {
  char name[RTE_ETH_NAME_MAX_LEN];
  if (rte_eth_dev_get_name_by_port(port, name) != 0) return 0;
  rte_ring* r = rte_ring_lookup(("ETH_RXTX0_" + std::string(name)).c_str());
  return r != nullptr ? rte_ring_get_capacity(r) : 0;
}

rte_mempool* build_frames(const Args& a, uint16_t port, rte_mbuf** pkts, std::string* why) {
  rte_mempool* pool = rte_pktmbuf_pool_create("loopbench_inject", a.inflight, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                              static_cast<int>(rte_socket_id()));
  if (pool == nullptr || rte_pktmbuf_alloc_bulk(pool, pkts, a.inflight) != 0)
    return *why = "cannot allocate " + std::to_string(a.inflight) + " injection mbufs", nullptr;
  rte_ether_addr mac{};
  rte_eth_macaddr_get(port, &mac);
  const FlowCycle& fc = a.fc;
  for (uint32_t j = 0; j < a.inflight; j++) {
    const auto f = static_cast<uint32_t>(uint64_t{j} * fc.n_flows / a.inflight);  // spread over the cycle
    const uint32_t prev = f == 0 ? fc.n_flows - 1 : f - 1;
    FrameSpec s{};
    std::memcpy(s.dst_mac, mac.addr_bytes, 6);
    const uint8_t src_mac[6] = {0x02, 0, 0, 0x99, 0xff, 0xfe};
    std::memcpy(s.src_mac, src_mac, 6);
    std::memcpy(s.src_ip, FlowCycle::addr(fc.addr_index(prev)).addr, 4);
    std::memcpy(s.dst_ip, FlowCycle::addr(fc.addr_index(f)).addr, 4);
    s.src_port = fc.port(prev);
    s.dst_port = fc.port(f);
    s.rtp_seq = static_cast<uint16_t>(j * 7);
    s.rtp_ts = j * 160;
    s.rtp_ssrc = 0x5eed0000u + j;
    s.frame_len = a.pkt_size;
    uint8_t* p = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(pkts[j], static_cast<uint16_t>(a.pkt_size)));
    if (p == nullptr) return *why = "frame larger than an mbuf", pool;
    build_rtp_frame(p, s);
  }
  return pool;
}

// Restricts the calling thread to the CPUs no lcore uses (where EAL puts its control
// threads); returns false when there are none (it then shares the worker's CPU).
bool leave_lcore_cpus(const cpu_set_t& orig) {
  cpu_set_t set = orig;
  unsigned lc;
  RTE_LCORE_FOREACH(lc) {
    const rte_cpuset_t cs = rte_lcore_cpuset(lc);
    for (int c = 0; c < CPU_SETSIZE; c++)
      if (CPU_ISSET(c, &cs)) CPU_CLR(c, &set);
  }
  if (CPU_COUNT(&set) == 0) return false;
  return pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0;
}

void sleep_s(double s) {
  const uint64_t end = shm::monotonic_ns() + static_cast<uint64_t>(s * 1e9);
  while (!g_abort.load() && shm::monotonic_ns() < end) usleep(10000);
}

// Control thread: program, inject, warm up, measure, stop.
void control_main(dp::Runtime& rt, const Args& a, Injector& inj, const cpu_set_t& orig, RunReport* rep) {
  rep->ctl_cpu_shared = !leave_lcore_cpus(orig);
  ProgramResult pr;
  const bool ok = program_flows(rt.dp().cfg.shm_name, a.fc, g_abort, 10000, &pr);
  rep->installed = pr.installed;
  rep->install_failed = pr.failed;
  rep->install_s = pr.seconds;
  rep->rec_started = pr.rec_started;
  rep->rec_failed = pr.rec_failed;
  if (!ok || pr.failed != 0) {
    rep->error = !ok ? pr.why : "flow install failed: " + std::string(to_string(pr.first_error));
  } else {
    inj.arm();
    const uint64_t deadline = shm::monotonic_ns() + 5000000000ull;
    while (!inj.done() && !g_abort.load() && shm::monotonic_ns() < deadline) usleep(1000);
    inj.detach();
    if (!inj.done()) {
      rep->error = "the worker did not take the injected frames";
    } else {
      sleep_s(a.warmup_s);
      const auto& st = rt.dp().region.lcore_stats(0);
      CoreCounters pmu;
      const bool have_pmu = pmu.open(getpid());  // the main thread runs the worker lcore
      if (have_pmu) pmu.start();
      const auto& rst = rt.dp().region.lcore_stats(rt.n_workers() + 2);  // the recorder thread
      rep->t0 = snapshot(st);
      rep->rec_t0 = snapshot(rst);
      // Windows of 0.5 s besides the whole interval: the median is robust against other
      // processes briefly taking the worker's CPU (shared machines).
      Snapshot prev = rep->t0;
      const uint32_t n_win = std::max(1u, static_cast<uint32_t>(a.seconds / 0.5 + 0.5));
      for (uint32_t w = 0; w < n_win && !g_abort.load(); w++) {
        sleep_s(a.seconds / n_win);
        const Snapshot cur = snapshot(st);
        rep->window_mpps.push_back(double(cur.ctr[RTPGATE_CTR_tx_pkts] - prev.ctr[RTPGATE_CTR_tx_pkts]) *
                                   double(rt.dp().tsc_hz) / double(cur.tsc - prev.tsc) / 1e6);
        prev = cur;
      }
      rep->t1 = prev;
      rep->rec_t1 = snapshot(rst);
      rep->pmu_ok = have_pmu && pmu.stop(&rep->core_cycles, &rep->instructions);
      if (g_abort.load()) rep->error = "interrupted";
    }
  }
  rt.request_stop();
}

// After the lcores stopped (main lcore): takes every frame back out of the loop.
void drain_and_verify(uint16_t port, bool check, RunReport* rep) {
  rte_mbuf* b[32];
  uint16_t n;
  while ((n = rte_eth_rx_burst(port, 0, b, 32)) != 0) {
    for (uint16_t i = 0; i < n; i++) {
      rep->recovered++;
      if (check) {
        const FrameVerdict v = check_rtp_frame(rte_pktmbuf_mtod(b[i], const uint8_t*), b[i]->data_len);
        rep->bad_frames[static_cast<int>(v)]++;
      }
    }
    rte_pktmbuf_free_bulk(b, n);
  }
}

int run(int argc, char** argv) {
  cpu_set_t orig;
  CPU_ZERO(&orig);
  sched_getaffinity(0, sizeof(orig), &orig);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  const int consumed = rte_eal_init(argc, argv);
  if (consumed < 0) {
    std::fprintf(stderr, "rtpgate-loop-bench: EAL init failed: %s\n", rte_strerror(rte_errno));
    return 1;
  }
  Args a = parse_args(argc - consumed - 1 > 0 ? argc - consumed - 1 : 0, argv + consumed + 1);
  uint16_t port = RTE_MAX_ETHPORTS;
  RTE_ETH_FOREACH_DEV(port) break;
  if (port == RTE_MAX_ETHPORTS) usage("no ethdev port: pass --vdev=net_ring0");
  if (rte_lcore_count() != 1) std::fprintf(stderr, "note: %u lcores; the benchmark is meant for one (-l N)\n",
                                           rte_lcore_count());
  RunReport rep;
  rep.args_flows = a.fc.n_flows;
  const uint32_t ring_cap = loop_ring_capacity(port);
  rep.inflight_requested = a.inflight;
  if (ring_cap != 0 && a.inflight > ring_cap) a.inflight = ring_cap;  // more would overflow the loop
  rep.inflight = a.inflight;
  rep.ring_capacity = ring_cap;
  int rc = 1;
  {
    dp::Runtime rt;
    std::string why;
    const uint64_t heap0 = heap_alloc_bytes();
    dp::Config cfg = make_config(a, port);
    const bool started = dp::validate_config(cfg, &why) && rt.init(cfg, &why);
    if (started) rep.lookup_bytes = rt.dp().table.map_bytes();
    if (!started) {
      std::fprintf(stderr, "rtpgate-loop-bench: %s\n", why.c_str());
      return 1;
    }
    rep.dp_heap_bytes = heap_alloc_bytes() - heap0;
    rep.region_bytes = rt.dp().region.size();
    rep.tsc_hz = rt.dp().tsc_hz;
    rep.publish_ms = cfg.publish_interval_ms;
    std::vector<rte_mbuf*> pkts(a.inflight);
    rte_mempool* pool = build_frames(a, port, pkts.data(), &why);
    Injector inj(pkts.data(), a.inflight);
    if (pool == nullptr || !why.empty() || !inj.attach(port, 0)) {
      std::fprintf(stderr, "rtpgate-loop-bench: %s\n", why.empty() ? "cannot add the RX callback" : why.c_str());
      return 1;
    }
    std::thread ctl(control_main, std::ref(rt), std::cref(a), std::ref(inj), std::cref(orig), &rep);
    rt.run();
    ctl.join();
    inj.release();
    drain_and_verify(port, a.verify, &rep);
    rep.mbufs_lost = a.inflight - rte_mempool_avail_count(pool);
    rep.total = snapshot(rt.dp().region.lcore_stats(0));
    rep.rec_total = snapshot(rt.dp().region.lcore_stats(rt.n_workers() + 2));
    rt.shutdown();
    rte_mempool_free(pool);
    rc = print_report(a.label, a.fc, a.seconds, a.warmup_s, a.pkt_size, a.burst, rep) ? 0 : 3;
  }
  rte_eal_cleanup();
  return rc;
}

}  // namespace
}  // namespace rtpgate::perf

int main(int argc, char** argv) { return rtpgate::perf::run(argc, argv); }
