// SDES-SRTP through the plugin API (spec §4.3, §4.4, §5 incomingcall.srtp, §9.1–9.3,
// §15.1): the a=crypto lines and proto of the SDP that reaches the SIP side, 452 on
// accept, the `srtp` field of incomingcall and the query_session flags. Incoming calls
// come from a tiny UDP user agent (RawUac) sending to the plugin's own SIP port, which
// the REGISTER's Contact reveals.
#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <regex>
#include <string>
#include <thread>

#include "json_ref.h"
#include "log_capture.h"
#include "plugin_test_env.h"
#include "sdes_probe.h"
#include "sip_sink.h"

namespace rtpgate::test {
namespace {

using Clock = std::chrono::steady_clock;

// A caller on 127.0.0.1 that sends one INVITE and answers what it must (ACK to a final
// non-2xx, 200 to BYE). Test thread only.
class RawUac {
 public:
  RawUac() {
    fd_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    std::random_device rd;
    tag_ = std::to_string(rd());
    call_id_ = "srtp-test-" + std::to_string(rd()) + "@127.0.0.1";
  }
  ~RawUac() { close(fd_); }
  RawUac(const RawUac&) = delete;
  RawUac& operator=(const RawUac&) = delete;

  const std::string& call_id() const { return call_id_; }

  void invite(uint16_t to_port, const std::string& sdp) {
    to_port_ = to_port;
    branch_ = "z9hG4bK" + tag_ + "i";
    send(std::string("INVITE sip:alice@127.0.0.1:") + std::to_string(to_port) + " SIP/2.0\r\n" + via() +
         "Max-Forwards: 70\r\n" + from() + "To: <sip:alice@127.0.0.1>\r\nCall-ID: " + call_id_ +
         "\r\nCSeq: 1 INVITE\r\nContact: <sip:carol@127.0.0.1:" + std::to_string(port_) + ">\r\n" +
         (sdp.empty() ? "" : "Content-Type: application/sdp\r\n") + "Content-Length: " +
         std::to_string(sdp.size()) + "\r\n\r\n" + sdp);
  }

  // The next final response (>= 200) to the INVITE; ACKs non-2xx ones. Answers BYEs.
  std::optional<std::string> wait_final(std::chrono::milliseconds timeout) {
    const auto end = Clock::now() + timeout;
    while (Clock::now() < end) {
      auto msg = receive(end);
      if (!msg) break;
      if (msg->rfind("SIP/2.0 ", 0) != 0) continue;
      const int code = std::stoi(msg->substr(8, 3));
      if (code < 200) continue;
      if (sip_header(*msg, "CSeq").value_or("").find("INVITE") == std::string::npos) continue;
      if (code >= 300) ack(*msg, branch_);
      return msg;
    }
    return std::nullopt;
  }

  // The next provisional response `code` to the INVITE.
  bool wait_provisional(int code, std::chrono::milliseconds timeout) {
    const auto end = Clock::now() + timeout;
    while (auto msg = receive(end))
      if (msg->rfind("SIP/2.0 " + std::to_string(code), 0) == 0) return true;
    return false;
  }

  // ACK to a 2xx (new transaction), with an SDP answer when `sdp` is not empty.
  void ack_2xx(const std::string& ok, const std::string& sdp = "") { ack(ok, "z9hG4bK" + tag_ + "a", sdp); }

  // A re-INVITE in the dialog a 2xx `ok` established (CSeq 2), with a new SDP.
  void reinvite(const std::string& ok, const std::string& sdp) {
    branch_ = "z9hG4bK" + tag_ + "r";
    send(std::string("INVITE sip:alice@127.0.0.1:") + std::to_string(to_port_) + " SIP/2.0\r\n" + via() +
         "Max-Forwards: 70\r\n" + from() + "To: " + sip_header(ok, "To").value_or("") + "\r\nCall-ID: " +
         call_id_ + "\r\nCSeq: 2 INVITE\r\nContact: <sip:carol@127.0.0.1:" + std::to_string(port_) +
         ">\r\nContent-Type: application/sdp\r\nContent-Length: " + std::to_string(sdp.size()) + "\r\n\r\n" +
         sdp);
  }

