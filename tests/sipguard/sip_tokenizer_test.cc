// The guard's SIP tokenizer: start-line kinds, header spans, folding, malformed lines,
// keepalives, and no read past the end.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sip_messages.h"
#include "sipguard/sip_tokenizer.h"

namespace rtpgate::dp::sipguard {
namespace {

const uint8_t* u8(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }
uint32_t len(const std::string& s) { return static_cast<uint32_t>(s.size()); }
std::string str(const std::string& s, const Span& sp) { return s.substr(sp.off, sp.len); }

StartKind kind(const std::string& s) { return parse_start_line(u8(s), len(s)).kind; }

struct Hdr {
  std::string name, value, line;
  bool malformed;
};

std::vector<Hdr> headers(const std::string& s, uint32_t* body = nullptr) {
  const StartLine sl = parse_start_line(u8(s), len(s));
  std::vector<Hdr> out;
  uint32_t pos = sl.next;
  HeaderLine h;
  while (next_header(u8(s), len(s), &pos, &h)) out.push_back({str(s, h.name), str(s, h.value), str(s, h.line), h.malformed});
  if (body != nullptr) *body = pos;
  return out;
}

TEST(SipTokenizer, RequestLineGivesMethodAndLine) {
  const std::string m = test::invite();
  const StartLine sl = parse_start_line(u8(m), len(m));
  EXPECT_EQ(sl.kind, StartKind::Request);
  EXPECT_EQ(str(m, sl.method), "INVITE");
  EXPECT_EQ(str(m, sl.line), "INVITE sip:bob@192.0.2.10 SIP/2.0");
  EXPECT_EQ(sl.next, sl.line.len + 2);
}

TEST(SipTokenizer, StartLineKinds) {
  EXPECT_EQ(kind("SIP/2.0 200 OK\r\n\r\n"), StartKind::Response);
  EXPECT_EQ(kind("SIP/2.0 180\r\n\r\n"), StartKind::Response);
  EXPECT_EQ(kind("sip/2.0 404 Not Found\r\n"), StartKind::Response);
  EXPECT_EQ(kind("OPTIONS sip:100@1.1.1.1 SIP/2.0\n"), StartKind::Request);  // bare LF accepted
  EXPECT_EQ(kind("OPTIONS sip:100@1.1.1.1 SIP/2.0"), StartKind::Request);    // no terminator at all
  EXPECT_EQ(kind("\r\n\r\n"), StartKind::KeepAlive);
  EXPECT_EQ(kind("\r\n"), StartKind::KeepAlive);
  EXPECT_EQ(kind(""), StartKind::Malformed);
  EXPECT_EQ(kind("GET / HTTP/1.1\r\n"), StartKind::Malformed);
  EXPECT_EQ(kind("INVITE  sip:a@b SIP/2.0\r\n"), StartKind::Malformed);  // two spaces: empty URI
  EXPECT_EQ(kind("INVITE sip:a@b SIP/3.0\r\n"), StartKind::Malformed);
  EXPECT_EQ(kind("INVITE bob SIP/2.0\r\n"), StartKind::Malformed);        // URI without a scheme
  EXPECT_EQ(kind("INV(ITE sip:a@b SIP/2.0\r\n"), StartKind::Malformed);   // not a token
  EXPECT_EQ(kind("INVITE sip:a@b SIP/2.0 \r\n"), StartKind::Malformed);
  EXPECT_EQ(kind(std::string("INVITE sip:a\0b@c SIP/2.0\r\n", 27)), StartKind::Malformed);
  EXPECT_EQ(kind("SIP/2.0 2000 OK\r\n"), StartKind::Malformed);
  EXPECT_EQ(kind("SIP/2.0 20x OK\r\n"), StartKind::Malformed);
}

TEST(SipTokenizer, CrlfBeforeTheStartLineIsIgnored) {
  const std::string m = "\r\n\r\n" + test::options();
  const StartLine sl = parse_start_line(u8(m), len(m));
  EXPECT_EQ(sl.kind, StartKind::Request);
  EXPECT_EQ(str(m, sl.method), "OPTIONS");
  EXPECT_EQ(str(m, sl.line), "OPTIONS sip:192.0.2.10:5060 SIP/2.0");
  EXPECT_EQ(headers(m).size(), 8u);
}

TEST(SipTokenizer, StunBindingIsAKeepAlive) {
  std::string stun(20, '\0');
  stun[1] = 0x01;  // Binding request, length 0
  stun[4] = 0x21;
  stun[5] = 0x12;
  stun[6] = static_cast<char>(0xa4);
  stun[7] = 0x42;
  EXPECT_EQ(kind(stun), StartKind::KeepAlive);
  stun[7] = 0x43;  // not the magic cookie
  EXPECT_EQ(kind(stun), StartKind::Malformed);
}

TEST(SipTokenizer, HeaderSpansAndBody) {
  const std::string m = test::invite();
  uint32_t body = 0;
  const auto h = headers(m, &body);
  ASSERT_EQ(h.size(), 11u);
  EXPECT_EQ(h[0].name, "Via");
  EXPECT_EQ(h[0].value, "SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bK776asdhds;rport");
  EXPECT_EQ(h[5].name, "CSeq");
  EXPECT_EQ(h[5].line, "CSeq: 314159 INVITE");
  EXPECT_EQ(h[8].name, "User-Agent");
  EXPECT_EQ(h[8].value, "Linphone/5.2.0 (belle-sip/5.2.0)");
  for (const auto& x : h) EXPECT_FALSE(x.malformed) << x.line;
  EXPECT_EQ(m.substr(body), test::sdp_body());
}

TEST(SipTokenizer, WhitespaceAroundColonAndFoldedLines) {
  const std::string m =
      "MESSAGE sip:a@b SIP/2.0\r\nSubject  :   hello  \r\nX-Long: one\r\n  two\r\n\tthree\r\nf:<sip:x@y>\r\n\r\nbody";
  uint32_t body = 0;
  const auto h = headers(m, &body);
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0].name, "Subject");
  EXPECT_EQ(h[0].value, "hello");
  EXPECT_EQ(h[1].name, "X-Long");
  EXPECT_EQ(h[1].value, "one\r\n  two\r\n\tthree");
  EXPECT_EQ(h[1].line, "X-Long: one\r\n  two\r\n\tthree");
  EXPECT_EQ(h[2].name, "f");
  EXPECT_EQ(h[2].value, "<sip:x@y>");
  EXPECT_EQ(m.substr(body), "body");
}

