// Transfers (spec §4.6, §4.10, §5, §7, §8): `transfer` sending REFER (blind and attended),
// NOTIFYs of our REFER as `notify` events, an incoming REFER as the `transfer` event,
// `call` with refer_id and its sipfrag NOTIFYs, `decline` with refer_id, and the
// replaces/referred_by of an incoming INVITE. The SIP side is a scripted UDP peer on
// loopback that answers and sends what each test needs (test thread + its receive thread).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "plugin_test_env.h"
#include "sip_sink.h"

namespace rtpgate::test {
namespace {

// One message received by the peer and where it came from.
struct SipMsg {
  std::string text;
  sockaddr_in from{};
  std::string first_line() const { return text.substr(0, text.find("\r\n")); }
  bool is_request(std::string_view method) const { return text.rfind(std::string(method) + " ", 0) == 0; }
  // A response with this status to a request of this method (CSeq).
  bool is_response(int status, std::string_view method) const {
    if (text.rfind("SIP/2.0 " + std::to_string(status) + " ", 0) != 0) return false;
    const std::string cseq = sip_header(text, "CSeq").value_or("");
    return cseq.size() >= method.size() && cseq.compare(cseq.size() - method.size(), method.size(), method) == 0;
  }
  std::string header(std::string_view name) const { return sip_header(text, name).value_or(""); }
  std::string body() const {
    const size_t p = text.find("\r\n\r\n");
    return p == std::string::npos ? "" : text.substr(p + 4);
  }
};

// A SIP UA on 127.0.0.1 that the test scripts message by message.
class SipPeer {
 public:
  SipPeer() {
    fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~SipPeer() {
    {
      std::lock_guard lk(mu_);
      stop_ = true;
    }
    thread_.join();
    close(fd_);
  }
  SipPeer(const SipPeer&) = delete;
  SipPeer& operator=(const SipPeer&) = delete;

  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string uri(const std::string& user) const { return "sip:" + user + "@" + host(); }

  // The next message not yet taken that matches `pred`.
  std::optional<SipMsg> wait(const std::function<bool(const SipMsg&)>& pred,
                             std::chrono::milliseconds timeout = kEventTimeout) {
    std::unique_lock lk(mu_);
    std::optional<SipMsg> out;
    cv_.wait_for(lk, timeout, [&] {
      for (size_t i = 0; i < msgs_.size(); ++i) {
        if (pred(msgs_[i])) {
          out = std::move(msgs_[i]);
          msgs_.erase(msgs_.begin() + static_cast<long>(i));
          return true;
        }
      }
      return false;
    });
    return out;
  }
  std::optional<SipMsg> wait_request(std::string_view method, std::chrono::milliseconds t = kEventTimeout) {
    return wait([&](const SipMsg& m) { return m.is_request(method); }, t);
  }

  void send(const std::string& text, const sockaddr_in& to) {
    sendto(fd_, text.data(), text.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  }

  // A response to `req`; `to_tag` is added to To when it has none.
  void reply(const SipMsg& req, int code, const std::string& reason, const std::string& to_tag = "",
             const std::string& extra = "", const std::string& body = "", const std::string& type = "") {
    std::string r = "SIP/2.0 " + std::to_string(code) + " " + reason + "\r\n";
    size_t pos = 0;
    while ((pos = req.text.find("\r\nVia:", pos)) != std::string::npos) {
      const size_t end = req.text.find("\r\n", pos + 2);
      r += req.text.substr(pos + 2, end - pos - 2) + "\r\n";
      pos = end;
    }
    std::string to = req.header("To");
    if (!to_tag.empty() && to.find(";tag=") == std::string::npos) to += ";tag=" + to_tag;
    r += "From: " + req.header("From") + "\r\nTo: " + to + "\r\nCall-ID: " + req.header("Call-ID") +
         "\r\nCSeq: " + req.header("CSeq") + "\r\nContact: <" + uri("peer") + ">\r\n" + extra;
    if (!type.empty()) r += "Content-Type: " + type + "\r\n";
    r += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    send(r, req.from);
  }

  // An audio answer on a port nobody listens on.
  static std::string sdp() {
    return "v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
           "m=audio 40000 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\na=sendrecv\r\n";
  }

 private:
  void run() {
    char buf[65536];
    for (;;) {
      {
        std::lock_guard lk(mu_);
        if (stop_) return;
      }
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      SipMsg m;
      socklen_t len = sizeof m.from;
      const ssize_t n = recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&m.from), &len);
      if (n <= 0) continue;
      m.text.assign(buf, static_cast<size_t>(n));
      std::lock_guard lk(mu_);
      msgs_.push_back(std::move(m));
      cv_.notify_all();
    }
  }

  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::vector<SipMsg> msgs_;
};

// The peer's side of one dialog the plugin started (we are the UAS): enough to send
// requests inside it.
struct PeerDialog {
  std::string call_id, local_tag, our_from, their_to, target;  // target: the plugin's Contact URI
  sockaddr_in plugin{};
  int cseq = 100;

