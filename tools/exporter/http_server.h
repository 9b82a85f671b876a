// A small HTTP server for the exporter on libmicrohttpd (one internal polling thread):
// GET /metrics answers with what the provider returns; / with a pointer to it; anything
// else 404/405. The provider runs on the server's thread only.
#pragma once
#include <functional>
#include <string>

struct MHD_Daemon;

namespace rtpgate::exporter {

class HttpServer {
 public:
  using Provider = std::function<std::string()>;
  HttpServer() = default;
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer() { stop(); }

  // listen: "ADDR:PORT" or "[V6ADDR]:PORT"; port 0 picks a free one (port() tells).
  bool start(const std::string& listen, Provider metrics, std::string* why);
  void stop();
  unsigned port() const noexcept { return port_; }

 private:
  MHD_Daemon* daemon_ = nullptr;
  Provider metrics_;
  unsigned port_ = 0;
};

}  // namespace rtpgate::exporter
