// rtpgate-sipguard-bench: SIP datagrams screened per second on one core with a rule set
// (default: the shipped conf/sipguard.rules), per message kind and for a mix, bursts of 32,
// 1,024 source addresses:
//  1. screen: GuardLcore::screen_burst alone (tokenizer, structural checks, Hyperscan,
//     token buckets, counters), no EAL;
//  2. path: the worker's exception path for SIP (process_burst: parse, flow lookup miss,
//     SIP hold, screening, hand-off to the exception ring), guard on vs off (the same
//     process with the rule-set pointer cleared, as sip_guard = off). EAL --no-huge with a
//     net_null port; skipped when the EAL cannot start (not root). Each iteration also
//     allocates and fills the mbufs and drains the exception ring: the same cost in both.
// Each cell is measured --rounds times (default 3) and the fastest round is kept: the VM
// this was written on is shared and noisy.
// Usage: rtpgate-sipguard-bench [--rules FILE] [--seconds S-per-cell] [--rounds N] [--no-path]
#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "../../tests/dataplane/frame_builder.h"
#include "../../tests/sipguard/sip_messages.h"
#include "runtime.h"
#include "sipguard/guard_screen.h"
#include "sipguard/rule_parser.h"

namespace {

namespace dp = rtpgate::dp;
namespace sg = rtpgate::dp::sipguard;
namespace msg = rtpgate::dp::sipguard::test;
using Clock = std::chrono::steady_clock;

constexpr uint32_t kBurst = 32;
constexpr uint32_t kSources = 1024;
constexpr uint8_t kLocal[4] = {10, 96, 0, 1};

struct Kind {
  const char* name;
  std::vector<std::string> msgs;  // cycled through
};

std::vector<Kind> kinds() {
  std::vector<Kind> k = {
      {"INVITE with SDP", {msg::invite()}},
      {"REGISTER", {msg::register_msg()}},
      {"OPTIONS ping", {msg::options()}},
      {"200 OK", {msg::ok_response()}},
      {"svmap OPTIONS (drop)", {msg::svmap_options()}},
      {"svwar REGISTER (drop)", {msg::svwar_register()}},
  };
  Kind mix{"mix of the above", {}};
  for (const Kind& x : k) mix.msgs.push_back(x.msgs[0]);
  k.push_back(mix);
  return k;
}

sg::SourceKey source(uint32_t i) {
  sg::SourceKey s;
  s.family = 4;
  s.addr[0] = 10;
  s.addr[1] = 200;
  s.addr[2] = uint8_t(i >> 8);
  s.addr[3] = uint8_t(i);
  return s;
}

struct Cell {
  double ns_per_dgram = 0;
  uint64_t n = 0, pass = 0, drop = 0, limited = 0;
};

// The fastest of `rounds` runs of f().
template <typename F>
Cell best_of(int rounds, F&& f) {
  Cell best = f();
  for (int i = 1; i < rounds; i++) {
    const Cell c = f();
    if (c.ns_per_dgram < best.ns_per_dgram) best = c;
  }
  return best;
}

// 1. The screening alone.
Cell screen_cell(const sg::GuardDb& db, const Kind& k, double seconds) {
  std::vector<sg::SipDatagram> d;
  for (uint32_t i = 0; i < kSources; i++) {
    const std::string& m = k.msgs[i % k.msgs.size()];
    d.push_back(sg::SipDatagram{reinterpret_cast<const uint8_t*>(m.data()), static_cast<uint32_t>(m.size()),
                                source(i)});
  }
  sg::GuardLcore gl(0, 16384, nullptr);
  sg::Verdict v[kBurst];
  Cell c;
  const auto t0 = Clock::now();
  const auto end = t0 + std::chrono::duration<double>(seconds);
  uint32_t pos = 0;
  auto now = t0;
  for (uint64_t it = 0; now < end; it++) {
    const uint64_t ns = static_cast<uint64_t>((now - t0).count());
    gl.screen_burst(db, d.data() + pos, kBurst, v, ns, 1000000000u);
    for (const auto x : v) (x == sg::Verdict::Pass ? c.pass : x == sg::Verdict::Drop ? c.drop : c.limited)++;
    c.n += kBurst;
    pos = (pos + kBurst) % kSources;
    if ((it & 63) == 0) now = Clock::now();
  }
  c.ns_per_dgram = std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / double(c.n);
  return c;
}

// 2. The worker's exception path, in one Runtime on a net_null port.
class PathBench {
 public:
  bool init(const std::string& rules, std::string* why) {
    if (rte_vdev_init("net_null_sgbench0", nullptr) != 0) return *why = "no net_null vdev", false;
    uint16_t port = 0;
    if (rte_eth_dev_get_port_by_name("net_null_sgbench0", &port) != 0) return *why = "vdev has no port", false;
    dp::Config c;
    c.shm_name = "/rtpgate-sgbench-" + std::to_string(getpid());
    dp::PortConfig pc;
    pc.port_id = port;
    rtpgate_shm_addr a{};
    a.family = 4;
    std::memcpy(a.addr, kLocal, 4);
    pc.addrs.push_back(dp::MediaAddr{a, 16});
    c.ports.push_back(pc);
    c.flow_capacity = 64;
    c.srtp_capacity = 0;
    c.rec_capacity = 0;
    c.mbufs = 4095;
    c.idle_mode = dp::IdleMode::Poll;
    c.exception_rate_pps = 100000000;
    c.exception_burst = 100000000;
    c.sip_guard = true;
    c.sip_guard_rules = rules;
    if (!dp::validate_config(c, why) || !rt_.init(c, why)) return false;
    rt_.dp().tap_port[port] = 0;  // a kernel path: passed datagrams go to the exception ring
    pool_ = rte_pktmbuf_pool_create("sgbench_in", 4095, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
    return pool_ != nullptr || (*why = "no mbuf pool", false);
  }
  ~PathBench() {
    rt_.shutdown();
    if (pool_ != nullptr) rte_mempool_free(pool_);
  }

  Cell run(const Kind& k, bool guard_on, double seconds) {
    dp::DpContext& d = rt_.dp();
    dp::LcoreCtx& lc = rt_.lcore(0);
    const std::vector<std::vector<uint8_t>> frames = build(k);
    const sg::GuardDb* db = d.sip_guard.load();
    if (!guard_on) d.sip_guard.store(nullptr);
    const uint64_t sip0 = lc.ctr[RTPGATE_CTR_exc_sip], drop0 = lc.ctr[RTPGATE_CTR_drop_sip_guard],
                   rl0 = lc.ctr[RTPGATE_CTR_drop_sip_ratelimit];
    rte_mbuf* m[kBurst];
    void* out[kBurst];
    Cell c;
    uint32_t pos = 0;
    const uint64_t hz = rte_get_tsc_hz(), t0 = rte_rdtsc(), end = t0 + uint64_t(seconds * double(hz));
    for (uint64_t now = t0; now < end; now = rte_rdtsc()) {
      if (rte_pktmbuf_alloc_bulk(pool_, m, kBurst) != 0) break;
      for (uint32_t i = 0; i < kBurst; i++) {
        const auto& f = frames[(pos + i) % frames.size()];
        std::memcpy(rte_pktmbuf_append(m[i], static_cast<uint16_t>(f.size())), f.data(), f.size());
      }
      pos = (pos + kBurst) % kSources;
      dp::process_burst(d, lc, m, kBurst, now);
      unsigned n;
      while ((n = rte_ring_dequeue_burst(d.exc_ring, out, kBurst, nullptr)) != 0)
        rte_pktmbuf_free_bulk(reinterpret_cast<rte_mbuf**>(out), n);
      c.n += kBurst;
    }
    c.ns_per_dgram = double(rte_rdtsc() - t0) * 1e9 / double(hz) / double(c.n);
    d.sip_guard.store(db);
    c.pass = lc.ctr[RTPGATE_CTR_exc_sip] - sip0;
    c.drop = lc.ctr[RTPGATE_CTR_drop_sip_guard] - drop0;
    c.limited = lc.ctr[RTPGATE_CTR_drop_sip_ratelimit] - rl0;
    return c;
  }

 private:
  static std::vector<std::vector<uint8_t>> build(const Kind& k) {
    std::vector<std::vector<uint8_t>> out;
    for (uint32_t i = 0; i < kSources; i++) {
      dp::test::FrameSpec s;
      std::memcpy(s.src, source(i).addr, 4);
      std::memcpy(s.dst, kLocal, 4);
      s.sport = 5060;
      s.dport = 5060;
      const std::string& m = k.msgs[i % k.msgs.size()];
      s.payload.assign(m.begin(), m.end());
      out.push_back(dp::test::build_frame(s));
    }
    return out;
  }
  dp::Runtime rt_;
  rte_mempool* pool_ = nullptr;
};

std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "?";
}

void print_cell(const char* name, size_t bytes, const Cell& c) {
  std::printf("  %-24s %6zu %9.0f %9.3f   pass %5.1f%%  drop %5.1f%%  rate-limited %5.1f%%\n", name, bytes,
              c.ns_per_dgram, 1e3 / c.ns_per_dgram, 100.0 * double(c.pass) / double(c.n),
              100.0 * double(c.drop) / double(c.n), 100.0 * double(c.limited) / double(c.n));
}

}  // namespace

