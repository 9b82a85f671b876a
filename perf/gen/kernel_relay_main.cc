// rtpgate-kernel-relay: kernel-socket RTP relays (stock Janus-like thread per call, or
// batched recvmmsg/sendmmsg on one thread) for rtpgate-perf's baselines. Prints "ready"
// once every socket is bound, relays until SIGTERM/SIGINT, then prints its counters as JSON.
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <string>

#include "relay.h"

namespace {

int g_stop_fd = -1;

void on_signal(int) {
  const uint64_t one = 1;
  if (write(g_stop_fd, &one, sizeof one) < 0) _exit(1);
}

int usage(const char* why) {
  std::fprintf(stderr,
               "rtpgate-kernel-relay: %s\n"
               "usage: rtpgate-kernel-relay --mode stock|mmsg --flows N --base-port P --sink-port Q\n"
               "         [--ip 127.0.0.1] [--sink-ip 127.0.0.1] [--rcvbuf BYTES] [--batch B]\n",
               why);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace rtpgate::perf;
  RelayConfig c;
  std::string mode;
  for (int i = 1; i < argc; i++) {
    const std::string k = argv[i];
    if (i + 1 >= argc) return usage((k + " needs a value").c_str());
    const std::string v = argv[++i];
    if (k == "--mode") mode = v;
    else if (k == "--flows") c.flows = static_cast<uint32_t>(std::stoul(v));
    else if (k == "--base-port") c.base_port = static_cast<uint16_t>(std::stoul(v));
    else if (k == "--sink-port") c.sink_port = static_cast<uint16_t>(std::stoul(v));
    else if (k == "--ip") c.ip = v;
    else if (k == "--sink-ip") c.sink_ip = v;
    else if (k == "--rcvbuf") c.rcvbuf_bytes = std::stoi(v);
    else if (k == "--batch") c.batch = static_cast<uint32_t>(std::stoul(v));
    else return usage(("unknown option " + k).c_str());
  }
  if ((mode != "stock" && mode != "mmsg") || c.flows < 2 || c.flows % 2 != 0 || c.base_port == 0 ||
      c.sink_port == 0 || c.batch == 0 || c.batch > 1024 || uint32_t{c.base_port} + c.flows > 65536)
    return usage("needs --mode stock|mmsg, an even --flows, --base-port, --sink-port");
  rlimit nofile{};
  getrlimit(RLIMIT_NOFILE, &nofile);
  nofile.rlim_cur = nofile.rlim_max;
  setrlimit(RLIMIT_NOFILE, &nofile);
  g_stop_fd = eventfd(0, EFD_CLOEXEC);
  RelaySockets sockets;
  std::string why;
  if (g_stop_fd < 0 || !sockets.open(c, &why)) {
    std::fprintf(stderr, "rtpgate-kernel-relay: %s\n", why.c_str());
    return 1;
  }
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  std::printf("ready %u sockets\n", c.flows);
  std::fflush(stdout);
  RelayCounters n;
  if (mode == "stock") run_stock_relay(c, sockets, g_stop_fd, &n);
  else run_mmsg_relay(c, sockets, g_stop_fd, &n);
  std::printf("{\"relay\":\"%s\",\"flows\":%u,\"rx\":%lu,\"tx\":%lu,\"tx_errors\":%lu}\n", mode.c_str(), c.flows,
              static_cast<unsigned long>(n.rx.load()), static_cast<unsigned long>(n.tx.load()),
              static_cast<unsigned long>(n.tx_errors.load()));
  close(g_stop_fd);
  return 0;
}