  std::string request(SipPeer& peer, const std::string& method, const std::string& extra,
                      const std::string& body = "", const std::string& type = "") {
    const int n = ++cseq;
    std::string r = method + " " + target + " SIP/2.0\r\nVia: SIP/2.0/UDP " + peer.host() + ";branch=z9hG4bK" +
                    method + std::to_string(n) + call_id.substr(0, 6) + ";rport\r\nMax-Forwards: 70\r\n" +
                    "From: " + our_from + "\r\nTo: " + their_to + "\r\nCall-ID: " + call_id + "\r\nCSeq: " +
                    std::to_string(n) + " " + method + "\r\nContact: <" + peer.uri("peer") + ">\r\n" + extra;
    if (!type.empty()) r += "Content-Type: " + type + "\r\n";
    r += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    peer.send(r, plugin);
    return r;
  }
};

std::string contact_uri(const std::string& contact) {
  const size_t a = contact.find('<'), b = contact.find('>');
  return a == std::string::npos || b == std::string::npos ? contact : contact.substr(a + 1, b - a - 1);
}

std::string tag_of(const std::string& header) {
  const size_t p = header.find(";tag=");
  if (p == std::string::npos) return "";
  const std::string t = header.substr(p + 5);
  return t.substr(0, t.find(';'));
}

constexpr const char* kNotInCall = "Wrong state (not in a call?)";

class Transfer : public PluginApiTest {
 protected:
  // A call from handle `h` to the peer's `user`, answered 200 by the peer; returns the dialog.
  PeerDialog established_call(janus_plugin_session* h, const std::string& user, const std::string& call_id,
                              const std::string& tag) {
    PeerDialog d;
    EXPECT_TRUE(IsResult(request(h, R"({"request":"call","uri":")" + peer_.uri(user) + R"(","call_id":")" +
                                        call_id + "\"}",
                                 offer_jsep()),
                         "calling"));
    auto inv = peer_.wait_request("INVITE");
    EXPECT_TRUE(inv);
    if (!inv) return d;
    peer_.reply(*inv, 200, "OK", tag, "", SipPeer::sdp(), "application/sdp");
    auto accepted = core().wait_event_if(h, [](const PluginEvent& e) { return e.result_event() == "accepted"; },
                                         kEventTimeout);
    EXPECT_TRUE(accepted);
    EXPECT_TRUE(peer_.wait_request("ACK"));
    d.call_id = inv->header("Call-ID");
    d.their_to = inv->header("From");
    d.our_from = inv->header("To") + ";tag=" + tag;
    d.target = contact_uri(inv->header("Contact"));
    d.plugin = inv->from;
    return d;
  }

