// SDES a=crypto value parsing (RFC 4568 subset, see header). Any thread.
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

}  // namespace rtpgate::ctl::sdp