  // The next final response whose CSeq is `cseq` ("2 INVITE").
  std::optional<std::string> wait_final_cseq(const std::string& cseq, std::chrono::milliseconds timeout) {
    const auto end = Clock::now() + timeout;
    while (auto msg = receive(end)) {
      if (msg->rfind("SIP/2.0 ", 0) != 0 || std::stoi(msg->substr(8, 3)) < 200) continue;
      if (sip_header(*msg, "CSeq").value_or("") == cseq) return msg;
    }
    return std::nullopt;
  }

  // The next BYE the plugin sends (answered 200 by receive()).
  bool wait_bye(std::chrono::milliseconds timeout) {
    const size_t before = byes_;
    const auto end = Clock::now() + timeout;
    while (byes_ == before && receive(end)) {
    }
    return byes_ > before;
  }

 private:
  std::string via() const {
    return "Via: SIP/2.0/UDP 127.0.0.1:" + std::to_string(port_) + ";branch=" + branch_ + ";rport\r\n";
  }
  std::string from() const { return "From: <sip:carol@127.0.0.1>;tag=" + tag_ + "\r\n"; }

  void ack(const std::string& resp, const std::string& branch, const std::string& sdp = "") {
    const std::string saved = branch_;
    branch_ = branch;
    send(std::string("ACK sip:alice@127.0.0.1:") + std::to_string(to_port_) + " SIP/2.0\r\n" + via() +
         "Max-Forwards: 70\r\n" + from() + "To: " + sip_header(resp, "To").value_or("") + "\r\nCall-ID: " +
         call_id_ + "\r\nCSeq: 1 ACK\r\n" + (sdp.empty() ? "" : "Content-Type: application/sdp\r\n") +
         "Content-Length: " + std::to_string(sdp.size()) + "\r\n\r\n" + sdp);
    branch_ = saved;
  }

  void answer_bye(const std::string& req) {
    std::string r = "SIP/2.0 200 OK\r\n";
    for (const char* h : {"Via", "From", "To", "Call-ID", "CSeq"})
      if (auto v = sip_header(req, h)) r += std::string(h) + ": " + *v + "\r\n";
    send(r + "Content-Length: 0\r\n\r\n");
  }

  std::optional<std::string> receive(Clock::time_point end) {
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now()).count();
      if (left <= 0) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left)) <= 0) return std::nullopt;
      char buf[8192];
      const ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) continue;
      std::string msg(buf, static_cast<size_t>(n));
      if (getenv("RTPGATE_SRTP_TEST_TRACE") != nullptr) fprintf(stderr, "RawUac got:\n%s\n", msg.c_str());
      if (msg.rfind("BYE ", 0) == 0) {
        answer_bye(msg);
        byes_++;
      }
      return msg;
    }
  }

  void send(const std::string& msg) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(to_port_);
    sendto(fd_, msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }

  int fd_ = -1;
  uint16_t port_ = 0;
  uint16_t to_port_ = 0;
  std::string tag_, call_id_, branch_;
  size_t byes_ = 0;
};

// 30 bytes of key||salt in base64 (AES_CM_128_*), 44 (AEAD_AES_256_GCM).
constexpr const char* kKey30 = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz";
constexpr const char* kKey44 = "YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY3ODkwYWJjZGVmZ2g=";
constexpr const char* kNewKey30 = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNk";   // 30 other bytes

std::string sip_offer(const std::string& proto, const std::string& crypto_lines) {
  return "v=0\r\no=carol 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
         "m=audio 40000 " + proto + " 0\r\na=rtpmap:0 PCMU/8000\r\n" + crypto_lines;
}

std::string answer_jsep() {
  return R"({"type":"answer","sdp":"v=0\r\no=- 4611731400430051337 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n)"
         R"(m=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n"})";
}

std::string body_of(const std::string& sip) {
  const size_t p = sip.find("\r\n\r\n");
  return p == std::string::npos ? "" : sip.substr(p + 4);
}

// The o= line of an SDP.
std::string origin_line(const std::string& sdp) {
  const size_t o = sdp.find("o=");
  return o == std::string::npos ? "" : sdp.substr(o, sdp.find("\r\n", o) - o);
}