  // A REFER from the peer inside `d`; the plugin's 202 must come back. Returns the event.
  std::optional<PluginEvent> refer_in(janus_plugin_session* h, PeerDialog& d, const std::string& headers) {
    d.request(peer_, "REFER", headers);
    EXPECT_TRUE(peer_.wait([](const SipMsg& m) { return m.is_response(202, "REFER"); }));
    return core().wait_event_if(h, [](const PluginEvent& e) { return e.result_event() == "transfer"; },
                                kEventTimeout);
  }

  json_int_t master_id(const PluginEvent& registered) {
    return integer_at(registered.result(), "master_id").value_or(0);
  }
  janus_plugin_session* helper_of(json_int_t id) {
    auto* h = attach();
    EXPECT_TRUE(IsResult(request(h, R"({"request":"register","type":"helper","username":"sip:x@127.0.0.1",)"
                                    R"("master_id":)" + std::to_string(id) + "}"),
                         "registered"));
    return h;
  }

  SipPeer peer_;
};

TEST_F(Transfer, BlindTransferSendsReferInTheDialog) {
  auto* h = attach();
  guest_register(h);
  PeerDialog d = established_call(h, "bob", "xfer-blind", "bobtag");
  EXPECT_TRUE(PayloadIs(request(h, R"({"request":"transfer","uri":")" + peer_.uri("carol") + "\"}"),
                        R"({"sip":"event","call_id":"xfer-blind","result":{"event":"transferring"}})"));
  auto refer = peer_.wait_request("REFER");
  ASSERT_TRUE(refer);
  EXPECT_EQ(refer->header("Call-ID"), "xfer-blind");
  EXPECT_EQ(tag_of(refer->header("To")), "bobtag");
  EXPECT_EQ(refer->header("Refer-To"), "<" + peer_.uri("carol") + ">");
  // v1.1.2 lets Sofia fill Referred-By with the stack's Contact (<sip:alice@127.0.0.1:PORT;
  // transport=udp>); rtpgate names the account's identity (RFC 3892).
  const std::string by = refer->header("Referred-By");
  if (stock()) EXPECT_EQ(by.rfind("<sip:alice@127.0.0.1:", 0), 0u) << by;
  else EXPECT_EQ(by, "<sip:alice@127.0.0.1>");
}

// The REFER's implicit subscription: the transferee's NOTIFYs become `notify` events.
TEST_F(Transfer, NotifiesOfOurReferBecomeNotifyEvents) {
  auto* h = attach();
  guest_register(h);
  PeerDialog d = established_call(h, "bob", "xfer-notify", "bobtag");
  ASSERT_TRUE(IsResult(request(h, R"({"request":"transfer","uri":")" + peer_.uri("carol") + "\"}"),
                       "transferring"));
  auto refer = peer_.wait_request("REFER");
  ASSERT_TRUE(refer);
  peer_.reply(*refer, 202, "Accepted");
  d.request(peer_, "NOTIFY", "Event: refer\r\nSubscription-State: active;expires=60\r\n", "SIP/2.0 180 Ringing\r\n",
            "message/sipfrag");
  auto ev = core().wait_event_if(h, [](const PluginEvent& e) { return e.result_event() == "notify"; },
                                 kEventTimeout);
  ASSERT_TRUE(ev);
  EXPECT_TRUE(PayloadIs(*ev, R"({"sip":"event","call_id":"xfer-notify","result":{"event":"notify",
      "notify":"refer","substate":"active","content-type":"message/sipfrag",
      "content":"SIP/2.0 180 Ringing\r\n"}})"));
  EXPECT_TRUE(peer_.wait([](const SipMsg& m) { return m.is_response(200, "NOTIFY"); }));
  d.request(peer_, "NOTIFY", "Event: refer\r\nSubscription-State: terminated;reason=noresource\r\n",
            "SIP/2.0 200 OK\r\n", "message/sipfrag");
  ev = core().wait_event_if(h, [](const PluginEvent& e) { return e.result_event() == "notify"; }, kEventTimeout);
  ASSERT_TRUE(ev);
  EXPECT_EQ(string_at(ev->result(), "substate"), "terminated") << ev->dump();
  EXPECT_EQ(string_at(ev->result(), "content"), "SIP/2.0 200 OK\r\n") << ev->dump();
}

