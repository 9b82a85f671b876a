// rtpgate-kernel-relay, stock mode: one thread per call, as the stock Janus SIP plugin's
// relay thread (poll on the call's sockets, one recvfrom and one sendto per packet).
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <thread>

#include "relay.h"

namespace rtpgate::perf {
namespace {

void call_thread(const RelaySockets& s, uint32_t call, int stop_fd, RelayCounters* out) {
  const int legs[2] = {s.fd(2 * call), s.fd(2 * call + 1)};
  pollfd pfd[3] = {{legs[0], POLLIN, 0}, {legs[1], POLLIN, 0}, {stop_fd, POLLIN, 0}};
  uint8_t buf[1500];
  uint64_t rx = 0, tx = 0, err = 0;
  for (;;) {
    const int r = poll(pfd, 3, 1000);
    if (r < 0 && errno != EINTR) break;
    if (r <= 0) continue;
    if (pfd[2].revents != 0) break;
    for (int k = 0; k < 2; k++) {
      if ((pfd[k].revents & POLLIN) == 0) continue;
      sockaddr_in from{};
      socklen_t fl = sizeof from;
      const ssize_t n = recvfrom(legs[k], buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fl);
      if (n <= 0) continue;
      rx++;
      if (sendto(legs[k ^ 1], buf, size_t(n), 0, reinterpret_cast<const sockaddr*>(&s.sink()), sizeof(sockaddr_in)) == n)
        tx++;
      else
        err++;
    }
  }
  out->rx += rx;
  out->tx += tx;
  out->tx_errors += err;
}

}  // namespace

void run_stock_relay(const RelayConfig& c, const RelaySockets& s, int stop_fd, RelayCounters* out) {
  std::vector<std::thread> threads;
  for (uint32_t call = 0; call < c.flows / 2; call++) threads.emplace_back(call_thread, std::cref(s), call, stop_fd, out);
  for (auto& t : threads) t.join();
}

}  // namespace rtpgate::perf
