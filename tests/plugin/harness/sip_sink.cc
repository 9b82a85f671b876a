// The recording UDP SIP sink (its own receive thread; test thread for the accessors).
#include "sip_sink.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace rtpgate::test {
namespace {

std::string_view method_of(std::string_view request) {
  return request.substr(0, request.find(' '));
}

// All header lines `name: value` (case-insensitive name), in order.
std::vector<std::string> header_lines(std::string_view msg, std::string_view name) {
  std::vector<std::string> out;
  size_t pos = msg.find("\r\n");
  while (pos != std::string_view::npos && pos + 2 < msg.size()) {
    const size_t start = pos + 2;
    const size_t end = msg.find("\r\n", start);
    if (end == std::string_view::npos || end == start) break;  // end of headers
    std::string_view line = msg.substr(start, end - start);
    const size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string_view key = line.substr(0, colon);
      while (!key.empty() && key.back() == ' ') key.remove_suffix(1);
      if (key.size() == name.size() && strncasecmp(key.data(), name.data(), key.size()) == 0) {
        out.emplace_back(line);
      }
    }
    pos = end;
  }
  return out;
}

}  // namespace

std::optional<std::string> sip_header(std::string_view message, std::string_view name) {
  auto lines = header_lines(message, name);
  if (lines.empty()) return std::nullopt;
  std::string_view line = lines.front();
  line.remove_prefix(line.find(':') + 1);
  while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
  return std::string(line);
}

SipSink::SipSink(Options options) : options_(options) {
  fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::perror("SipSink socket");
    std::abort();
  }
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { run(); });
}

SipSink::~SipSink() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  thread_.join();
  close(fd_);
}

std::string SipSink::uri(const std::string& user) const {
  return "sip:" + user + "@127.0.0.1:" + std::to_string(port_);
}

void SipSink::run() {
  char buf[65536];
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stop_) return;
    }
    pollfd pfd{fd_, POLLIN, 0};
    if (poll(&pfd, 1, 20) <= 0) continue;
    sockaddr_in peer{};
    socklen_t peer_len = sizeof peer;
    const ssize_t n =
        recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&peer), &peer_len);
    if (n <= 0) continue;
    std::string msg(buf, static_cast<size_t>(n));
    if (msg.rfind("SIP/2.0", 0) == 0) continue;  // a response: not recorded
    if (options_.answer_register && method_of(msg) == "REGISTER") {
      answer_register(msg, &peer, peer_len);
    }
    std::lock_guard lock(mu_);
    requests_.push_back(std::move(msg));
    taken_.push_back(false);
    cv_.notify_all();
  }
}

void SipSink::answer_register(const std::string& request, const void* peer, unsigned peer_len) {
  std::string reply = "SIP/2.0 200 OK\r\n";
  for (const auto& via : header_lines(request, "Via")) reply += via + "\r\n";
  for (const char* name : {"From", "Call-ID", "CSeq"}) {
    if (auto v = sip_header(request, name)) reply += std::string(name) + ": " + *v + "\r\n";
  }
  if (auto to = sip_header(request, "To")) {
    reply += "To: " + *to + (to->find(";tag=") == std::string::npos ? ";tag=sink" : "") + "\r\n";
  }
  const std::string expires = sip_header(request, "Expires").value_or("3600");
  if (auto contact = sip_header(request, "Contact")) {
    reply += "Contact: " + *contact + ";expires=" + expires + "\r\n";
  }
  reply += "Content-Length: 0\r\n\r\n";
  sendto(fd_, reply.data(), reply.size(), 0, static_cast<const sockaddr*>(peer),
         static_cast<socklen_t>(peer_len));
}

std::optional<std::string> SipSink::wait_request(std::string_view method,
                                                 std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  std::optional<std::string> found;
  cv_.wait_for(lock, timeout, [&] {
    for (size_t i = 0; i < requests_.size(); ++i) {
      if (!taken_[i] && method_of(requests_[i]) == method) {
        taken_[i] = true;
        found = requests_[i];
        return true;
      }
    }
    return false;
  });
  return found;
}

}  // namespace rtpgate::test
