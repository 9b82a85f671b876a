// rtpgate-perf: RTP traffic generator and sink that drives a relay from outside (a real
// rtpgate-dataplane process or testpmd over net_memif or net_af_packet, or a kernel-socket
// relay over UDP loopback), finds its lossless rate and measures latency. Single-threaded: the
// main lcore (or thread) programs the flows, then runs every trial. See perf/README.md.
#include <rte_eal.h>
#include <rte_errno.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "../loop_flows.h"
#include "dpdk_io.h"
#include "dut_probe.h"
#include "kernel_io.h"
#include "perf_run.h"
#include "proc_probe.h"
#include "rtpgate/shm/control_client.h"

namespace rtpgate::perf {

void emit_report(const Options& o, const PerfReport& r) {
  const std::string line = report_json(r);
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
  if (!o.json_out.empty()) std::ofstream(o.json_out, std::ios::app) << line << "\n";
  if (!r.error.empty()) std::fprintf(stderr, "[perf] %s: FAILED: %s\n", r.label.c_str(), r.error.c_str());
}

namespace {

std::string cpus_of_this_thread() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return "?";
  std::string s;
  for (int c = 0; c < CPU_SETSIZE; c++)
    if (CPU_ISSET(c, &set)) s += (s.empty() ? "" : ",") + std::to_string(c);
  return s;
}

// Reports a run that could not start; returns the exit status.
int fail(const Options& o, PerfReport& r, const std::string& why) {
  r.error = why;
  emit_report(o, r);
  return 1;
}

PerfReport base_report(const Options& o, const char* engine, uint32_t overhead) {
  PerfReport r;
  r.label = o.label;
  r.target = o.target;
  r.engine = engine;
  r.flows = o.flows;
  r.wire_overhead_bytes = overhead;
  r.notes.push_back("generator on CPU " + cpus_of_this_thread());
  return r;
}

// Waits until the data plane behind `shm` runs, then installs the flows through its
// command ring (as the plugin would). False with r->error.
bool program(const Options& o, const FlowCycle& fc, PerfReport* r) {
  const uint64_t end = shm::monotonic_ns() + static_cast<uint64_t>(o.dp_timeout_s * 1e9);
  std::string why;
  for (;;) {
    {
      auto c = shm::ControlClient::open(o.shm, &why);
      if (c && c.value().dp_alive(1000)) break;
      if (c) why = "data plane not running (heartbeat)";
    }
    if (shm::monotonic_ns() > end) return r->error = "no data plane at " + o.shm + ": " + why, false;
    usleep(100000);
  }
  static const std::atomic<bool> kNoAbort{false};
  ProgramResult pr;
  const bool ok = program_flows(o.shm, fc, kNoAbort, 10000, &pr);
  r->installed = pr.installed;
  r->install_failed = pr.failed;
  r->install_s = pr.seconds;
  std::fprintf(stderr, "[perf] %u flows installed in %.2f s (%u failed; SRTP contexts %u, failed %u; recordings %u, failed %u)\n",
               pr.installed, pr.seconds, pr.failed, pr.srtp_set, pr.srtp_failed, pr.rec_started, pr.rec_failed);
  if (!ok) return r->error = pr.why, false;
  if (pr.failed != 0) return r->error = "flow install failed: " + std::string(to_string(pr.first_error)), false;
  if (pr.srtp_failed != 0 || pr.rec_failed != 0) return r->error = "SRTP_SET or REC_START failed", false;
  return true;
}

// "dpdk-memif", "dpdk-af_packet", ...: the generator's link to the device under test, named
// after the driver of its port.
std::string dpdk_engine(uint16_t port) {
  rte_eth_dev_info info{};
  if (!rte_eth_dev_is_valid_port(port) || rte_eth_dev_info_get(port, &info) != 0 || info.driver_name == nullptr)
    return "dpdk";
  std::string d = info.driver_name;
  if (d.rfind("net_", 0) == 0) d.erase(0, 4);
  return "dpdk-" + d;
}

int run_dpdk(const Options& o) {
  PerfReport base = base_report(o, dpdk_engine(o.port_id).c_str(), 42);
  FlowCycle fc;
  fc.n_flows = o.flows;
  fc.rewrite = o.rewrite;
  fc.sink = gen_ip();
  fc.record_pct = o.rec_dir.empty() ? 0 : 100;
  fc.rec_dir = o.rec_dir;
  base.srtp = to_string(o.srtp);
  base.record = !o.rec_dir.empty();
  base.queues = o.queues;
  // SRTP runs: the pool (in) or the verifier (out), and the send log (both).
  SrtpPool pool;
  SrtpVerifier verifier;
  std::unique_ptr<SendLog> log;
  if (o.srtp != SrtpMode::None) {
    srtp_fill_entry(&fc.srtp, o.srtp == SrtpMode::In ? RTPGATE_SRTP_DIR_UNPROTECT : RTPGATE_SRTP_DIR_PROTECT);
    std::string why;
    const Profile* prof = find_profile(o.mixes[0]);
    if (prof == nullptr) return fail(o, base, "unknown profile " + o.mixes[0]);
    const uint64_t t0 = shm::monotonic_ns();
    if (o.srtp == SrtpMode::In ? !pool.build(*prof, o.srtp_pool, &why) : !verifier.init(&why)) return fail(o, base, why);
    if (o.srtp == SrtpMode::In)
      std::fprintf(stderr, "[perf] %u SRTP packets protected with libsrtp2 in %.2f s\n", o.srtp_pool,
                   double(shm::monotonic_ns() - t0) / 1e9);
    log = std::make_unique<SendLog>(o.flows);
    base.notes.push_back("SRTP AES_CM_128_HMAC_SHA1_80 " + std::string(o.srtp == SrtpMode::In
        ? "into the data plane (the generator sends SRTP, the data plane authenticates and decrypts)"
        : "out of the data plane (the data plane encrypts and authenticates; flow 0 checked with libsrtp2)"));
  }
  if (!o.rec_dir.empty()) base.notes.push_back("every flow recorded (one .mjr file per flow)");
  DutProbe dut;
  std::vector<TrialProbe*> probes;
  std::string why;
  if (!o.shm.empty()) {
    if (!program(o, fc, &base)) return fail(o, base, base.error);
    if (!dut.attach(o.shm, &why)) return fail(o, base, why);
    if (!o.rec_dir.empty() && o.rec_settle_ms != 0) {
      dut.set_rec_settle(o.rec_settle_ms / 1000.0);
      base.notes.push_back("after each trial the recorder was given at least " + std::to_string(o.rec_settle_ms) +
                           " ms and until it went idle to write that trial's packets out (their lost copies count)");
    }
    probes.push_back(&dut);
  }
  DpdkIoConfig c;
  c.port_id = o.port_id;
  c.mbufs = o.mbufs;
  std::memcpy(c.dut_mac, o.dut_mac, 6);
  c.gen_ip = gen_ip();
  c.flows = &fc;
  c.verify = o.verify;
  c.queues = o.queues;
  c.srtp = o.srtp;
  c.pool = &pool;
  c.verifier = &verifier;
  c.log = log.get();
  auto io = DpdkIo::create(c, &why);
  if (!io) return fail(o, base, why);
  if (!io->wait_link(o.link_timeout_s)) return fail(o, base, "link to the device under test did not come up");
  probes.push_back(io.get());
  return run_mixes(*io, o, probes, 1e9 / double(io->hz()), base) ? 0 : 1;
}

bool read_targets(const std::string& path, uint32_t n, std::vector<uint16_t>* out, std::string* why) {
  std::ifstream f(path);
  unsigned port;
  while (out->size() < n && f >> port) out->push_back(static_cast<uint16_t>(port));
  if (out->size() < n) return *why = path + ": " + std::to_string(out->size()) + " ports for " + std::to_string(n) + " flows", false;
  return true;
}

int run_kernel(const Options& o) {
  PerfReport base = base_report(o, "kernel-udp", 28);
  KernelIoConfig c;
  c.ip = o.ip;
  c.dst_ip = o.dst_ip;
  c.bind_port = o.bind_port;
  std::string why;
  if (!o.targets_file.empty()) {
    if (!read_targets(o.targets_file, o.flows, &c.dst_ports, &why)) return fail(o, base, why);
  } else {
    for (uint32_t i = 0; i < o.flows; i++) c.dst_ports.push_back(static_cast<uint16_t>(o.dst_base_port + i));
  }
  auto io = KernelIo::create(c, &why);
  if (!io) return fail(o, base, why);
  ProcProbe proc(o.relay_pid, o.relay_cpu);
  return run_mixes(*io, o, {&proc}, 1.0, base) ? 0 : 1;
}

int run_main(int argc, char** argv) {
  using namespace std::string_literals;
  Options o;
  std::string why;
  if (argc > 1 && (argv[1] == "--dp-config"s || argv[1] == "--kernel"s)) {
    const Mode mode = argv[1] == "--kernel"s ? Mode::Kernel : Mode::DpConfig;
    if (!parse_options(argc, argv, 2, mode, &o, &why)) {
      std::fprintf(stderr, "rtpgate-perf: %s\n%s", why.c_str(), usage_text());
      return 2;
    }
    if (mode == Mode::DpConfig) return std::printf("%s", dp_config_text(o).c_str()), 0;
    return run_kernel(o);
  }
  bool has_app_args = false;
  for (int i = 1; i < argc; i++) has_app_args |= argv[i] == "--"s;
  if (!has_app_args) return std::fprintf(stderr, "%s", usage_text()), 2;
  const int eal = rte_eal_init(argc, argv);
  if (eal < 0) {
    std::fprintf(stderr, "rtpgate-perf: EAL initialisation failed: %s\n", rte_strerror(rte_errno));
    return 1;
  }
  int rc = 2;
  if (!parse_options(argc, argv, eal + 1, Mode::Dpdk, &o, &why)) {
    std::fprintf(stderr, "rtpgate-perf: %s\n%s", why.c_str(), usage_text());
  } else {
    rc = run_dpdk(o);
  }
  rte_eal_cleanup();
  return rc;
}

}  // namespace
}  // namespace rtpgate::perf

int main(int argc, char** argv) { return rtpgate::perf::run_main(argc, argv); }