TEST_F(Transfer, InCallValidationAndAddressErrors) {
  auto* h = attach();
  guest_register(h);
  established_call(h, "bob", "xfer-errors", "bobtag");
  EXPECT_TRUE(IsErrorWithCallId(request(h, R"({"request":"transfer"})"), 443, "Missing mandatory element (uri)",
                                "xfer-errors"));
  EXPECT_TRUE(IsErrorWithCallId(request(h, R"({"request":"transfer","uri":"garbage"})"), 446,
                                "Invalid user address garbage\n", "xfer-errors"));
  EXPECT_TRUE(IsErrorWithCallId(request(h, R"({"request":"transfer","uri":"sips:carol@127.0.0.1"})"), 446,
                                "Invalid user address sips:carol@127.0.0.1\n", "xfer-errors"));
  EXPECT_TRUE(IsErrorWithCallId(
      request(h, R"({"request":"transfer","uri":"sip:carol@127.0.0.1","replace":"no-such-call"})"), 454,
      "No such call-ID no-such-call", "xfer-errors"));
  // Nothing of that reached the wire.
  EXPECT_FALSE(peer_.wait_request("REFER", std::chrono::milliseconds(300)));
}

// Attended: the Refer-To carries the other call's dialog as an escaped Replaces header.
TEST_F(Transfer, AttendedTransferReplacesAHelpersCall) {
  auto* m = attach();
  const json_int_t id = master_id(guest_register(m));
  auto* hp = helper_of(id);
  PeerDialog a = established_call(m, "bob", "call-a", "tag-a");
  PeerDialog b = established_call(hp, "carol", "call-b", "tag-b");
  ASSERT_TRUE(IsResult(request(m, R"({"request":"transfer","uri":")" + peer_.uri("carol") +
                                      R"(","replace":"call-b"})"),
                       "transferring"));
  auto refer = peer_.wait_request("REFER");
  ASSERT_TRUE(refer);
  EXPECT_EQ(refer->header("Call-ID"), "call-a");
  const std::string from_tag = tag_of(b.their_to);
  ASSERT_FALSE(from_tag.empty());
  // Sofia's own encoding (nua_handle_make_replaces + sip_headers_as_url_query), as stock sends it.
  EXPECT_EQ(refer->header("Refer-To"), "<" + peer_.uri("carol") + "?replaces=call-b%3Bfrom-tag%3D" + from_tag +
                                           "%3Bto-tag%3Dtag-b>");
  // ... and from the helper, the master's call is in the same list.
  ASSERT_TRUE(IsResult(request(hp, R"({"request":"transfer","uri":")" + peer_.uri("bob") +
                                       R"(","replace":"call-a"})"),
                       "transferring"));
  refer = peer_.wait_request("REFER");
  ASSERT_TRUE(refer);
  EXPECT_EQ(refer->header("Call-ID"), "call-b");
  EXPECT_NE(refer->header("Refer-To").find("?replaces=call-a%3Bfrom-tag%3D" + tag_of(a.their_to) + "%3Bto-tag%3Dtag-a"),
            std::string::npos)
      << refer->header("Refer-To");
}

// A call of another account is not in this master's list (spec §4.10, §7).
TEST_F(Transfer, ReplaceOfAnotherAccountsCallIs454) {
  if (stock()) GTEST_SKIP() << "v1.1.2 looks `replace` up among the calls of every account";
  auto* m = attach();
  guest_register(m);
  auto* other = attach();
  guest_register(other, "dave");
  established_call(m, "bob", "call-mine", "tag-m");
  established_call(other, "carol", "call-theirs", "tag-t");
  EXPECT_TRUE(IsErrorWithCallId(
      request(m, R"({"request":"transfer","uri":"sip:carol@127.0.0.1","replace":"call-theirs"})"), 454,
      "No such call-ID call-theirs", "call-mine"));
}