// Every "a=crypto:" value of an SDP, in order.
std::vector<std::string> crypto_lines(const std::string& sdp) {
  std::vector<std::string> out;
  static const std::regex re("a=crypto:([^\r\n]*)");
  for (auto it = std::sregex_iterator(sdp.begin(), sdp.end(), re); it != std::sregex_iterator(); ++it)
    out.push_back((*it)[1].str());
  return out;
}

// The Janus core calls srtp_init() at start-up; the stock plugin relies on it (its SRTP
// contexts fail with srtp_err_status_init_fail otherwise). The harness's fake core does
// not, so the test does it, once, through the libsrtp2 the core library brought in.
void init_libsrtp_for_stock() {
  static const bool done = [] {
    using InitFn = int (*)();
    auto* fn = reinterpret_cast<InitFn>(dlsym(RTLD_DEFAULT, "srtp_init"));
    return fn != nullptr && fn() == 0;
  }();
  (void)done;
}

class Srtp : public PluginApiTest {
 protected:
  void SetUp() override {
    if (stock()) init_libsrtp_for_stock();
  }
  // Outgoing call to the sink; returns the INVITE that left.
  std::optional<std::string> call_out(const std::string& srtp_fields, bool video = false) {
    h_ = attach();
    guest_register(h_);
    PluginEvent ev = request(h_, R"({"request":"call","uri":")" + sink_.uri("bob") + "\"" + srtp_fields + "}",
                             offer_jsep(true, video));
    EXPECT_TRUE(IsResult(ev, "calling")) << ev.dump();
    return sink_.wait_request("INVITE", kEventTimeout);
  }

  std::string query(const char* key) {
    JsonRef q = core().query_session(h_);
    return string_at(q.get(), key).value_or("<absent>");
  }

  // A registered session and an INVITE from RawUac; returns the incomingcall event.
  std::optional<PluginEvent> call_in(const std::string& sdp) {
    h_ = attach();
    const std::string reg = R"({"request":"register","username":"sip:alice@127.0.0.1","secret":")" + secret_ +
                            R"(","proxy":"sip:127.0.0.1:)" + std::to_string(registrar_.port()) + "\"}";
    EXPECT_TRUE(IsResult(request(h_, reg), "registering"));
    auto sip = registrar_.wait_request("REGISTER", kEventTimeout);
    if (!sip) return std::nullopt;
    const std::string contact = sip_header(*sip, "Contact").value_or("");
    std::smatch m;
    if (!std::regex_search(contact, m, std::regex("@127\\.0\\.0\\.1:([0-9]+)"))) {
      ADD_FAILURE() << "no port in Contact: " << contact;
      return std::nullopt;
    }
    if (!core().wait_event_if(h_, [](const PluginEvent& e) { return e.result_event() == "registered"; },
                              kEventTimeout))
      return std::nullopt;
    uac_.invite(static_cast<uint16_t>(std::stoi(m[1].str())), sdp);
    auto ev = core().wait_event_if(h_, [](const PluginEvent& e) { return e.result_event() == "incomingcall"; },
                                   kEventTimeout);
    // The stock plugin stores the INVITE's handle only when its Sofia thread reports the
    // `received` call state, which can come after incomingcall and even after its 180: an
    // accept/decline handled before that is lost ("NUA Handle for 200 OK still null??").
    // Answer after the 180 and, for stock, a moment later, as a human would.
    EXPECT_TRUE(uac_.wait_provisional(180, kEventTimeout));
    if (stock()) std::this_thread::sleep_for(std::chrono::milliseconds(300));
    return ev;
  }

  // An incoming call offering `crypto_lines` on RTP/SAVP, accepted; returns our 200 (ACKed).
  std::string accepted_call(const std::string& crypto_lines) {
    auto ev = call_in(sip_offer("RTP/SAVP", crypto_lines));
    EXPECT_TRUE(ev);
    EXPECT_TRUE(IsResult(request(h_, R"({"request":"accept"})", answer_jsep()), "accepted"));
    auto ok = uac_.wait_final(kEventTimeout);
    EXPECT_TRUE(ok);
    if (!ok) return "";
    EXPECT_EQ(ok->substr(0, 11), "SIP/2.0 200") << *ok;
    uac_.ack_2xx(*ok);
    return *ok;
  }

  // The peer's re-INVITE (o= version 2) offering `crypto_lines`; returns our final answer
  // (ACKed when a 200).
  std::string reinvite_with(const std::string& ok, const std::string& crypto_lines) {
    std::string offer = sip_offer("RTP/SAVP", crypto_lines);
    offer.replace(offer.find("o=carol 1 1"), 11, "o=carol 1 2");
    uac_.reinvite(ok, offer);
    auto re = uac_.wait_final_cseq("2 INVITE", kEventTimeout);
    EXPECT_TRUE(re) << "no final response to the re-INVITE";
    if (!re) return "";
    if (re->substr(0, 11) == "SIP/2.0 200") uac_.ack_2xx(*re);
    return *re;
  }

  // An SDES call (the peer's a=crypto:1 AES_CM_128_HMAC_SHA1_80 with kKey30), then the
  // peer's re-INVITE offering `offer_lines`, answered 200: our SDP and a=crypto line in
  // both 200s, and the audio stream's SRTP contexts before and after the re-INVITE.
  struct Rekey {
    std::string first_sdp, second_sdp, first, second;
    SrtpSlots before, after;
  };
  ::testing::AssertionResult rekey(const std::string& offer_lines, Rekey* r) {
    const std::string ok = accepted_call(std::string("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:") + kKey30 + "\r\n");
    r->first_sdp = body_of(ok);
    auto first = crypto_lines(r->first_sdp);
    if (first.size() != 1) return ::testing::AssertionFailure() << "our 200: " << ok;
    r->before = srtp_slots(h_, "audio");
    const std::string re = reinvite_with(ok, offer_lines);
    r->second_sdp = body_of(re);
    auto second = crypto_lines(r->second_sdp);
    if (re.substr(0, 11) != "SIP/2.0 200" || second.size() != 1)
      return ::testing::AssertionFailure() << "our answer to the re-INVITE: " << re;
    r->after = srtp_slots(h_, "audio");
    r->first = first[0];
    r->second = second[0];
    return ::testing::AssertionSuccess();
  }

  void hang_up() {
    ASSERT_TRUE(IsResult(request(h_, R"({"request":"hangup"})"), "hangingup"));
    uac_.wait_bye(std::chrono::milliseconds(500));
  }

  SipSink sink_;
  SipSink registrar_{SipSink::Options{.answer_register = true}};
  RawUac uac_;
  janus_plugin_session* h_ = nullptr;
  std::string secret_ = "pw";
};

