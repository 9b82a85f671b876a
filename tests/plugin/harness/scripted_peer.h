// A scripted SIP user agent on 127.0.0.1 (UDP) for tests that need the far end to answer and to
// send requests of its own: it answers REGISTER (200, Contact;expires), INVITE (200 with an SDP
// answer), BYE and CANCEL (200), and any other method with what the test scripted (default
// 200 OK); it records every request and response, and builds requests towards the plugin, inside
// a dialog the plugin opened (INVITE, SUBSCRIBE) or outside any dialog. Retransmissions of an
// answered request get the same answer again and are recorded once. Own receive thread; the
// accessors are for the test thread.
#pragma once
#include <netinet/in.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace rtpgate::test {

class ScriptedPeer {
 public:
  struct Reply {
    int code = 200;          // 0: do not answer
    std::string reason = "OK";
    std::string headers;     // extra header lines, each ending in "\r\n"
    std::string content_type;
    std::string body;
  };

  ScriptedPeer();
  ~ScriptedPeer();
  ScriptedPeer(const ScriptedPeer&) = delete;
  ScriptedPeer& operator=(const ScriptedPeer&) = delete;

  uint16_t port() const { return port_; }
  // "sip:<user>@127.0.0.1:<port>"
  std::string uri(const std::string& user) const;

  // Answers to the next requests with `method`, in order; the last one repeats.
  void script(const std::string& method, std::vector<Reply> replies);

  // The next request (or response, by its CSeq method) not yet returned.
  std::optional<std::string> wait_request(std::string_view method, std::chrono::milliseconds timeout);
  std::optional<std::string> wait_response(std::string_view cseq_method, std::chrono::milliseconds timeout);
  // Requests with `method` received so far (returned or not).
  int count(std::string_view method) const;

  // A request inside the dialog that `opener` (an INVITE or SUBSCRIBE of the plugin's that we
  // answered 2xx) created: From/To swapped with our tag, same Call-ID, its Contact as target.
  std::string in_dialog(const std::string& opener, const std::string& method, const std::string& headers,
                        const std::string& content_type = "", const std::string& body = "");
  // A request outside any dialog, from `from_user` at this peer to `to_uri`, sent to `target`.
  std::string out_of_dialog(const std::string& method, const std::string& target, const std::string& from_user,
                            const std::string& to_uri, const std::string& headers,
                            const std::string& content_type = "", const std::string& body = "",
                            const std::string& call_id = "");
  // Sends `message` to the address the plugin's last request came from. False when no request
  // was received yet.
  bool send(const std::string& message);

  // The URI inside a Contact header value ("<sip:a@h:p;transport=udp>" -> "sip:a@h:p;transport=udp").
  static std::string contact_uri(const std::string& contact_value);

 private:
  void run();
  void on_request(std::string msg, const sockaddr_in& from);
  std::string answer(const std::string& request, const Reply& reply) const;
  Reply next_reply(const std::string& method);
  std::string common_headers(const std::string& method, const std::string& call_id, const std::string& content_type,
                             const std::string& body);

  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool have_plugin_addr_ = false;
  sockaddr_in plugin_addr_{};
  std::map<std::string, std::vector<Reply>> scripts_;
  std::map<std::string, std::string> answered_;   // Via branch + method -> answer sent
  std::vector<std::string> requests_, responses_;
  std::vector<bool> requests_taken_, responses_taken_;
  unsigned cseq_ = 100;
  unsigned seq_ = 0;
};

// The message body (after the blank line). Headers: sip_header() of sip_sink.h.
std::string sip_body(std::string_view message);

}  // namespace rtpgate::test
