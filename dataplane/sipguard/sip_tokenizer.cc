// SIP tokenizer of the guard (see sip_tokenizer.h). Worker lcores, tests, fuzzers.
#include "sipguard/sip_tokenizer.h"

#include <cstring>

namespace rtpgate::dp::sipguard {
namespace {

constexpr uint8_t kSipVersion[] = {'S', 'I', 'P', '/', '2', '.', '0'};

inline bool is_token_char(uint8_t c) noexcept {
  static constexpr auto kTable = [] {
    struct T {
      bool v[256] = {};
    } t;
    for (int c = 'a'; c <= 'z'; c++) t.v[c] = true;
    for (int c = 'A'; c <= 'Z'; c++) t.v[c] = true;
    for (int c = '0'; c <= '9'; c++) t.v[c] = true;
    for (const char* c = "-.!%*_+`'~"; *c != '\0'; c++) t.v[static_cast<uint8_t>(*c)] = true;
    return t;
  }();
  return kTable.v[c];
}

inline bool is_ws(uint8_t c) noexcept { return c == ' ' || c == '\t'; }

// End of the line starting at `pos` (the offset of its '\n', or len) and the offset after
// its terminator.
inline void line_end(const uint8_t* p, uint32_t len, uint32_t pos, uint32_t* end, uint32_t* next) noexcept {
  const void* nl = pos < len ? std::memchr(p + pos, '\n', len - pos) : nullptr;
  if (nl == nullptr) {
    *end = len;
    *next = len;
    return;
  }
  *end = static_cast<uint32_t>(static_cast<const uint8_t*>(nl) - p);
  *next = *end + 1;
}

// Content end of a line ending at `end` (drops one CR before the LF).
inline uint32_t content_end(const uint8_t* p, uint32_t start, uint32_t end) noexcept {
  return end > start && p[end - 1] == '\r' ? end - 1 : end;
}

bool is_sip_version(const uint8_t* p, uint32_t len) noexcept {
  if (len != sizeof kSipVersion) return false;
  for (uint32_t i = 0; i < len; i++) {
    const uint8_t c = p[i] >= 'a' && p[i] <= 'z' ? uint8_t(p[i] - 32) : p[i];
    if (c != kSipVersion[i]) return false;
  }
  return true;
}

bool has_ctl(const uint8_t* p, uint32_t len) noexcept {
  for (uint32_t i = 0; i < len; i++)
    if ((p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f) return true;
  return false;
}

bool is_keepalive(const uint8_t* p, uint32_t len) noexcept {
  // STUN (RFC 5389): top two bits zero, length a multiple of 4, the magic cookie.
  if (len >= 20 && (p[0] & 0xc0) == 0 && p[4] == 0x21 && p[5] == 0x12 && p[6] == 0xa4 && p[7] == 0x42 &&
      ((p[2] << 8 | p[3]) & 3) == 0 && (p[2] << 8 | p[3]) + 20u == len)
    return true;
  if (len == 0) return false;
  for (uint32_t i = 0; i < len; i++)
    if (p[i] != '\r' && p[i] != '\n') return false;
  return true;
}

// "SIP/2.0 NNN[ reason]".
bool is_status_line(const uint8_t* s, uint32_t n) noexcept {
  if (n < 11 || !is_sip_version(s, 7) || s[7] != ' ') return false;
  for (int i = 8; i < 11; i++)
    if (s[i] < '0' || s[i] > '9') return false;
  return n == 11 || s[11] == ' ';
}

// "METHOD SP URI SP SIP/2.0"; *method_len set on success.
bool is_request_line(const uint8_t* s, uint32_t n, uint32_t* method_len) noexcept {
  uint32_t i = 0;
  while (i < n && is_token_char(s[i])) i++;
  if (i == 0 || i >= n || s[i] != ' ') return false;
  *method_len = i;
  const uint32_t uri = ++i;
  while (i < n && s[i] != ' ') i++;
  if (i == uri || i >= n) return false;
  bool scheme = false;
  for (uint32_t k = uri; k < i && !scheme; k++) scheme = s[k] == ':';
  return scheme && is_sip_version(s + i + 1, n - i - 1);
}

}  // namespace

StartLine parse_start_line(const uint8_t* p, uint32_t len) noexcept {
  StartLine sl;
  if (is_keepalive(p, len)) {
    sl.kind = StartKind::KeepAlive;
    sl.next = len;
    return sl;
  }
  // CRLFs before the start line are ignored (RFC 3261 §7.5).
  uint32_t start = 0;
  while (start < len && (p[start] == '\r' || p[start] == '\n')) start++;
  uint32_t end, next;
  line_end(p, len, start, &end, &next);
  const uint32_t cend = content_end(p, start, end);
  const uint8_t* s = p + start;
  const uint32_t n = cend - start;
  sl.line = Span{start, n};
  sl.next = next;
  uint32_t mlen = 0;
  if (has_ctl(s, n)) sl.kind = StartKind::Malformed;
  else if (is_status_line(s, n)) sl.kind = StartKind::Response;
  else if (is_request_line(s, n, &mlen)) sl.kind = StartKind::Request, sl.method = Span{start, mlen};
  else sl.kind = StartKind::Malformed;
  return sl;
}

bool next_header(const uint8_t* p, uint32_t len, uint32_t* pos, HeaderLine* h) noexcept {
  const uint32_t start = *pos;
  if (start >= len) return false;
  uint32_t end, next;
  line_end(p, len, start, &end, &next);
  uint32_t cend = content_end(p, start, end);
  if (cend == start) {  // the empty line: the body follows
    *pos = next;
    return false;
  }
  // Folded continuation lines (obsolete line folding, RFC 3261 §7.3.1).
  while (next < len && is_ws(p[next])) {
    line_end(p, len, next, &end, &next);
    cend = content_end(p, start, end);
  }
  *pos = next;
  h->line = Span{start, cend - start};
  uint32_t i = start;
  while (i < cend && is_token_char(p[i])) i++;
  h->name = Span{start, i - start};
  while (i < cend && is_ws(p[i])) i++;
  h->malformed = h->name.len == 0 || i >= cend || p[i] != ':';
  if (h->malformed) {
    h->value = Span{cend, 0};
    return true;
  }
  i++;
  while (i < cend && (is_ws(p[i]) || p[i] == '\r' || p[i] == '\n')) i++;
  uint32_t vend = cend;
  while (vend > i && (is_ws(p[vend - 1]) || p[vend - 1] == '\r' || p[vend - 1] == '\n')) vend--;
  h->value = Span{i, vend - i};
  return true;
}

}  // namespace rtpgate::dp::sipguard