// --- our offers (call) ---

TEST_F(Srtp, OptionalOffersRtpAvpWithCryptoTag1) {
  auto sip = call_out(R"(,"srtp":"sdes_optional")");
  ASSERT_TRUE(sip);
  const std::string sdp = body_of(*sip);
  EXPECT_NE(sdp.find(" RTP/AVP "), std::string::npos) << sdp;
  EXPECT_EQ(sdp.find("RTP/SAVP"), std::string::npos) << sdp;
  auto lines = crypto_lines(sdp);
  ASSERT_EQ(lines.size(), 1u) << sdp;
  EXPECT_TRUE(std::regex_match(lines[0], std::regex("1 AES_CM_128_HMAC_SHA1_80 inline:[A-Za-z0-9+/]{40}")))
      << lines[0];
  EXPECT_EQ(query("srtp-required"), "no");
  EXPECT_EQ(query("sdes-local-audio"), "yes");
  // v1.1.2 makes a video key (and says "yes") even without a video m-line; ours only keys
  // the media it offers.
  if (!stock()) {
    EXPECT_EQ(query("sdes-local-video"), "no");
  }
  EXPECT_EQ(query("sdes-remote-audio"), "no");
}

TEST_F(Srtp, MandatoryOffersRtpSavpWithTheAskedProfile) {
  auto sip = call_out(R"(,"srtp":"sdes_mandatory","srtp_profile":"AES_CM_128_HMAC_SHA1_32")", /*video=*/true);
  ASSERT_TRUE(sip);
  const std::string sdp = body_of(*sip);
  EXPECT_NE(sdp.find("m=audio "), std::string::npos);
  EXPECT_EQ(sdp.find(" RTP/AVP "), std::string::npos) << sdp;
  EXPECT_NE(sdp.find(" RTP/SAVP "), std::string::npos) << sdp;
  auto lines = crypto_lines(sdp);
  ASSERT_EQ(lines.size(), 2u) << sdp;   // audio and video, each its own key
  for (const std::string& l : lines)
    EXPECT_TRUE(std::regex_match(l, std::regex("1 AES_CM_128_HMAC_SHA1_32 inline:[A-Za-z0-9+/]{40}"))) << l;
  EXPECT_NE(lines[0], lines[1]);
  EXPECT_EQ(query("srtp-required"), "yes");
  EXPECT_EQ(query("sdes-local-audio"), "yes");
  EXPECT_EQ(query("sdes-local-video"), "yes");
}