TEST_F(Transfer, IncomingReferRaisesTheTransferEvent) {
  auto* h = attach();
  guest_register(h);
  PeerDialog d = established_call(h, "bob", "xfer-in", "bobtag");
  // Lower case, as Sofia-based transferors (Janus included) write it.
  auto ev = refer_in(h, d,
                     "Refer-To: <" + peer_.uri("carol") + "?replaces=abc%40host%3Bto-tag%3D1%3Bfrom-tag%3D2>\r\n"
                     "Referred-By: <" + peer_.uri("bob") + ">\r\n");
  ASSERT_TRUE(ev);
  const auto refer_id = integer_at(ev->result(), "refer_id");
  ASSERT_TRUE(refer_id);
  EXPECT_GT(*refer_id, 0);
  EXPECT_TRUE(PayloadIs(*ev, R"({"sip":"event","result":{"event":"transfer","refer_id":)" +
                                 std::to_string(*refer_id) + R"(,"refer_to":")" + peer_.uri("carol") +
                                 R"(","referred_by":"<)" + peer_.uri("bob") + R"(>","replaces":"abc@host"}})"));
  // Nothing goes back to the transferor before the application decides.
  EXPECT_FALSE(peer_.wait_request("NOTIFY", std::chrono::milliseconds(300)));
}

// Header names are case-insensitive: "Replaces=" is reported as well as "replaces=".
TEST_F(Transfer, ReplacesIsFoundWhateverTheCaseOfItsName) {
  if (stock()) GTEST_SKIP() << "v1.1.2 only finds a lower-case replaces in the Refer-To";
  auto* h = attach();
  guest_register(h);
  PeerDialog d = established_call(h, "bob", "xfer-case", "bobtag");
  auto ev = refer_in(h, d, "Refer-To: <" + peer_.uri("carol") + "?Replaces=xyz%40host%3Bto-tag%3D1%3Bfrom-tag%3D2>\r\n");
  ASSERT_TRUE(ev);
  EXPECT_EQ(string_at(ev->result(), "replaces"), "xyz@host") << ev->dump();
}

TEST_F(Transfer, ReferWithoutReferredByIsReferredByItsSender) {
  auto* h = attach();
  guest_register(h);
  PeerDialog d = established_call(h, "bob", "xfer-noby", "bobtag");
  auto ev = refer_in(h, d, "Refer-To: " + peer_.uri("carol") + "\r\n");
  ASSERT_TRUE(ev);
  EXPECT_EQ(string_at(ev->result(), "refer_to"), peer_.uri("carol"));
  // The dialog's remote party: the From of our REFER (the INVITE's To), as a bare URI.
  EXPECT_EQ(string_at(ev->result(), "referred_by"), peer_.uri("bob")) << ev->dump();
  EXPECT_FALSE(string_at(ev->result(), "replaces"));
}

