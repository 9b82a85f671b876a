// A cheap SIP tokenizer for the guard: classifies the start line and walks the header
// lines of one datagram, reporting spans (offsets into the datagram) so rules can be
// restricted to them. No allocation, no copies; never reads past `len`. Any thread.
#pragma once
#include <cstdint>

namespace rtpgate::dp::sipguard {

struct Span {
  uint32_t off = 0;
  uint32_t len = 0;
};

enum class StartKind : uint8_t {
  Request,     // METHOD SP Request-URI SP SIP/2.0
  Response,    // SIP/2.0 SP 3DIGIT [SP Reason-Phrase]
  Malformed,   // neither
  KeepAlive,   // only CR/LF (RFC 5626 double-CRLF ping) or a STUN message (RFC 5626 §4.4.2)
};

struct StartLine {
  StartKind kind = StartKind::Malformed;
  Span line;    // without its line terminator
  Span method;  // Request only
  uint32_t next = 0;  // offset of the first header line
};

struct HeaderLine {
  Span line;    // name through value, folded continuation lines included, no final CRLF
  Span name;    // without surrounding whitespace
  Span value;   // after ':' and leading SP/HT, trailing whitespace trimmed
  bool malformed = false;  // no ':' or a name that is not an RFC 3261 token
};

StartLine parse_start_line(const uint8_t* p, uint32_t len) noexcept;

// Reads the header line at *pos (initially StartLine::next). Returns false at the end of
// the header section (an empty line or the end of the datagram); *pos then points at the
// body (or len). Folded lines (starting with SP/HT) belong to the header before them.
bool next_header(const uint8_t* p, uint32_t len, uint32_t* pos, HeaderLine* h) noexcept;

}  // namespace rtpgate::dp::sipguard
