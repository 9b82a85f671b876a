// A UDP "SIP peer" that is barely one: it records every request sent to 127.0.0.1:<port> and
// answers nothing, except (optionally) a 200 OK to REGISTER. It lets API tests reach states such
// as `registering`, `registered` or `inviting` without a real SIP stack. Own receive thread.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace rtpgate::test {

class SipSink {
 public:
  struct Options {
    bool answer_register = false;  // 200 OK (Contact;expires=N) to every REGISTER
  };
  SipSink() : SipSink(Options{}) {}
  explicit SipSink(Options options);
  ~SipSink();
  SipSink(const SipSink&) = delete;
  SipSink& operator=(const SipSink&) = delete;

  uint16_t port() const { return port_; }
  // "sip:<user>@127.0.0.1:<port>"
  std::string uri(const std::string& user) const;

  // The next not yet returned request whose method is `method` (e.g. "REGISTER").
  std::optional<std::string> wait_request(std::string_view method,
                                          std::chrono::milliseconds timeout);

 private:
  void run();
  void answer_register(const std::string& request, const void* peer, unsigned peer_len);

  Options options_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::vector<std::string> requests_;
  std::vector<bool> taken_;
};

// The value of the first header `name` (case-insensitive, compact forms not handled) in a SIP
// message, without the trailing CRLF.
std::optional<std::string> sip_header(std::string_view message, std::string_view name);

}  // namespace rtpgate::test