TEST(SipTokenizer, MalformedHeaderLines) {
  const std::string m = "OPTIONS sip:a@b SIP/2.0\r\nno colon here\r\n: empty name\r\nBad Name: x\r\nOk:\r\n\r\n";
  const auto h = headers(m);
  ASSERT_EQ(h.size(), 4u);
  EXPECT_TRUE(h[0].malformed);
  EXPECT_TRUE(h[1].malformed);
  EXPECT_TRUE(h[2].malformed);  // a space inside the name
  EXPECT_FALSE(h[3].malformed);
  EXPECT_EQ(h[3].value, "");
}

TEST(SipTokenizer, HeadersWithoutEmptyLineEndAtTheDatagramEnd) {
  const std::string m = "OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\nTo: y";
  uint32_t body = 0;
  const auto h = headers(m, &body);
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[1].value, "y");
  EXPECT_EQ(body, len(m));
}

// Every span of every prefix of a message lies inside that prefix.
TEST(SipTokenizer, SpansStayInsideEveryPrefix) {
  const std::string m = test::with_header(test::invite(), "X-Fold: a\r\n b");
  for (uint32_t n = 0; n <= len(m); n++) {
    const std::string p = m.substr(0, n);
    const StartLine sl = parse_start_line(u8(p), n);
    ASSERT_LE(sl.line.off + sl.line.len, n);
    ASSERT_LE(sl.next, n);
    uint32_t pos = sl.next;
    HeaderLine h;
    while (next_header(u8(p), n, &pos, &h)) {
      ASSERT_LE(h.line.off + h.line.len, n);
      ASSERT_LE(h.value.off + h.value.len, n);
      ASSERT_LE(h.name.off + h.name.len, n);
      ASSERT_LE(pos, n);
    }
  }
}

}  // namespace
}  // namespace rtpgate::dp::sipguard