TEST_F(Srtp, GcmProfilesCarryTheirKeyLengths) {
  auto sip = call_out(R"(,"srtp":"sdes_optional","srtp_profile":"AEAD_AES_256_GCM")");
  ASSERT_TRUE(sip);
  auto lines = crypto_lines(body_of(*sip));
  ASSERT_EQ(lines.size(), 1u) << *sip;
  // 44 bytes of key||salt: 60 base64 characters, one '=' of padding.
  EXPECT_TRUE(std::regex_match(lines[0], std::regex("1 AEAD_AES_256_GCM inline:[A-Za-z0-9+/]{59}=")))
      << lines[0];
}

TEST_F(Srtp, NoSrtpNoCrypto) {
  auto sip = call_out("");
  ASSERT_TRUE(sip);
  EXPECT_TRUE(crypto_lines(body_of(*sip)).empty()) << *sip;
  EXPECT_NE(body_of(*sip).find(" RTP/AVP "), std::string::npos);
  EXPECT_EQ(query("srtp-required"), "no");
  EXPECT_EQ(query("sdes-local-audio"), "no");
}

TEST_F(Srtp, EveryCallGetsFreshKeys) {
  auto first = call_out(R"(,"srtp":"sdes_optional")");
  ASSERT_TRUE(first);
  auto* other = attach();
  guest_register(other, "dave");
  ASSERT_TRUE(IsResult(request(other, R"({"request":"call","uri":")" + sink_.uri("bob") +
                                          R"(","srtp":"sdes_optional"})", offer_jsep()), "calling"));
  auto second = sink_.wait_request("INVITE", kEventTimeout);
  ASSERT_TRUE(second);
  auto a = crypto_lines(body_of(*first)), b = crypto_lines(body_of(*second));
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_NE(a[0], b[0]);
}

// --- incoming calls ---

TEST_F(Srtp, IncomingCallWithCryptoOnRtpAvpIsSdesOptional) {
  auto ev = call_in(sip_offer("RTP/AVP", std::string("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:") + kKey30 + "\r\n"));
  ASSERT_TRUE(ev);
  EXPECT_EQ(string_at(ev->result(), "srtp"), "sdes_optional") << ev->dump();
  EXPECT_EQ(query("srtp-required"), "no");
  EXPECT_EQ(query("sdes-remote-audio"), "yes");
}

TEST_F(Srtp, IncomingCallOnRtpSavpIsSdesMandatory) {
  auto ev = call_in(sip_offer("RTP/SAVP", std::string("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:") + kKey30 + "\r\n"));
  ASSERT_TRUE(ev);
  EXPECT_EQ(string_at(ev->result(), "srtp"), "sdes_mandatory") << ev->dump();
  EXPECT_EQ(query("srtp-required"), "yes");
}

TEST_F(Srtp, IncomingCallWithoutCryptoHasNoSrtpField) {
  auto ev = call_in(sip_offer("RTP/AVP", ""));
  ASSERT_TRUE(ev);
  EXPECT_FALSE(string_at(ev->result(), "srtp")) << ev->dump();
  // A part-1 field checked here for want of a plainer incoming call: the From is a bare
  // "<uri>", and 1.1.2 reports its empty display name as "" rather than leaving it out.
  EXPECT_EQ(string_at(ev->result(), "displayname"), "") << ev->dump();
  EXPECT_EQ(query("sdes-remote-audio"), "no");
}

