#include "http_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

namespace rtpgate::exporter {
namespace {

constexpr const char kMetricsType[] = "text/plain; version=0.0.4; charset=utf-8";
constexpr const char kIndex[] = "rtpgate-exporter: metrics at /metrics\n";

MHD_Result reply(MHD_Connection* c, unsigned code, const std::string& body, const char* type) {
  MHD_Response* r = MHD_create_response_from_buffer(body.size(), const_cast<char*>(body.data()), MHD_RESPMEM_MUST_COPY);
  if (r == nullptr) return MHD_NO;
  MHD_add_response_header(r, "Content-Type", type);
  const MHD_Result ok = MHD_queue_response(c, code, r);
  MHD_destroy_response(r);
  return ok;
}

MHD_Result on_request(void* cls, MHD_Connection* c, const char* url, const char* method, const char*, const char*,
                      size_t* upload_size, void**) {
  if (std::strcmp(method, "GET") != 0 && std::strcmp(method, "HEAD") != 0) {
    *upload_size = 0;
    return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET\n", "text/plain");
  }
  if (std::strcmp(url, "/metrics") == 0) return reply(c, MHD_HTTP_OK, (*static_cast<HttpServer::Provider*>(cls))(), kMetricsType);
  if (std::strcmp(url, "/") == 0) return reply(c, MHD_HTTP_OK, kIndex, "text/plain");
  return reply(c, MHD_HTTP_NOT_FOUND, "not found\n", "text/plain");
}

bool parse_listen(const std::string& s, sockaddr_storage* ss, socklen_t* len) {
  std::memset(ss, 0, sizeof *ss);
  std::string host;
  std::string port;
  if (!s.empty() && s[0] == '[') {
    const auto e = s.find("]:");
    if (e == std::string::npos) return false;
    host = s.substr(1, e - 1);
    port = s.substr(e + 2);
  } else {
    const auto e = s.rfind(':');
    if (e == std::string::npos) return false;
    host = s.substr(0, e);
    port = s.substr(e + 1);
  }
  char* end = nullptr;
  const unsigned long p = std::strtoul(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || p > 65535) return false;
  auto* v4 = reinterpret_cast<sockaddr_in*>(ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(ss);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(p));
    *len = sizeof *v4;
    return true;
  }
  if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(p));
    *len = sizeof *v6;
    return true;
  }
  return false;
}

}  // namespace

bool HttpServer::start(const std::string& listen, Provider metrics, std::string* why) {
  sockaddr_storage ss;
  socklen_t len = 0;
  if (!parse_listen(listen, &ss, &len)) return *why = "bad listen address '" + listen + "' (ADDR:PORT or [V6]:PORT)", false;
  metrics_ = std::move(metrics);
  const unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
  const uint16_t want = ntohs(ss.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                                                       : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  daemon_ = MHD_start_daemon(flags, want, nullptr, nullptr, &on_request, &metrics_, MHD_OPTION_SOCK_ADDR,
                             reinterpret_cast<sockaddr*>(&ss), MHD_OPTION_CONNECTION_LIMIT, 16u,
                             MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
  if (daemon_ == nullptr) return *why = "cannot listen on " + listen + ": " + std::strerror(errno), false;
  const MHD_DaemonInfo* info = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
  port_ = info != nullptr ? info->port : want;
  (void)len;
  return true;
}

void HttpServer::stop() {
  if (daemon_ != nullptr) MHD_stop_daemon(daemon_);
  daemon_ = nullptr;
}

}  // namespace rtpgate::exporter