// The application follows the transfer up on a helper: the INVITE carries Referred-By and the
// Refer-To's headers; each response is reported to the transferor as a sipfrag NOTIFY.
TEST_F(Transfer, FollowUpCallNotifiesTheTransferor) {
  auto* m = attach();
  const json_int_t id = master_id(guest_register(m));
  PeerDialog d = established_call(m, "bob", "xfer-follow", "bobtag");
  auto ev = refer_in(m, d,
                     "Refer-To: <" + peer_.uri("carol") + "?Replaces=abc%40host%3Bto-tag%3D1%3Bfrom-tag%3D2>\r\n"
                     "Referred-By: <" + peer_.uri("bob") + ">\r\n");
  ASSERT_TRUE(ev);
  const json_int_t refer_id = integer_at(ev->result(), "refer_id").value_or(0);
  auto* hp = helper_of(id);
  ASSERT_TRUE(IsResult(request(hp, R"({"request":"call","uri":")" + peer_.uri("carol") +
                                       R"(","call_id":"xfer-new","refer_id":)" + std::to_string(refer_id) + "}",
                               offer_jsep()),
                       "calling"));
  auto inv = peer_.wait([](const SipMsg& m) { return m.is_request("INVITE") && m.header("Call-ID") == "xfer-new"; });
  ASSERT_TRUE(inv);
  EXPECT_EQ(inv->header("Referred-By"), "<" + peer_.uri("bob") + ">");
  EXPECT_EQ(inv->header("Replaces"), "abc@host;to-tag=1;from-tag=2");
  peer_.reply(*inv, 180, "Ringing", "newtag");
  auto n1 = peer_.wait_request("NOTIFY");
  ASSERT_TRUE(n1);
  EXPECT_EQ(n1->header("Call-ID"), "xfer-follow");
  EXPECT_EQ(n1->header("Event"), "refer;id=" + std::to_string(d.cseq));   // the REFER's CSeq
  EXPECT_EQ(n1->header("Content-Type"), "message/sipfrag");
  EXPECT_EQ(n1->body(), "SIP/2.0 180 Ringing");
  EXPECT_EQ(n1->header("Subscription-State").rfind("active", 0), 0u) << n1->header("Subscription-State");
  peer_.reply(*n1, 200, "OK");
  peer_.reply(*inv, 200, "OK", "newtag", "", SipPeer::sdp(), "application/sdp");
  auto n2 = peer_.wait_request("NOTIFY");
  ASSERT_TRUE(n2);
  EXPECT_EQ(n2->body(), "SIP/2.0 200 OK");
  // v1.1.2 leaves the subscription active after the final answer; rtpgate ends it (RFC 3515).
  EXPECT_EQ(n2->header("Subscription-State").rfind(stock() ? "active" : "terminated", 0), 0u)
      << n2->header("Subscription-State");
  peer_.reply(*n2, 200, "OK");
}

// A transferor that hangs up as soon as its REFER is accepted still hears how the transfer
// went: the REFER's subscription outlives the call's session in the dialog (RFC 3515).
TEST_F(Transfer, TransferorThatHungUpStillGetsTheNotifies) {
  auto* m = attach();
  const json_int_t id = master_id(guest_register(m));
  PeerDialog d = established_call(m, "bob", "xfer-gone", "bobtag");
  auto ev = refer_in(m, d, "Refer-To: <" + peer_.uri("carol") + ">\r\n");
  ASSERT_TRUE(ev);
  const json_int_t refer_id = integer_at(ev->result(), "refer_id").value_or(0);
  d.request(peer_, "BYE", "");
  ASSERT_TRUE(peer_.wait([](const SipMsg& msg) { return msg.is_response(200, "BYE"); }));
  ASSERT_TRUE(core().wait_event_if(m, [](const PluginEvent& e) { return e.result_event() == "hangup"; },
                                   kEventTimeout));
  auto* hp = helper_of(id);
  ASSERT_TRUE(IsResult(request(hp, R"({"request":"call","uri":")" + peer_.uri("carol") +
                                       R"(","call_id":"xfer-after","refer_id":)" + std::to_string(refer_id) + "}",
                               offer_jsep()),
                       "calling"));
  auto inv = peer_.wait([](const SipMsg& msg) { return msg.is_request("INVITE") && msg.header("Call-ID") == "xfer-after"; });
  ASSERT_TRUE(inv);
  peer_.reply(*inv, 200, "OK", "aftertag", "", SipPeer::sdp(), "application/sdp");
  auto n = peer_.wait_request("NOTIFY");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->header("Call-ID"), "xfer-gone");
  EXPECT_EQ(n->body(), "SIP/2.0 200 OK");
  EXPECT_EQ(n->header("Subscription-State").rfind(stock() ? "active" : "terminated", 0), 0u)
      << n->header("Subscription-State");
  peer_.reply(*n, 200, "OK");
}

