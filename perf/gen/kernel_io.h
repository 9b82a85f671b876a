// rtpgate-perf's kernel engine: one UDP socket on loopback that sends every flow's RTP
// to the relay under test (sendmmsg, one destination port per flow) and receives what the
// relay forwards back to it (recvmmsg). The same stamps, pacing and sink as the DPDK
// engine; the clock is CLOCK_MONOTONIC in ns. Runs on one thread.
#pragma once
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "flow_sink.h"
#include "profile.h"
#include "stamp.h"
#include "trial_loop.h"

namespace rtpgate::perf {

struct KernelIoConfig {
  std::string ip = "127.0.0.1";     // ours (the relay sends here)
  std::string dst_ip;               // the relay's ("" = ip)
  uint16_t bind_port = 0;           // where the relay sends (the "peer" of every call)
  std::vector<uint16_t> dst_ports;  // per flow: the relay port it sends to
  uint32_t rcvbuf_bytes = 64u << 20;
};

class KernelIo {
 public:
  static std::unique_ptr<KernelIo> create(const KernelIoConfig& c, std::string* why);
  ~KernelIo();
  KernelIo(const KernelIo&) = delete;
  KernelIo& operator=(const KernelIo&) = delete;

  void use(FlowSchedule* sched) noexcept { sched_ = sched; }

  uint64_t hz() const noexcept { return 1000000000ull; }
  uint64_t now() const noexcept {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
  }

  void rx(FlowSink& sink, uint64_t now) noexcept;
  // Sockets do not refuse (a UDP send only fails when the socket's own buffer is full):
  // keep_unsent has no use here.
  TxDone tx(uint32_t n, uint64_t now, uint32_t epoch, bool keep_unsent) noexcept;
  uint32_t discard_unsent() noexcept { return 0; }

  static constexpr uint32_t kBatch = 64;
  static constexpr uint32_t kBufBytes = 1500;

 private:
  explicit KernelIo(const KernelIoConfig& c) : c_(c) {}
  bool setup(std::string* why);

  KernelIoConfig c_;
  int fd_ = -1;
  FlowSchedule* sched_ = nullptr;
  std::vector<sockaddr_in> dst_;  // per flow
  // Send and receive slots: buffers pre-filled with the payload pattern.
  std::vector<uint8_t> tx_buf_, rx_buf_;
  mmsghdr tx_msg_[kBatch]{}, rx_msg_[kBatch]{};
  iovec tx_iov_[kBatch]{}, rx_iov_[kBatch]{};
};

}  // namespace rtpgate::perf
