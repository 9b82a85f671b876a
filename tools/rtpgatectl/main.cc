// rtpgatectl: inspect the shared region and program flows by hand (tests, demos, operators).
#include <time.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli_text.h"
#include "config_cmds.h"
#include "flow_args.h"
#include "guard_cmds.h"
#include "rtpgate/shm/control_client.h"
#include "show.h"
#include "srtp_cmds.h"

using rtpgate::Errc;
namespace shm = rtpgate::shm;
namespace ctl = rtpgate::ctl;
using rtpgate::ctl::fail;

namespace {

int usage() {
  std::fprintf(stderr,
      "usage: rtpgatectl [--shm NAME] [--json] COMMAND ...\n"
      "  info                      region header, liveness, capacities\n"
      "  stats                     per-lcore and total counters (every drop has a reason)\n"
      "  flows                     allocated flows with their counters\n"
      "  flow ID                   one flow\n"
      "  add FLOWOPTS              allocate a slot, install a flow, print its id\n"
      "  mod ID FLOWOPTS           rewrite a flow's parameters (same local address/port)\n"
      "  del ID                    remove a flow and free its slot and port\n"
      "  watch [--seconds N] [--count N]   print notifications from the event ring (idle flows)\n"
      "  ctl-echo [--seconds N] [--count N]  act as control's media bridge: send every packet of\n"
      "                            an --action ctl flow back out on that flow's output\n"
      "  wait-ready [--seconds N]  wait until a running data plane publishes the region\n"
      "  srtp-set --profile NAME --dir in|out --key HEX   SRTP context from master key || salt\n"
      "                            (prints its index for --srtp-in/--srtp-out); srtp-del IDX; srtp (list,\n"
      "                            never the keys)\n"
      "  guard                     SIP guard: rule set in force, reloads, per-action and per-rule counters\n"
      "  guard-reload [--signal] [--seconds N]  reload the SIP guard's rule file (command ring, or\n"
      "                            SIGHUP when another controller is attached); fails naming the line\n"
      "  guard-check FILE          parse and compile a SIP guard rule file offline\n"
      "  config                    run-time settings in force, configuration file, reload status\n"
      "  reload [--signal] [--seconds N]  re-read the configuration file: apply the run-time settings\n"
      "                            (timeouts, rate limits, idle policy, log level), then reload the SIP\n"
      "                            guard's rules; refused naming key and line if a key needs a restart\n"
      "FLOWOPTS: --local IP:PORT (PORT 0 = allocate) --to IP:PORT [--from IP:PORT] [--kind rtp|rtcp]\n"
      "  [--expect IP[:PORT]] [--peer IP:PORT] [--expect-ssrc N] [--latch MS] [--reverse ID]\n"
      "  [--rewrite] [--out-ssrc N] [--ts-step N] [--direction D] [--dscp N] [--idle-ms N]\n"
      "  [--rtcp-mux ID] [--action forward|ctl|drop] [--ctl-ring N] [--cookie N]\n"
      "  [--srtp-in IDX] [--srtp-out IDX] [--srtp-auth]\n");
  return 2;
}

int cmd_add_or_mod(const std::string& name, bool add, int64_t id, const std::vector<std::string>& args, bool json) {
  ctl::FlowArgs fa;
  std::string why;
  if (!ctl::parse_flow_args(args, &fa, &why)) return fail(why);
  auto cc = shm::ControlClient::open(name, &why);
  if (!cc) return fail(why);
  const int addr_idx = shm::find_media_addr(cc->hdr(), fa.p.local);
  if (addr_idx < 0) return fail("--local address is not one of the data plane's media addresses");
  bool claimed = false;
  if (add) {
    if (fa.local_port_auto) {
      auto port = cc->alloc_port_pair(static_cast<uint32_t>(addr_idx));
      if (!port) return fail(std::string(rtpgate::to_string(port.error())));
      fa.p.local_port = port.value();
      if (fa.p.out_src_port == 0) fa.p.out_src_port = fa.p.local_port;
    } else if (cc->claim_port(static_cast<uint32_t>(addr_idx), fa.p.local_port)) {
      claimed = true;
    }
    auto fid = cc->alloc_flow();
    if (!fid) {
      if (claimed) cc->free_port(static_cast<uint32_t>(addr_idx), fa.p.local_port);
      else if (fa.local_port_auto) cc->free_port_pair(static_cast<uint32_t>(addr_idx), fa.p.local_port);
      return fail(std::string(rtpgate::to_string(fid.error())));
    }
    id = fid.value();
  }
  const auto fid = static_cast<uint32_t>(id);
  cc->write_params(fid, fa.p);
  const Errc e = cc->execute(add ? RTPGATE_CMD_FLOW_INSTALL : RTPGATE_CMD_FLOW_MODIFY, fid);
  if (e != Errc::Ok) {
    if (add) {
      cc->free_flow(fid);
      if (claimed) cc->free_port(static_cast<uint32_t>(addr_idx), fa.p.local_port);
      else if (fa.local_port_auto) cc->free_port_pair(static_cast<uint32_t>(addr_idx), fa.p.local_port);
    }
    return fail(std::string(add ? "install" : "modify") + " failed: " + std::string(rtpgate::to_string(e)));
  }
  if (json) std::printf("{\"id\":%u,\"local_port\":%u}\n", fid, fa.p.local_port);
  else std::printf("%u\n", fid);
  return 0;
}

int cmd_del(const std::string& name, uint32_t id) {
  std::string why;
  auto cc = shm::ControlClient::open(name, &why);
  if (!cc) return fail(why);
  if (id >= cc->hdr().flow_capacity) return fail("no such flow id");
  const auto p = cc->region().flow(id).params;
  const Errc e = cc->execute(RTPGATE_CMD_FLOW_REMOVE, id);
  if (e != Errc::Ok && e != Errc::NoSuchFlow) return fail("remove failed: " + std::string(rtpgate::to_string(e)));
  const int addr_idx = shm::find_media_addr(cc->hdr(), p.local);
  if (addr_idx >= 0) cc->free_port(static_cast<uint32_t>(addr_idx), p.local_port);
  cc->free_flow(id);
  return e == Errc::Ok ? 0 : fail("flow was not installed (slot freed)");
}

int cmd_watch(const std::string& name, double seconds, long count) {
  std::string why;
  auto cc = shm::ControlClient::open(name, &why);
  if (!cc) return fail(why);
  const uint64_t end = shm::monotonic_ns() + static_cast<uint64_t>(seconds * 1e9);
  long n = 0;
  while (shm::monotonic_ns() < end && (count <= 0 || n < count)) {
    rtpgate_shm_cpl c;
    if (!cc->next_event(c)) {
      cc->heartbeat();
      struct timespec ts{0, 1000000};
      nanosleep(&ts, nullptr);
      continue;
    }
    n++;
    if (c.op == RTPGATE_NOTIFY_FLOW_IDLE) std::printf("idle flow=%u version=%u\n", c.flow_id, c.flow_version);
    else std::printf("completion seq=%lu op=%u flow=%u errc=%s\n", (unsigned long)c.seq, c.op, c.flow_id,
                     std::string(rtpgate::to_string(static_cast<Errc>(c.errc))).c_str());
    std::fflush(stdout);
  }
  return count > 0 && n < count ? 1 : 0;
}

// Plays the control side of the media bridge: every packet the data plane hands to
// control (flows with --action ctl) goes back out on the same flow's output.
int cmd_ctl_echo(const std::string& name, double seconds, long count) {
  std::string why;
  auto cc = shm::ControlClient::open(name, &why);
  if (!cc) return fail(why);
  const auto& h = cc->hdr();
  if (h.n_pkt_rings_to_dp == 0) return fail("the data plane has no control-to-data-plane packet ring");
  auto out = cc->region().pkt_ring_to_dp(0);
  const uint64_t end = shm::monotonic_ns() + static_cast<uint64_t>(seconds * 1e9);
  long echoed = 0, full = 0;
  while (shm::monotonic_ns() < end && (count <= 0 || echoed < count)) {
    bool any = false;
    for (uint32_t r = 0; r < h.n_pkt_rings_to_ctl; r++) {
      auto in = cc->region().pkt_ring_to_ctl(r);
      while (const rtpgate_shm_pkt_slot* s = in.peek()) {
        rtpgate_shm_pkt_slot* o = out.reserve();
        if (o == nullptr) { full++; break; }
        *o = *s;
        out.publish();
        in.release();
        echoed++;
        any = true;
      }
    }
    if (!any) {
      struct timespec ts{0, 200000};
      nanosleep(&ts, nullptr);
    }
  }
  std::printf("{\"echoed\":%ld,\"ring_full\":%ld}\n", echoed, full);
  return count > 0 && echoed < count ? 1 : 0;
}

int cmd_wait_ready(const std::string& name, double seconds) {
  const uint64_t end = shm::monotonic_ns() + static_cast<uint64_t>(seconds * 1e9);
  std::string why;
  while (shm::monotonic_ns() < end) {
    auto r = shm::Region::attach(name, &why);
    if (r && __atomic_load_n(&r->hdr()->dp_state, __ATOMIC_ACQUIRE) == RTPGATE_DP_RUNNING) return 0;
    struct timespec ts{0, 20000000};
    nanosleep(&ts, nullptr);
  }
  return fail("data plane not ready after " + std::to_string(seconds) + " s: " + why);
}

}  // namespace

