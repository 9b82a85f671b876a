// rtpgate-kernel-relay: RTP relays on kernel UDP sockets, the baselines rtpgate is compared
// with. Every flow has its own socket on ip:base_port+i; what arrives on flow i's socket
// leaves through the socket of the other leg of its call (i ^ 1) towards the sink, as a
// relay sends from the port it advertised to the far end.
//  - stock: as the stock Janus SIP plugin relays media: one thread per call, poll() on the
//    call's sockets (and a wake-up fd), one recvfrom() and one sendto() per packet.
//  - mmsg: best effort on kernel sockets: one thread, epoll over every socket,
//    recvmmsg()/sendmmsg() in batches.
#pragma once
#include <netinet/in.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace rtpgate::perf {

struct RelayConfig {
  std::string ip = "127.0.0.1";       // the relay's sockets
  std::string sink_ip = "127.0.0.1";  // where it forwards to
  uint16_t base_port = 0;
  uint32_t flows = 1000;  // even: flows 2c and 2c+1 are the two legs of call c
  uint16_t sink_port = 0;
  int rcvbuf_bytes = 0;   // 0 = the kernel's default (as the stock plugin)
  uint32_t batch = 32;    // mmsg: datagrams per recvmmsg/sendmmsg
};

struct RelayCounters {
  std::atomic<uint64_t> rx{0}, tx{0}, tx_errors{0};
};

// Owns the flows' sockets (closed on destruction).
class RelaySockets {
 public:
  RelaySockets() = default;
  ~RelaySockets();
  RelaySockets(const RelaySockets&) = delete;
  RelaySockets& operator=(const RelaySockets&) = delete;
  bool open(const RelayConfig& c, std::string* why);
  int fd(uint32_t flow) const noexcept { return fds_[flow]; }
  const sockaddr_in& sink() const noexcept { return sink_; }

 private:
  std::vector<int> fds_;
  sockaddr_in sink_{};
};

// Both run until `stop_fd` (an eventfd) becomes readable.
void run_stock_relay(const RelayConfig& c, const RelaySockets& s, int stop_fd, RelayCounters* out);
void run_mmsg_relay(const RelayConfig& c, const RelaySockets& s, int stop_fd, RelayCounters* out);

}  // namespace rtpgate::perf
