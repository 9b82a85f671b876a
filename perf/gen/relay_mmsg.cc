// rtpgate-kernel-relay, mmsg mode: one thread, epoll over every socket, batches of
// recvmmsg() forwarded with one sendmmsg() through the other leg's socket.
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "relay.h"

namespace rtpgate::perf {

void run_mmsg_relay(const RelayConfig& c, const RelaySockets& s, int stop_fd, RelayCounters* out) {
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) return;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u32 = UINT32_MAX;
  epoll_ctl(ep, EPOLL_CTL_ADD, stop_fd, &ev);
  for (uint32_t i = 0; i < c.flows; i++) {
    ev.data.u32 = i;
    epoll_ctl(ep, EPOLL_CTL_ADD, s.fd(i), &ev);
  }
  const uint32_t batch = c.batch;
  std::vector<uint8_t> bufs(size_t{batch} * 1500);
  std::vector<iovec> in_iov(batch), out_iov(batch);
  std::vector<mmsghdr> in(batch), outm(batch);
  for (uint32_t j = 0; j < batch; j++) {
    in_iov[j] = iovec{&bufs[size_t{j} * 1500], 1500};
    in[j].msg_hdr = msghdr{nullptr, 0, &in_iov[j], 1, nullptr, 0, 0};
    outm[j].msg_hdr = msghdr{const_cast<sockaddr_in*>(&s.sink()), sizeof(sockaddr_in), &out_iov[j], 1, nullptr, 0, 0};
  }
  uint64_t rx = 0, tx = 0, err = 0;
  epoll_event evs[256];
  for (bool stop = false; !stop;) {
    const int n = epoll_wait(ep, evs, 256, -1);
    if (n < 0 && errno != EINTR) break;
    for (int e = 0; e < n; e++) {
      const uint32_t flow = evs[e].data.u32;
      if (flow == UINT32_MAX) {
        stop = true;
        break;
      }
      const int r = recvmmsg(s.fd(flow), in.data(), batch, MSG_DONTWAIT, nullptr);
      if (r <= 0) continue;
      rx += uint64_t(r);
      for (int j = 0; j < r; j++) out_iov[j] = iovec{in_iov[j].iov_base, in[j].msg_len};
      const int w = sendmmsg(s.fd(flow ^ 1), outm.data(), unsigned(r), 0);
      tx += w > 0 ? uint64_t(w) : 0;
      err += uint64_t(r - (w > 0 ? w : 0));
    }
  }
  close(ep);
  out->rx += rx;
  out->tx += tx;
  out->tx_errors += err;
}

}  // namespace rtpgate::perf
