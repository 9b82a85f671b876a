// rtpgate-perf's command line and the matching data-plane configuration (start-up).
#include "options.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "../loop_flows.h"
#include "config/config.h"

namespace rtpgate::perf {
namespace {

std::vector<double> parse_list(const std::string& s) {
  std::vector<double> v;
  std::istringstream is(s);
  std::string item;
  while (std::getline(is, item, ','))
    if (!item.empty()) v.push_back(std::stod(item));
  return v;
}

std::string mac_text(const uint8_t m[6]) {
  char b[24];
  std::snprintf(b, sizeof b, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
  return b;
}

}  // namespace

rtpgate_shm_addr gen_ip() noexcept {
  rtpgate_shm_addr a{};
  dp::parse_ip("10.99.255.254", &a);  // inside FlowCycle::addr()'s 10.99.0.0/16
  return a;
}

const char* usage_text() noexcept {
  return "usage:\n"
         "  rtpgate-perf EAL-ARGS -- [--shm /REGION] [--target NAME] [--flows N] [--mix SPEC]... [SEARCH]\n"
         "      DPDK engine on ethdev port 0 (net_memif or net_af_packet towards the device under\n"
         "      test); with --shm the flows are programmed into that rtpgate data plane first\n"
         "      [--dut-mac MAC] [--no-rewrite] [--verify] [--mbufs N] [--link-timeout S] [--queues N]\n"
         "      [--srtp in|out [--srtp-pool N]] [--record ABSOLUTE-DIR [--rec-settle-ms MS]]\n"
         "      --queues: one queue pair per data-plane worker; --srtp in: the generator sends SRTP\n"
         "      (AES_CM_128_HMAC_SHA1_80, N packets per flow pre-protected with libsrtp2), the data\n"
         "      plane decrypts; --srtp out: the data plane protects, flow 0's output is checked with\n"
         "      libsrtp2; --record: every flow is recorded (REC_START, one .mjr file each); after each\n"
         "      trial the recorder gets at least MS to write that trial's packets out and go idle\n"
         "  rtpgate-perf --kernel --bind-port P (--dst-base-port Q | --targets FILE) [--relay-pid PID]\n"
         "      [--relay-cpu N] [--ip 127.0.0.1] [--dst-ip IP] [--target NAME] [--flows N] [--mix SPEC]... [SEARCH]\n"
         "      kernel engine: UDP through a socket relay (PID: its CPU time, N: its core's busy time)\n"
         "  rtpgate-perf --dp-config --shm /REGION --flows N [--gen-mac MAC] [--srtp in|out]\n"
         "      [--record DIR [--rec-ring N] [--rec-mbufs N] [--rec-flush-ms N]]\n"
         "      prints the rtpgate-dataplane configuration serving those flows\n"
         "SEARCH: [--trial-s S] [--steps N] [--retries N] [--resolution R] [--loss-tolerance X] [--max-pps R]\n"
         "        [--pdr-tolerance X (best trial losing at most X, reported besides; 0.005)]\n"
         "        [--ramp-from PPS [--ramp-factor F]] [--latency-s S] [--latency-frac F,...] [--latency-pps R,...] [--warmup-s S]\n"
         "        [--burst B] [--drain-ms MS] [--label TEXT] [--json-out FILE]\n"
         "        (several --mix: one result line each, labelled LABEL, LABEL-mix1, LABEL-mix2, ...)\n"
         "SPEC: g711 | opus | video | g711:80,opus:15,video:5 (share of the flows per profile)\n";
}

bool parse_options(int argc, char** argv, int first, Mode mode, Options* o, std::string* why) {
  o->mode = mode;
  try {
    for (int i = first; i < argc; i++) {
      const std::string k = argv[i];
      auto val = [&]() -> std::string {
        if (i + 1 >= argc) throw std::invalid_argument(k + " needs a value");
        return argv[++i];
      };
      auto u32 = [&]() { return static_cast<uint32_t>(std::stoul(val())); };
      if (k == "--label") o->label = val();
      else if (k == "--target") o->target = val();
      else if (k == "--flows") o->flows = u32();
      else if (k == "--mix") o->mixes.push_back(val());
      else if (k == "--shm") o->shm = val();
      else if (k == "--dut-mac") { if (!dp::parse_mac(val(), o->dut_mac)) return *why = "bad --dut-mac", false; }
      else if (k == "--gen-mac") { if (!dp::parse_mac(val(), o->gen_mac)) return *why = "bad --gen-mac", false; }
      else if (k == "--no-rewrite") o->rewrite = false;
      else if (k == "--verify") o->verify = true;
      else if (k == "--mbufs") o->mbufs = u32();
      else if (k == "--link-timeout") o->link_timeout_s = std::stod(val());
      else if (k == "--queues") o->queues = static_cast<uint16_t>(u32());
      else if (k == "--srtp") {
        const std::string m = val();
        if (m != "in" && m != "out") return *why = "--srtp must be in or out", false;
        o->srtp = m == "in" ? SrtpMode::In : SrtpMode::Out;
      }
      else if (k == "--srtp-pool") o->srtp_pool = u32();
      else if (k == "--record") o->rec_dir = val();
      else if (k == "--rec-ring") o->rec_ring = u32();
      else if (k == "--rec-mbufs") o->rec_mbufs = u32();
      else if (k == "--rec-flush-ms") o->rec_flush_ms = u32();
      else if (k == "--rec-settle-ms") o->rec_settle_ms = u32();
      else if (k == "--ip") o->ip = val();
      else if (k == "--dst-ip") o->dst_ip = val();
      else if (k == "--relay-cpu") o->relay_cpu = std::stoi(val());
      else if (k == "--bind-port") o->bind_port = static_cast<uint16_t>(u32());
      else if (k == "--dst-base-port") o->dst_base_port = static_cast<uint16_t>(u32());
      else if (k == "--targets") o->targets_file = val();
      else if (k == "--relay-pid") o->relay_pid = static_cast<pid_t>(u32());
      else if (k == "--trial-s") o->search.trial_s = std::stod(val());
      else if (k == "--steps") o->search.max_steps = u32();
      else if (k == "--resolution") o->search.resolution = std::stod(val());
      else if (k == "--retries") o->search.retries = u32();
      else if (k == "--ramp-from") o->search.ramp_start_pps = std::stod(val());
      else if (k == "--ramp-factor") o->search.ramp_factor = std::stod(val());
      else if (k == "--loss-tolerance") o->search.loss_tolerance = std::stod(val());
      else if (k == "--pdr-tolerance") o->search.pdr_tolerance = std::stod(val());
      else if (k == "--max-pps") o->search.max_pps = std::stod(val());
      else if (k == "--latency-s") o->latency_s = std::stod(val());
      else if (k == "--latency-frac") o->latency_fracs = parse_list(val());
      else if (k == "--latency-pps") o->latency_pps = parse_list(val());
      else if (k == "--warmup-s") o->warmup_s = std::stod(val());
      else if (k == "--burst") o->loop.burst = u32();
      else if (k == "--drain-ms") o->loop.drain_s = std::stod(val()) / 1000;
      else if (k == "--json-out") o->json_out = val();
      else return *why = "unknown option " + k, false;
    }
  } catch (const std::exception& e) {
    return *why = e.what(), false;
  }
  if (o->mixes.empty()) o->mixes.push_back("g711");
  FlowCycle fc;
  const uint32_t max_flows = RTPGATE_SHM_MAX_ADDRS * fc.ports_per_addr();
  if (o->flows < 2 || o->flows > max_flows) return *why = "--flows must be 2.." + std::to_string(max_flows), false;
  if (o->loop.burst == 0 || o->loop.burst > 64) return *why = "--burst must be 1..64", false;
  if (o->search.trial_s <= 0 || o->latency_s < 0) return *why = "--trial-s must be > 0", false;
  if (o->search.ramp_start_pps > 0 && o->search.ramp_factor <= 1) return *why = "--ramp-factor must be > 1", false;
  if (o->search.loss_tolerance < 0 || o->search.loss_tolerance >= 1) return *why = "--loss-tolerance is a fraction", false;
  if (mode == Mode::Kernel && (o->bind_port == 0 || (o->dst_base_port == 0 && o->targets_file.empty())))
    return *why = "--kernel needs --bind-port and --dst-base-port or --targets", false;
  if (mode == Mode::DpConfig && o->shm.empty()) return *why = "--dp-config needs --shm /REGION", false;
  if (o->queues == 0 || o->queues > 8) return *why = "--queues must be 1..8", false;
  if (o->srtp != SrtpMode::None && (o->mixes.size() != 1 || o->mixes[0].find_first_of(",:") != std::string::npos))
    return *why = "--srtp takes one --mix of one profile (one pool of packets)", false;
  if (o->srtp != SrtpMode::None && o->srtp_pool < 1024) return *why = "--srtp-pool must be >= 1024", false;
  if (!o->rec_dir.empty() && o->rec_dir[0] != '/') return *why = "--record needs an absolute directory", false;
  if (o->label.empty()) o->label = o->target + "-" + std::to_string(o->flows);
  return true;
}

std::string dp_config_text(const Options& o) {
  FlowCycle fc;
  fc.n_flows = o.flows;
  std::string s = "# rtpgate-dataplane for rtpgate-perf: " + std::to_string(o.flows) +
                  " flows, each forwarding to the generator (" + dp::format_ip(gen_ip()) + ")\n";
  s += "shm_name = " + o.shm + "\nport = 0";
  for (uint32_t a = 0; a < fc.n_addrs(); a++) s += " addr=" + dp::format_ip(FlowCycle::addr(a)) + "/16";
  s += "\nport_min = " + std::to_string(fc.port_min) + "\nport_max = " + std::to_string(fc.port_max);
  s += "\nflow_capacity = " + std::to_string(o.flows);
  s += "\nsrtp_capacity = " + std::to_string(o.srtp != SrtpMode::None ? o.flows + 1 : 0);
  s += "\nrec_capacity = " + std::to_string(o.rec_dir.empty() ? 0 : o.flows + 1);
  if (o.rec_ring != 0) s += "\nrec_ring = " + std::to_string(o.rec_ring);
  if (o.rec_mbufs != 0) s += "\nrec_mbufs = " + std::to_string(o.rec_mbufs);
  if (o.rec_flush_ms != 0) s += "\nrec_flush_ms = " + std::to_string(o.rec_flush_ms);
  s += "\nidle_mode = poll\n";
  s += "neighbour = " + dp::format_ip(gen_ip()) + " " + mac_text(o.gen_mac) + "\n";
  return s;
}

}  // namespace rtpgate::perf