TEST_F(Transfer, DeclineWithReferIdNotifiesTheError) {
  auto* h = attach();
  guest_register(h);
  PeerDialog d = established_call(h, "bob", "xfer-decline", "bobtag");
  auto ev = refer_in(h, d, "Refer-To: <" + peer_.uri("carol") + ">\r\n");
  ASSERT_TRUE(ev);
  const std::string id = std::to_string(integer_at(ev->result(), "refer_id").value_or(0));
  EXPECT_TRUE(PayloadIs(request(h, R"({"request":"decline","refer_id":)" + id + "}"),
                        R"({"sip":"event","call_id":"xfer-decline","result":{"event":"declining","refer_id":)" + id +
                            R"(,"code":603}})"));
  auto n = peer_.wait_request("NOTIFY");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->body(), "SIP/2.0 603 Decline");
  EXPECT_EQ(n->header("Subscription-State").rfind("terminated", 0), 0u) << n->header("Subscription-State");
  peer_.reply(*n, 200, "OK");
  // Forgotten once declined; and the call itself was not touched.
  EXPECT_TRUE(IsErrorWithCallId(request(h, R"({"request":"decline","refer_id":)" + id + "}"), 447,
                                "Wrong state (no transfer?)", "xfer-decline"));
  PluginEvent q;
  q.message = core().query_session(h);
  EXPECT_EQ(string_at(q.message.get(), "call_status"), "incall");
}

TEST_F(Transfer, DeclineCodeRules) {
  auto* h = attach();
  guest_register(h);
  PeerDialog d = established_call(h, "bob", "xfer-codes", "bobtag");
  for (const auto& [given, sent] : std::vector<std::pair<std::string, std::string>>{
           {R"(,"code":486)", "SIP/2.0 486 Busy Here"}, {R"(,"code":200)", "SIP/2.0 603 Decline"}}) {
    auto ev = refer_in(h, d, "Refer-To: <" + peer_.uri("carol") + ">\r\n");
    ASSERT_TRUE(ev);
    const std::string id = std::to_string(integer_at(ev->result(), "refer_id").value_or(0));
    ASSERT_TRUE(IsResult(request(h, R"({"request":"decline","refer_id":)" + id + given + "}"), "declining"));
    auto n = peer_.wait_request("NOTIFY");
    ASSERT_TRUE(n);
    EXPECT_EQ(n->body(), sent) << given;
    peer_.reply(*n, 200, "OK");
  }
}

// The target of an attended transfer sees what the INVITE says it replaces, and who referred it.
TEST_F(Transfer, IncomingInviteCarriesReplacesAndReferredBy) {
  auto* h = attach();
  ASSERT_TRUE(IsResult(request(h, R"({"request":"register","username":"sip:alice@127.0.0.1","secret":"s",)"
                                  R"("proxy":"sip:)" + peer_.host() + "\"}"),
                       "registering"));
  auto reg = peer_.wait_request("REGISTER");
  ASSERT_TRUE(reg);
  peer_.reply(*reg, 200, "OK", "regtag", "Expires: 3600\r\n");
  ASSERT_TRUE(core().wait_event_if(h, [](const PluginEvent& e) { return e.result_event() == "registered"; },
                                   kEventTimeout));
  PeerDialog d;
  d.call_id = "xfer-target";
  d.our_from = "<" + peer_.uri("carol") + ">;tag=ctag";
  d.their_to = "<sip:alice@127.0.0.1>";
  d.target = contact_uri(reg->header("Contact"));
  d.plugin = reg->from;
  d.request(peer_, "INVITE",
            "Replaces: old-call@host;to-tag=aa;from-tag=bb\r\nReferred-By: <" + peer_.uri("bob") + ">\r\n",
            SipPeer::sdp(), "application/sdp");
  auto ev = core().wait_event_if(h, [](const PluginEvent& e) { return e.result_event() == "incomingcall"; },
                                 kEventTimeout);
  ASSERT_TRUE(ev);
  EXPECT_EQ(string_at(ev->result(), "replaces"), "old-call@host") << ev->dump();
  EXPECT_EQ(string_at(ev->result(), "referred_by"), "<" + peer_.uri("bob") + ">") << ev->dump();
  EXPECT_EQ(ev->call_id(), "xfer-target");
}

