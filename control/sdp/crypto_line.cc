// SDES a=crypto value parsing and printing (RFC 4568 subset, see header), and the base64
// of inline keys. Any thread.
#include "sdp/crypto_line.h"

#include "sdp/attributes.h"

namespace rtpgate::ctl::sdp {
namespace {

constexpr size_t kMaxKeyChars = 128;

bool all_digits(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

bool is_profile(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool is_base64(std::string_view s) noexcept {
  if (s.empty() || s.size() > kMaxKeyChars) return false;
  size_t pad = 0;
  for (char c : s) {
    if (c == '=') {
      pad++;
      continue;
    }
    const bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
    if (!ok || pad > 0) return false;  // a character after padding
  }
  return pad <= 2 && pad < s.size() && (pad == 0 || s.size() % 4 == 0);
}

// "2^31" or a decimal number of packets.
bool is_lifetime(std::string_view s) noexcept {
  if (s.size() > 2 && s[0] == '2' && s[1] == '^') return all_digits(s.substr(2)) && s.size() <= 4;
  return all_digits(s) && s.size() <= 20;
}

}  // namespace

bool parse_crypto(std::string_view value, Crypto* out) {
  const std::vector<std::string_view> tok = split_ws(value);
  if (tok.size() != 3) return false;
  if (!all_digits(tok[0]) || tok[0].size() > 9 || !is_profile(tok[1])) return false;
  constexpr std::string_view kInline = "inline:";
  std::string_view key = tok[2];
  if (key.substr(0, kInline.size()) != kInline) return false;
  key.remove_prefix(kInline.size());
  if (key.find(';') != std::string_view::npos) return false;
  const size_t bar = key.find('|');
  if (bar != std::string_view::npos) {
    const std::string_view rest = key.substr(bar + 1);
    if (rest.find('|') != std::string_view::npos || !is_lifetime(rest)) return false;  // MKI
    key = key.substr(0, bar);
  }
  if (!is_base64(key)) return false;
  int tag = 0;
  for (char c : tok[0]) tag = tag * 10 + (c - '0');
  out->tag = tag;
  out->profile.assign(tok[1]);
  out->key_b64.assign(key);
  return true;
}

std::string format_crypto(int tag, std::string_view profile, std::string_view key_b64) {
  std::string v = std::to_string(tag);
  v.reserve(v.size() + profile.size() + key_b64.size() + 9);
  v += ' ';
  v += profile;
  v += " inline:";
  v += key_b64;
  return v;
}

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int sextet(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::string base64_encode(const uint8_t* data, size_t len) {
  std::string out;
  out.reserve((len + 2) / 3 * 4);
  for (size_t i = 0; i < len; i += 3) {
    const uint32_t b0 = data[i];
    const uint32_t b1 = i + 1 < len ? data[i + 1] : 0;
    const uint32_t b2 = i + 2 < len ? data[i + 2] : 0;
    const uint32_t v = (b0 << 16) | (b1 << 8) | b2;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < len ? kAlphabet[(v >> 6) & 63] : '=';
    out += i + 2 < len ? kAlphabet[v & 63] : '=';
  }
  return out;
}

bool base64_decode(std::string_view b64, uint8_t* out, size_t cap, size_t* out_len) {
  while (!b64.empty() && b64.back() == '=') b64.remove_suffix(1);
  if (b64.size() % 4 == 1) return false;   // 6 bits cannot end a byte
  size_t n = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : b64) {
    const int v = sextet(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (n == cap) return false;
      out[n++] = static_cast<uint8_t>(acc >> bits);
    }
  }
  *out_len = n;
  return true;
}

}  // namespace rtpgate::ctl::sdp
