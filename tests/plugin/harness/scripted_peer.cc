// The scripted SIP peer (its own receive thread; test thread for the accessors).
#include "scripted_peer.h"

#include <arpa/inet.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "sip_sink.h"

namespace rtpgate::test {
namespace {

std::string_view first_token(std::string_view msg) { return msg.substr(0, msg.find(' ')); }

// "CSeq: 102 MESSAGE" -> "MESSAGE"
std::string cseq_method(std::string_view msg) {
  const std::string cseq = sip_header(msg, "CSeq").value_or("");
  const size_t sp = cseq.find(' ');
  return sp == std::string::npos ? "" : cseq.substr(sp + 1);
}

// Every "Via: ..." line of a message, in order.
std::vector<std::string> via_lines(std::string_view msg) {
  std::vector<std::string> out;
  size_t pos = msg.find("\r\n");
  while (pos != std::string_view::npos && pos + 2 < msg.size()) {
    const size_t start = pos + 2;
    const size_t end = msg.find("\r\n", start);
    if (end == std::string_view::npos || end == start) break;
    std::string_view line = msg.substr(start, end - start);
    if (line.size() > 4 && strncasecmp(line.data(), "Via:", 4) == 0) out.emplace_back(line);
    pos = end;
  }
  return out;
}

std::string branch_of(std::string_view msg) {
  const std::string via = sip_header(msg, "Via").value_or("");
  const size_t b = via.find("branch=");
  if (b == std::string::npos) return via;
  return via.substr(b, via.find(';', b) - b);
}

std::string with_tag(const std::string& addr, const std::string& tag) {
  return addr.find(";tag=") == std::string::npos ? addr + ";tag=" + tag : addr;
}

constexpr const char* kAnswerSdp =
    "v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n";

}  // namespace

std::string sip_body(std::string_view message) {
  const size_t p = message.find("\r\n\r\n");
  return p == std::string_view::npos ? "" : std::string(message.substr(p + 4));
}

std::string ScriptedPeer::contact_uri(const std::string& v) {
  const size_t lt = v.find('<');
  if (lt != std::string::npos) return v.substr(lt + 1, v.find('>', lt) - lt - 1);
  return v.substr(0, v.find(';'));
}

ScriptedPeer::ScriptedPeer() {
  fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::perror("ScriptedPeer socket");
    std::abort();
  }
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { run(); });
}

ScriptedPeer::~ScriptedPeer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  thread_.join();
  close(fd_);
}

std::string ScriptedPeer::uri(const std::string& user) const {
  return "sip:" + user + "@127.0.0.1:" + std::to_string(port_);
}

void ScriptedPeer::script(const std::string& method, std::vector<Reply> replies) {
  std::lock_guard lock(mu_);
  scripts_[method] = std::move(replies);
}

ScriptedPeer::Reply ScriptedPeer::next_reply(const std::string& method) {
  auto it = scripts_.find(method);
  if (it != scripts_.end() && !it->second.empty()) {
    Reply r = it->second.front();
    if (it->second.size() > 1) it->second.erase(it->second.begin());
    return r;
  }
  Reply r;
  if (method == "ACK") r.code = 0;
  if (method == "INVITE") {
    r.content_type = "application/sdp";
    r.body = kAnswerSdp;
  }
  return r;
}

std::string ScriptedPeer::answer(const std::string& req, const Reply& reply) const {
  std::string out = "SIP/2.0 " + std::to_string(reply.code) + " " + reply.reason + "\r\n";
  for (const std::string& via : via_lines(req)) out += via + "\r\n";
  for (const char* name : {"From", "Call-ID", "CSeq"})
    if (auto v = sip_header(req, name)) out += std::string(name) + ": " + *v + "\r\n";
  if (auto to = sip_header(req, "To")) out += "To: " + (reply.code > 100 ? with_tag(*to, "peer") : *to) + "\r\n";
  const std::string method(first_token(req));
  if (method == "REGISTER") {
    if (auto contact = sip_header(req, "Contact"))
      out += "Contact: " + *contact + ";expires=" + sip_header(req, "Expires").value_or("3600") + "\r\n";
  } else if (reply.code >= 200 && reply.code < 300 && method != "BYE" && method != "CANCEL") {
    out += "Contact: <" + uri("peer") + ">\r\n";
  }
  out += reply.headers;
  if (!reply.content_type.empty()) out += "Content-Type: " + reply.content_type + "\r\n";
  out += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n\r\n" + reply.body;
  return out;
}

void ScriptedPeer::on_request(std::string msg, const sockaddr_in& from) {
  const std::string method(first_token(msg));
  const std::string key = branch_of(msg) + " " + method;
  std::string reply_text;
  {
    std::lock_guard lock(mu_);
    plugin_addr_ = from;
    have_plugin_addr_ = true;
    if (auto it = answered_.find(key); it != answered_.end()) {
      reply_text = it->second;   // a retransmission: same answer, not recorded again
    } else {
      const Reply r = next_reply(method);
      if (r.code != 0) reply_text = answer(msg, r);
      answered_[key] = reply_text;
      requests_.push_back(msg);
      requests_taken_.push_back(false);
      cv_.notify_all();
    }
  }
  if (!reply_text.empty())
    sendto(fd_, reply_text.data(), reply_text.size(), 0, reinterpret_cast<const sockaddr*>(&from), sizeof from);
}