int main(int argc, char** argv) {
  std::string name = "/rtpgate";
  bool json = false;
  std::vector<std::string> a(argv + 1, argv + argc);
  size_t i = 0;
  for (; i < a.size(); i++) {
    if (a[i] == "--shm" && i + 1 < a.size()) name = a[++i];
    else if (a[i] == "--json") json = true;
    else break;
  }
  if (i >= a.size()) return usage();
  const std::string cmd = a[i++];
  std::vector<std::string> rest(a.begin() + static_cast<long>(i), a.end());
  auto opt = [&](const char* key, double def) {
    for (size_t k = 0; k + 1 < rest.size(); k++)
      if (rest[k] == key) return std::stod(rest[k + 1]);
    return def;
  };
  if (cmd == "add") return cmd_add_or_mod(name, true, -1, rest, json);
  if (cmd == "mod" || cmd == "del" || cmd == "flow") {
    if (rest.empty()) return usage();
    const long id = std::strtol(rest[0].c_str(), nullptr, 10);
    if (id < 0) return usage();
    if (cmd == "mod") return cmd_add_or_mod(name, false, id, {rest.begin() + 1, rest.end()}, json);
    if (cmd == "del") return cmd_del(name, static_cast<uint32_t>(id));
  }
  if (cmd == "srtp-set") return ctl::cmd_srtp_set(name, rest, json);
  if (cmd == "srtp-del" && !rest.empty()) return ctl::cmd_srtp_del(name, static_cast<uint32_t>(std::strtoul(rest[0].c_str(), nullptr, 10)));
  if (cmd == "srtp") return ctl::cmd_srtp_list(name, json);
  if (cmd == "guard") return ctl::cmd_guard_show(name, json);
  if (cmd == "config") return ctl::cmd_config_show(name, json);
  if (cmd == "reload") return ctl::cmd_reload(name, rest, json);
  if (cmd == "guard-reload") return ctl::cmd_guard_reload(name, rest, json);
  if (cmd == "guard-check") return ctl::cmd_guard_check(rest, json);
  if (cmd == "watch") return cmd_watch(name, opt("--seconds", 10), static_cast<long>(opt("--count", 0)));
  if (cmd == "ctl-echo") return cmd_ctl_echo(name, opt("--seconds", 10), static_cast<long>(opt("--count", 0)));
  if (cmd == "wait-ready") return cmd_wait_ready(name, opt("--seconds", 10));
  std::string why;
  auto r = shm::Region::attach(name, &why);
  if (!r) return fail(why);
  if (cmd == "info") ctl::show_info(r.value(), json);
  else if (cmd == "stats") ctl::show_stats(r.value(), json);
  else if (cmd == "flows") ctl::show_flows(r.value(), json, -1);
  else if (cmd == "flow") ctl::show_flows(r.value(), json, std::strtol(rest[0].c_str(), nullptr, 10));
  else return usage();
  return 0;
}