TEST_F(Srtp, AcceptMandatoryWithoutCryptoInTheOfferIs452) {
  auto ev = call_in(sip_offer("RTP/AVP", ""));
  ASSERT_TRUE(ev);
  PluginEvent r = request(h_, R"({"request":"accept","srtp":"sdes_mandatory"})", answer_jsep());
  EXPECT_EQ(r.error_code(), 452) << r.dump();
  EXPECT_EQ(r.error(), "Can't accept the call: SDES-SRTP required, but caller didn't offer it");
  // Nothing changed: the call can still be declined.
  EXPECT_TRUE(IsResult(request(h_, R"({"request":"decline"})"), "declining"));
  auto final_resp = uac_.wait_final(kEventTimeout);
  ASSERT_TRUE(final_resp);
  EXPECT_EQ(final_resp->substr(0, 11), "SIP/2.0 486") << *final_resp;
}

TEST_F(Srtp, AcceptOfRtpSavpWithoutCryptoIs452) {
  auto ev = call_in(sip_offer("RTP/SAVP", ""));
  ASSERT_TRUE(ev);
  EXPECT_FALSE(string_at(ev->result(), "srtp")) << ev->dump();
  PluginEvent r = request(h_, R"({"request":"accept"})", answer_jsep());
  EXPECT_EQ(r.error_code(), 452) << r.dump();
  EXPECT_EQ(r.error(), "Can't accept the call: SDES-SRTP required, but caller didn't offer it");
  EXPECT_TRUE(IsResult(request(h_, R"({"request":"decline"})"), "declining"));
  ASSERT_TRUE(uac_.wait_final(kEventTimeout));
}

TEST_F(Srtp, AnswerUsesTheTagAndProfileOfTheFirstSupportedLine) {
  auto ev = call_in(sip_offer("RTP/SAVP",
                              std::string("a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:") + kKey44 + "\r\n" +
                                  "a=crypto:4 AES_CM_128_HMAC_SHA1_32 inline:" + kKey30 + "\r\n" +
                                  "a=crypto:5 AES_CM_128_HMAC_SHA1_80 inline:" + kKey30 + "\r\n"));
  ASSERT_TRUE(ev);
  EXPECT_EQ(string_at(ev->result(), "srtp"), "sdes_mandatory") << ev->dump();
  PluginEvent r = request(h_, R"({"request":"accept"})", answer_jsep());
  ASSERT_TRUE(IsResult(r, "accepted")) << r.dump();
  auto ok = uac_.wait_final(kEventTimeout);
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->substr(0, 11), "SIP/2.0 200") << *ok;
  uac_.ack_2xx(*ok);
  const std::string sdp = body_of(*ok);
  EXPECT_NE(sdp.find(" RTP/SAVP "), std::string::npos) << sdp;
  auto lines = crypto_lines(sdp);
  ASSERT_EQ(lines.size(), 1u) << sdp;
  EXPECT_TRUE(std::regex_match(lines[0], std::regex("4 AES_CM_128_HMAC_SHA1_32 inline:[A-Za-z0-9+/]{40}")))
      << lines[0];
  EXPECT_EQ(lines[0].find(kKey30), std::string::npos) << "our key must be our own";
  EXPECT_EQ(query("srtp-required"), "yes");
  EXPECT_EQ(query("sdes-local-audio"), "yes");
  EXPECT_EQ(query("sdes-remote-audio"), "yes");
  EXPECT_EQ(query("sdes-remote-video"), "no");
  ASSERT_TRUE(IsResult(request(h_, R"({"request":"hangup"})"), "hangingup"));
  uac_.wait_final(std::chrono::milliseconds(300));   // answers the BYE
}

TEST_F(Srtp, CallerOfferingSdesGetsSdesWithoutAskingAndOptionalStaysRtpAvp) {
  auto ev = call_in(sip_offer("RTP/AVP", std::string("a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:") + kKey30 + "\r\n"));
  ASSERT_TRUE(ev);
  PluginEvent r = request(h_, R"({"request":"accept"})", answer_jsep());
  ASSERT_TRUE(IsResult(r, "accepted")) << r.dump();
  auto ok = uac_.wait_final(kEventTimeout);
  ASSERT_TRUE(ok);
  uac_.ack_2xx(*ok);
  const std::string sdp = body_of(*ok);
  EXPECT_NE(sdp.find(" RTP/AVP "), std::string::npos) << sdp;
  auto lines = crypto_lines(sdp);
  ASSERT_EQ(lines.size(), 1u) << sdp;
  EXPECT_EQ(lines[0].rfind("2 AES_CM_128_HMAC_SHA1_80 inline:", 0), 0u) << lines[0];
  ASSERT_TRUE(IsResult(request(h_, R"({"request":"hangup"})"), "hangingup"));
  uac_.wait_final(std::chrono::milliseconds(300));
}

