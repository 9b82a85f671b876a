// rtpgate-kernel-relay: the flows' UDP sockets (main thread, start-up and exit).
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "relay.h"

namespace rtpgate::perf {

RelaySockets::~RelaySockets() {
  for (int fd : fds_) close(fd);
}

bool RelaySockets::open(const RelayConfig& c, std::string* why) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  if (inet_pton(AF_INET, c.ip.c_str(), &a.sin_addr) != 1) return *why = "bad address " + c.ip, false;
  sink_.sin_family = AF_INET;
  sink_.sin_port = htons(c.sink_port);
  if (inet_pton(AF_INET, c.sink_ip.c_str(), &sink_.sin_addr) != 1) return *why = "bad address " + c.sink_ip, false;
  for (uint32_t i = 0; i < c.flows; i++) {
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return *why = std::string("socket: ") + std::strerror(errno), false;
    fds_.push_back(fd);
    if (c.rcvbuf_bytes > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &c.rcvbuf_bytes, sizeof c.rcvbuf_bytes);
    a.sin_port = htons(static_cast<uint16_t>(c.base_port + i));
    if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
      return *why = "bind port " + std::to_string(c.base_port + i) + ": " + std::strerror(errno), false;
  }
  return true;
}

}  // namespace rtpgate::perf