void ScriptedPeer::run() {
  std::vector<char> buf(65536);
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stop_) return;
    }
    pollfd pfd{fd_, POLLIN, 0};
    if (poll(&pfd, 1, 20) <= 0) continue;
    sockaddr_in from{};
    socklen_t len = sizeof from;
    const ssize_t n = recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n <= 0) continue;
    std::string msg(buf.data(), static_cast<size_t>(n));
    if (msg.rfind("SIP/2.0", 0) == 0) {
      std::lock_guard lock(mu_);
      responses_.push_back(std::move(msg));
      responses_taken_.push_back(false);
      cv_.notify_all();
      continue;
    }
    on_request(std::move(msg), from);
  }
}

std::optional<std::string> ScriptedPeer::wait_request(std::string_view method, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  std::optional<std::string> found;
  cv_.wait_for(lock, timeout, [&] {
    for (size_t i = 0; i < requests_.size(); ++i) {
      if (!requests_taken_[i] && first_token(requests_[i]) == method) {
        requests_taken_[i] = true;
        found = requests_[i];
        return true;
      }
    }
    return false;
  });
  return found;
}

std::optional<std::string> ScriptedPeer::wait_response(std::string_view method, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  std::optional<std::string> found;
  cv_.wait_for(lock, timeout, [&] {
    for (size_t i = 0; i < responses_.size(); ++i) {
      if (!responses_taken_[i] && cseq_method(responses_[i]) == method) {
        responses_taken_[i] = true;
        found = responses_[i];
        return true;
      }
    }
    return false;
  });
  return found;
}

int ScriptedPeer::count(std::string_view method) const {
  std::lock_guard lock(mu_);
  int n = 0;
  for (const std::string& r : requests_) n += first_token(r) == method ? 1 : 0;
  return n;
}

std::string ScriptedPeer::common_headers(const std::string& method, const std::string& call_id,
                                         const std::string& content_type, const std::string& body) {
  unsigned cseq, seq;
  {
    std::lock_guard lock(mu_);
    cseq = ++cseq_;
    seq = ++seq_;
  }
  std::string h = "Via: SIP/2.0/UDP 127.0.0.1:" + std::to_string(port_) + ";branch=z9hG4bKpeer" +
                  std::to_string(port_) + "x" + std::to_string(seq) + ";rport\r\n";
  h += "Max-Forwards: 70\r\nCall-ID: " + call_id + "\r\nCSeq: " + std::to_string(cseq) + " " + method + "\r\n";
  h += "Contact: <" + uri("peer") + ">\r\n";
  if (!content_type.empty()) h += "Content-Type: " + content_type + "\r\n";
  h += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return h;
}

std::string ScriptedPeer::in_dialog(const std::string& opener, const std::string& method, const std::string& headers,
                                    const std::string& content_type, const std::string& body) {
  const std::string target = contact_uri(sip_header(opener, "Contact").value_or(""));
  std::string m = method + " " + target + " SIP/2.0\r\n";
  m += "From: " + with_tag(sip_header(opener, "To").value_or(""), "peer") + "\r\n";
  m += "To: " + sip_header(opener, "From").value_or("") + "\r\n";
  m += headers;
  m += common_headers(method, sip_header(opener, "Call-ID").value_or(""), content_type, body);
  return m + "\r\n" + body;
}

std::string ScriptedPeer::out_of_dialog(const std::string& method, const std::string& target,
                                        const std::string& from_user, const std::string& to_uri,
                                        const std::string& headers, const std::string& content_type,
                                        const std::string& body, const std::string& call_id) {
  unsigned seq;
  {
    std::lock_guard lock(mu_);
    seq = ++seq_;
  }
  const std::string id = call_id.empty() ? "peer-" + std::to_string(port_) + "-" + std::to_string(seq) : call_id;
  std::string m = method + " " + target + " SIP/2.0\r\n";
  m += "From: <" + uri(from_user) + ">;tag=peer" + std::to_string(seq) + "\r\n";
  m += "To: <" + to_uri + ">\r\n";
  m += headers;
  m += common_headers(method, id, content_type, body);
  return m + "\r\n" + body;
}

bool ScriptedPeer::send(const std::string& message) {
  sockaddr_in to{};
  {
    std::lock_guard lock(mu_);
    if (!have_plugin_addr_) return false;
    to = plugin_addr_;
  }
  return sendto(fd_, message.data(), message.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) ==
         static_cast<ssize_t>(message.size());
}

}  // namespace rtpgate::test