// Offerless INVITE answered with our offer under sdes_mandatory: the 200 carries RTP/SAVP and
// a=crypto:1; the ACK's answer without a=crypto ends the call with a BYE (spec §9.3).
TEST_F(Srtp, OfferlessMandatoryOfferAndAnAckWithoutCryptoIsHungUp) {
  if (stock()) GTEST_SKIP() << "v1.1.2 leaves a=crypto out of an offer in the 200 (fixed at HEAD, #3618)";
  auto ev = call_in("");
  ASSERT_TRUE(ev);
  EXPECT_FALSE(ev->jsep) << ev->dump();
  PluginEvent r = request(h_, R"({"request":"accept","srtp":"sdes_mandatory","srtp_profile":"AEAD_AES_128_GCM"})",
                          offer_jsep());
  ASSERT_TRUE(IsResult(r, "accepting")) << r.dump();
  auto ok = uac_.wait_final(kEventTimeout);
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->substr(0, 11), "SIP/2.0 200") << *ok;
  const std::string sdp = body_of(*ok);
  EXPECT_NE(sdp.find(" RTP/SAVP "), std::string::npos) << sdp;
  auto lines = crypto_lines(sdp);
  ASSERT_EQ(lines.size(), 1u) << sdp;
  // 28 bytes of key||salt: 40 base64 characters ending in "==".
  EXPECT_TRUE(std::regex_match(lines[0], std::regex("1 AEAD_AES_128_GCM inline:[A-Za-z0-9+/]{38}=="))) << lines[0];
  EXPECT_EQ(query("srtp-required"), "yes");
  uac_.ack_2xx(*ok, sip_offer("RTP/AVP", ""));   // the answer, without a=crypto
  EXPECT_TRUE(uac_.wait_bye(kEventTimeout)) << "no BYE after an answer without crypto under sdes_mandatory";
  auto hangup = core().wait_event_if(h_, [](const PluginEvent& e) { return e.result_event() == "hangup"; },
                                     kEventTimeout);
  ASSERT_TRUE(hangup);
  EXPECT_EQ(string_at(core().query_session(h_).get(), "call_status"), "idle");
  EXPECT_EQ(query("sdes-local-audio"), "<absent>");   // no callee any more: the flags are gone
}

// The peer rekeys in a re-INVITE (same tag, new key): answered 200, our own key (our
// direction) stays what it was; the peer's direction takes the new key, so in the data
// plane only the inbound context is replaced.
TEST_F(Srtp, ReinviteWithANewKeyKeepsOurKey) {
  Rekey r;
  ASSERT_TRUE(rekey(std::string("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:") + kNewKey30 + "\r\n", &r));
  EXPECT_EQ(r.second, r.first) << "our key and tag must not change when the peer rekeys";
  EXPECT_EQ(query("sdes-remote-audio"), "yes");
  EXPECT_EQ(query("call_status"), "incall");
  if (!stock()) {   // 1.1.2 never rekeys on a re-INVITE (it ignores a=crypto once it has a key)
    ASSERT_TRUE(r.before.found) << "query_session shows the audio stream's SRTP contexts";
    EXPECT_NE(r.before.in, 0);
    EXPECT_NE(r.before.out, 0);
    EXPECT_NE(r.after.in, 0);
    EXPECT_NE(r.after.in, r.before.in) << "the peer's new key needs a new inbound context";
    EXPECT_EQ(r.after.out, r.before.out) << "our direction's context is not disturbed";
    EXPECT_EQ(r.after.in_profile, "AES_CM_128_HMAC_SHA1_80");
    EXPECT_TRUE(r.after.rtcp_same);
  }
  hang_up();
}