// A REFER outside any dialog reaches the master (its stack's owner); declining it NOTIFYs the
// error in the dialog the REFER created. (Sofia itself may first NOTIFY "100 Trying" there to
// establish that dialog: answered and skipped.)
TEST_F(Transfer, OutOfDialogReferThenDecline) {
  auto* h = attach();
  ASSERT_TRUE(IsResult(request(h, R"({"request":"register","username":"sip:alice@127.0.0.1","secret":"s",)"
                                  R"("proxy":"sip:)" + peer_.host() + "\"}"),
                       "registering"));
  auto reg = peer_.wait_request("REGISTER");
  ASSERT_TRUE(reg);
  peer_.reply(*reg, 200, "OK", "regtag", "Expires: 3600\r\n");
  ASSERT_TRUE(core().wait_event_if(h, [](const PluginEvent& e) { return e.result_event() == "registered"; },
                                   kEventTimeout));
  PeerDialog d;
  d.call_id = "xfer-ood";
  d.our_from = "<" + peer_.uri("bob") + ">;tag=btag";
  d.their_to = "<sip:alice@127.0.0.1>";
  d.target = contact_uri(reg->header("Contact"));
  d.plugin = reg->from;
  d.request(peer_, "REFER", "Refer-To: <" + peer_.uri("carol") + ">\r\n");
  ASSERT_TRUE(peer_.wait([](const SipMsg& m) { return m.is_response(202, "REFER"); }));
  auto ev = core().wait_event_if(h, [](const PluginEvent& e) { return e.result_event() == "transfer"; },
                                 kEventTimeout);
  ASSERT_TRUE(ev);
  EXPECT_EQ(string_at(ev->result(), "refer_to"), peer_.uri("carol"));
  EXPECT_EQ(string_at(ev->result(), "referred_by"), peer_.uri("bob")) << ev->dump();
  const std::string id = std::to_string(integer_at(ev->result(), "refer_id").value_or(0));
  ASSERT_TRUE(IsResult(request(h, R"({"request":"decline","refer_id":)" + id + R"(,"code":480})"), "declining"));
  std::optional<SipMsg> n;
  while ((n = peer_.wait_request("NOTIFY")) && n->body().rfind("SIP/2.0 100", 0) == 0) peer_.reply(*n, 200, "OK");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->header("Call-ID"), "xfer-ood");
  EXPECT_EQ(n->body(), "SIP/2.0 480 Temporarily Unavailable");
  EXPECT_EQ(n->header("Subscription-State").rfind("terminated", 0), 0u) << n->header("Subscription-State");
  peer_.reply(*n, 200, "OK");
}

// Outside a call (spec §3.3): validated first, then error_code 0 (idle_requests_test.cc covers
// the idle handle); a declined REFER id that never existed is 447.
TEST_F(Transfer, InvitingIsNotInACall) {
  auto* h = attach();
  guest_register(h);
  ASSERT_TRUE(IsResult(request(h, R"({"request":"call","uri":")" + peer_.uri("bob") + R"(","call_id":"xfer-inv"})",
                               offer_jsep()),
                       "calling"));
  EXPECT_TRUE(IsErrorWithCallId(request(h, R"({"request":"transfer","uri":"sip:c@127.0.0.1"})"), 0, kNotInCall,
                                "xfer-inv"));
  EXPECT_TRUE(IsErrorWithCallId(request(h, R"({"request":"decline","refer_id":7})"), 447,
                                "Wrong state (no transfer?)", "xfer-inv"));
}

}  // namespace
}  // namespace rtpgate::test
