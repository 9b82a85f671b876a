// rtpgate-perf's kernel engine: socket set-up (start-up) and the batched send and receive
// calls (the generator thread during trials).
#include "kernel_io.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace rtpgate::perf {
namespace {

bool set_buf(int fd, int force_opt, int opt, uint32_t bytes) {
  const int v = static_cast<int>(bytes);
  return setsockopt(fd, SOL_SOCKET, force_opt, &v, sizeof v) == 0 || setsockopt(fd, SOL_SOCKET, opt, &v, sizeof v) == 0;
}

}  // namespace

std::unique_ptr<KernelIo> KernelIo::create(const KernelIoConfig& c, std::string* why) {
  std::unique_ptr<KernelIo> io(new KernelIo(c));
  if (!io->setup(why)) return nullptr;
  return io;
}

KernelIo::~KernelIo() {
  if (fd_ >= 0) close(fd_);
}

bool KernelIo::setup(std::string* why) {
  sockaddr_in me{};
  me.sin_family = AF_INET;
  me.sin_port = htons(c_.bind_port);
  if (inet_pton(AF_INET, c_.ip.c_str(), &me.sin_addr) != 1) return *why = "bad address " + c_.ip, false;
  fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return *why = std::string("socket: ") + std::strerror(errno), false;
  set_buf(fd_, SO_RCVBUFFORCE, SO_RCVBUF, c_.rcvbuf_bytes);
  set_buf(fd_, SO_SNDBUFFORCE, SO_SNDBUF, 4u << 20);
  if (bind(fd_, reinterpret_cast<sockaddr*>(&me), sizeof me) != 0)
    return *why = "bind " + c_.ip + ":" + std::to_string(c_.bind_port) + ": " + std::strerror(errno), false;
  sockaddr_in relay = me;
  const std::string& dst_ip = c_.dst_ip.empty() ? c_.ip : c_.dst_ip;
  if (inet_pton(AF_INET, dst_ip.c_str(), &relay.sin_addr) != 1) return *why = "bad address " + dst_ip, false;
  for (uint16_t port : c_.dst_ports) {
    sockaddr_in d = relay;
    d.sin_port = htons(port);
    dst_.push_back(d);
  }
  tx_buf_.resize(size_t{kBatch} * kBufBytes);
  rx_buf_.resize(size_t{kBatch} * kBufBytes);
  for (uint32_t i = 0; i < kBatch; i++) {
    uint8_t* b = &tx_buf_[size_t{i} * kBufBytes];
    for (uint32_t o = 0; o < kBufBytes; o++) b[o] = static_cast<uint8_t>(0xd5 ^ o);  // as the DPDK engine
    tx_msg_[i].msg_hdr.msg_iov = &tx_iov_[i];
    tx_msg_[i].msg_hdr.msg_iovlen = 1;
    tx_msg_[i].msg_hdr.msg_namelen = sizeof(sockaddr_in);
    rx_iov_[i] = iovec{&rx_buf_[size_t{i} * kBufBytes], kBufBytes};
    rx_msg_[i].msg_hdr.msg_iov = &rx_iov_[i];
    rx_msg_[i].msg_hdr.msg_iovlen = 1;
  }
  return true;
}

TxDone KernelIo::tx(uint32_t n, uint64_t now, uint32_t epoch, bool) noexcept {
  if (n > kBatch) n = kBatch;
  const auto& classes = sched_->classes();
  for (uint32_t i = 0; i < n; i++) {
    const FlowSchedule::Next nx = sched_->next();
    const Profile& pr = *classes[nx.cls].profile;
    uint8_t* b = &tx_buf_[size_t{i} * kBufBytes];
    write_rtp_stamp(b, pr.pt, flow_ssrc(nx.flow), pr.ts_step, Stamp{kStampMagic, nx.flow, nx.seq, epoch, now});
    tx_iov_[i] = iovec{b, pr.rtp_bytes};
    tx_msg_[i].msg_hdr.msg_name = &dst_[nx.flow];
  }
  const int sent = sendmmsg(fd_, tx_msg_, n, MSG_DONTWAIT);
  const uint32_t ok = sent < 0 ? 0 : static_cast<uint32_t>(sent);
  return TxDone{n, n - ok, 0, ok < n};
}

void KernelIo::rx(FlowSink& sink, uint64_t now) noexcept {
  const int n = recvmmsg(fd_, rx_msg_, kBatch, MSG_DONTWAIT, nullptr);
  for (int i = 0; i < n; i++) {
    Stamp s;
    const uint32_t len = rx_msg_[i].msg_len;
    if (read_rtp_stamp(static_cast<const uint8_t*>(rx_iov_[i].iov_base), len, &s)) {
      sink.on_packet(s, now, len);
    } else {
      sink.count_foreign();
    }
  }
}

}  // namespace rtpgate::perf