// A re-offer with a new tag for the same suite and key: our answer carries that tag (RFC 4568
// §5.1.2: an answer names the offer line it accepts) with our key as it was, in an SDP with a
// new o= version; no context is replaced.
TEST_F(Srtp, ReinviteWithANewTagIsAnsweredWithThatTag) {
  if (stock()) GTEST_SKIP() << "v1.1.2 ignores a=crypto in re-INVITEs once it has the peer's key (answers tag 1)";
  Rekey r;
  ASSERT_TRUE(rekey(std::string("a=crypto:7 AES_CM_128_HMAC_SHA1_80 inline:") + kKey30 + "\r\n", &r));
  EXPECT_EQ(r.second, "7" + r.first.substr(1)) << "same suite and key, the offer's tag";
  EXPECT_NE(origin_line(r.second_sdp), origin_line(r.first_sdp)) << "a changed SDP needs a new o= version";
  ASSERT_TRUE(r.after.found);
  EXPECT_EQ(r.after.in, r.before.in) << "same key: the inbound context stays";
  EXPECT_EQ(r.after.out, r.before.out);
  hang_up();
}

// A re-offer whose usable line has another suite (after one we do not support): our answer
// has that line's tag and suite and a fresh key of ours; both directions get new contexts
// of that profile.
TEST_F(Srtp, ReinviteChangingTheSuiteRekeysBothDirections) {
  if (stock()) GTEST_SKIP() << "v1.1.2 ignores a=crypto in re-INVITEs once it has the peer's key (no rekey)";
  Rekey r;
  ASSERT_TRUE(rekey(std::string("a=crypto:2 AES_256_CM_HMAC_SHA1_80 inline:") + kKey44 + "\r\n" +
                        "a=crypto:3 AES_CM_128_HMAC_SHA1_32 inline:" + kNewKey30 + "\r\n",
                    &r));
  EXPECT_TRUE(std::regex_match(r.second, std::regex("3 AES_CM_128_HMAC_SHA1_32 inline:[A-Za-z0-9+/]{40}")))
      << r.second;
  EXPECT_NE(r.second.substr(r.second.find("inline:")), r.first.substr(r.first.find("inline:")))
      << "a new suite gets a new key of ours";
  EXPECT_EQ(r.second.find(kNewKey30), std::string::npos) << "our key must be our own";
  ASSERT_TRUE(r.after.found);
  EXPECT_NE(r.after.in, r.before.in);
  EXPECT_NE(r.after.out, r.before.out);
  EXPECT_NE(r.after.in, 0);
  EXPECT_NE(r.after.out, 0);
  EXPECT_EQ(r.after.in_profile, "AES_CM_128_HMAC_SHA1_32");
  EXPECT_EQ(r.after.out_profile, "AES_CM_128_HMAC_SHA1_32");
  EXPECT_TRUE(r.after.rtcp_same);
  EXPECT_EQ(query("call_status"), "incall");
  hang_up();
}

// Issue 11: no secret in any log at any level. At Janus's highest level (LOG_MAX) a
// registration with a password, an SDES call and a re-key log nothing that contains the
// password, the peer's master keys or ours.
TEST_F(Srtp, NoPasswordOrKeyInTheLogAtTheHighestLevel) {
  if (stock()) GTEST_SKIP() << "checks rtpgate's own logging";
  secret_ = "Pa55-word-of-alice-7341";
  LogCapture log(LOG_MAX);
  Rekey r;
  ASSERT_TRUE(rekey(std::string("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:") + kNewKey30 + "\r\n", &r));
  hang_up();
  const std::string text = log.text();
  EXPECT_NE(text.find("[rtpgate]"), std::string::npos) << "nothing captured: the check would prove nothing";
  EXPECT_NE(text.find("sofia event"), std::string::npos) << "the highest level was not in force";
  std::vector<std::string> secrets = {secret_, kKey30, kNewKey30};
  for (const std::string& line : {r.first, r.second}) {  // our own inline: keys
    const size_t at = line.find("inline:");
    ASSERT_NE(at, std::string::npos) << line;
    secrets.push_back(line.substr(at + 7, 40));
  }
  for (const auto& s : secrets) EXPECT_EQ(text.find(s), std::string::npos) << "secret " << s << " in the log";
}

}  // namespace
}  // namespace rtpgate::test