int main(int argc, char** argv) {
  std::string rules = RTPGATE_SOURCE_DIR "/conf/sipguard.rules";
  double seconds = 0.3;
  int rounds = 3;
  bool path = true;
  for (int i = 1; i < argc; i++) {
    const std::string a = argv[i];
    if (a == "--rules" && i + 1 < argc) rules = argv[++i];
    else if (a == "--seconds" && i + 1 < argc) seconds = std::stod(argv[++i]);
    else if (a == "--rounds" && i + 1 < argc) rounds = std::max(1, std::stoi(argv[++i]));
    else if (a == "--no-path") path = false;
    else
      return std::fprintf(stderr, "usage: rtpgate-sipguard-bench [--rules FILE] [--seconds S] [--rounds N] [--no-path]\n"),
             2;
  }
  sg::RuleSet rs;
  sg::RuleError err;
  std::unique_ptr<sg::GuardDb> db;
  if (sg::load_rules(rules, &rs, &err)) db = sg::GuardDb::compile(rs, 1, &err);
  if (db == nullptr) return std::fprintf(stderr, "%s: %s\n", rules.c_str(), err.text().c_str()), 1;
  db->set_generation(1);
  const auto ks = kinds();
  std::printf("rtpgate-sipguard-bench: %s; %u rules from %s; bursts of %u, %u sources, best of %d x %.2f s per cell\n",
              cpu_model().c_str(), db->n_rules(), rules.c_str(), kBurst, kSources, rounds, seconds);
  std::printf("1. screen (GuardLcore::screen_burst, one core, no EAL)\n");
  std::printf("  %-24s %6s %9s %9s\n", "message", "bytes", "ns/dgram", "Mdgram/s");
  for (const Kind& k : ks)
    print_cell(k.name, k.msgs[0].size(), best_of(rounds, [&] { return screen_cell(*db, k, seconds); }));
  if (!path) return 0;
  char prog[] = "rtpgate-sipguard-bench", l[] = "-l", core[] = "0", nohuge[] = "--no-huge", m[] = "-m",
       mem[] = "256", noshconf[] = "--no-shconf", nopci[] = "--no-pci", notel[] = "--no-telemetry",
       log[] = "--log-level=1";
  char* eal[] = {prog, l, core, nohuge, m, mem, noshconf, nopci, notel, log};
  if (rte_eal_init(static_cast<int>(std::size(eal)), eal) < 0) {
    std::printf("2. path: skipped (EAL could not start: %s)\n", rte_strerror(rte_errno));
    return 0;
  }
  {
    PathBench pb;
    std::string why;
    if (!pb.init(rules, &why)) {
      std::printf("2. path: skipped (%s)\n", why.c_str());
    } else {
      std::printf("2. worker path (process_burst -> exception ring, EAL --no-huge, net_null), guard off vs on\n");
      std::printf("  %-24s %9s %9s %9s %9s %9s\n", "message", "off ns", "on ns", "off Md/s", "on Md/s", "+ns");
      for (const Kind& k : ks) {
        const Cell off = best_of(rounds, [&] { return pb.run(k, false, seconds); });
        const Cell on = best_of(rounds, [&] { return pb.run(k, true, seconds); });
        std::printf("  %-24s %9.0f %9.0f %9.3f %9.3f %9.0f   (on: pass %.1f%% drop %.1f%% limited %.1f%%)\n", k.name,
                    off.ns_per_dgram, on.ns_per_dgram, 1e3 / off.ns_per_dgram, 1e3 / on.ns_per_dgram,
                    on.ns_per_dgram - off.ns_per_dgram, 100.0 * double(on.pass) / double(on.n),
                    100.0 * double(on.drop) / double(on.n), 100.0 * double(on.limited) / double(on.n));
      }
    }
  }
  rte_eal_cleanup();
  return 0;
}
