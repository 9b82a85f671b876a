// SIP datagrams for the guard's tests: a normal INVITE with SDP, REGISTER and OPTIONS as
// softphones send them, and what SIPVicious' svmap / svwar send (shapes taken from
// captures of those tools: header order, From display name, User-Agent). Plain strings.
#pragma once
#include <string>
#include <vector>

namespace rtpgate::dp::sipguard::test {

inline std::string crlf(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\r\n";
  return s;
}

inline std::string sdp_body() {
  return crlf({"v=0", "o=alice 2890844526 2890844526 IN IP4 192.0.2.20", "s=-", "c=IN IP4 192.0.2.20", "t=0 0",
               "m=audio 49170 RTP/AVP 0 8 101", "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000",
               "a=rtpmap:101 telephone-event/8000", "a=sendrecv"});
}

// A normal INVITE (Linphone-like) with `ua` as User-Agent.
inline std::string invite(const std::string& ua = "Linphone/5.2.0 (belle-sip/5.2.0)") {
  const std::string body = sdp_body();
  return crlf({"INVITE sip:bob@192.0.2.10 SIP/2.0",
               "Via: SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bK776asdhds;rport",
               "Max-Forwards: 70",
               "To: Bob <sip:bob@192.0.2.10>",
               "From: Alice <sip:alice@example.org>;tag=1928301774",
               "Call-ID: a84b4c76e66710@pc33.example.org",
               "CSeq: 314159 INVITE",
               "Contact: <sip:alice@192.0.2.20:5060>",
               "Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, NOTIFY, MESSAGE, SUBSCRIBE, INFO, UPDATE",
               "User-Agent: " + ua,
               "Content-Type: application/sdp",
               "Content-Length: " + std::to_string(body.size()),
               ""}) +
         body;
}

inline std::string register_msg(const std::string& ua = "Zoiper rv2.10.19.6", const std::string& call_id = "reg-1") {
  return crlf({"REGISTER sip:example.org SIP/2.0",
               "Via: SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bKnashds7;rport",
               "Max-Forwards: 70",
               "To: <sip:alice@example.org>",
               "From: <sip:alice@example.org>;tag=456248",
               "Call-ID: " + call_id,
               "CSeq: 1826 REGISTER",
               "Contact: <sip:alice@192.0.2.20:5060>",
               "Expires: 3600",
               "User-Agent: " + ua,
               "Content-Length: 0",
               ""});
}

// An OPTIONS ping as a proxy or a softphone sends it.
inline std::string options(const std::string& ua = "kamailio (5.6.3 (x86_64/linux))") {
  return crlf({"OPTIONS sip:192.0.2.10:5060 SIP/2.0",
               "Via: SIP/2.0/UDP 192.0.2.30:5060;branch=z9hG4bK2d4790.1",
               "To: <sip:192.0.2.10:5060>",
               "From: <sip:keepalive@192.0.2.30>;tag=a7b6c5",
               "CSeq: 10 OPTIONS",
               "Call-ID: 1fc2e7f0-2b3d-4a11@192.0.2.30",
               "Max-Forwards: 70",
               "User-Agent: " + ua,
               "Content-Length: 0",
               ""});
}

// svmap's probe: OPTIONS with From/To display name "sipvicious" and its User-Agent.
inline std::string svmap_options(const std::string& ua = "friendly-scanner") {
  return crlf({"OPTIONS sip:100@192.0.2.10 SIP/2.0",
               "Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK-3117813829;rport",
               "Content-Length: 0",
               "From: \"sipvicious\"<sip:100@1.1.1.1>;tag=3336353363346565313363340131333439363536353235",
               "Accept: application/sdp",
               "User-Agent: " + ua,
               "To: \"sipvicious\"<sip:100@1.1.1.1>",
               "Contact: sip:100@198.51.100.7:5060",
               "CSeq: 1 OPTIONS",
               "Call-ID: 674923553268093425013367",
               "Max-Forwards: 70",
               ""});
}

// svwar's extension scan: REGISTER for extension `ext`.
inline std::string svwar_register(const std::string& ext = "1000") {
  return crlf({"REGISTER sip:192.0.2.10 SIP/2.0",
               "Via: SIP/2.0/UDP 198.51.100.7:5061;branch=z9hG4bK-1412583716;rport",
               "Content-Length: 0",
               "From: \"" + ext + "\"<sip:" + ext + "@192.0.2.10>;tag=6438643566303632013137313838393936",
               "User-Agent: friendly-scanner",
               "To: \"" + ext + "\"<sip:" + ext + "@192.0.2.10>",
               "Contact: sip:" + ext + "@198.51.100.7:5061",
               "CSeq: 1 REGISTER",
               "Call-ID: 1238137417",
               "Max-Forwards: 70",
               ""});
}

inline std::string ok_response() {
  return crlf({"SIP/2.0 200 OK", "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds",
               "To: Bob <sip:bob@example.org>;tag=a6c85cf", "From: Alice <sip:alice@example.org>;tag=1928301774",
               "Call-ID: a84b4c76e66710@pc33.example.org", "CSeq: 314159 INVITE", "Content-Length: 0", ""});
}

// `msg` without the header line starting with `name` (e.g. "Call-ID:").
inline std::string without_header(std::string msg, const std::string& name) {
  const size_t at = msg.find("\r\n" + name);
  if (at == std::string::npos) return msg;
  const size_t end = msg.find("\r\n", at + 2);
  return msg.erase(at, end - at);
}

// `msg` with one more header line before the empty line.
inline std::string with_header(std::string msg, const std::string& line) {
  const size_t at = msg.find("\r\n\r\n");
  return msg.insert(at, "\r\n" + line);
}

}  // namespace rtpgate::dp::sipguard::test
