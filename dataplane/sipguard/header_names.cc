// Header-name table of a compiled SIP guard rule set (see header_names.h). Built off the
// fast path.
#include "sipguard/header_names.h"

#include <cstring>

namespace rtpgate::dp::sipguard {
namespace {

// RFC 3261 §7.3.3 and later RFCs' compact forms.
struct Compact {
  char c;
  const char* name;
};
constexpr Compact kCompact[] = {
    {'a', "Accept-Contact"}, {'b', "Referred-By"},     {'c', "Content-Type"},   {'d', "Request-Disposition"},
    {'e', "Content-Encoding"}, {'f', "From"},          {'i', "Call-ID"},        {'j', "Reject-Contact"},
    {'k', "Supported"},      {'l', "Content-Length"},  {'m', "Contact"},        {'o', "Event"},
    {'r', "Refer-To"},       {'s', "Subject"},         {'t', "To"},             {'u', "Allow-Events"},
    {'v', "Via"},            {'x', "Session-Expires"}, {'y', "Identity"},
};

bool same_nocase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++) {
    const auto x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if ((x >= 'A' && x <= 'Z' ? x + 32 : x) != (y >= 'A' && y <= 'Z' ? y + 32 : y)) return false;
  }
  return true;
}

}  // namespace

std::string_view HeaderNames::expand_compact(char c) noexcept {
  const char lc = c >= 'A' && c <= 'Z' ? char(c + 32) : c;
  for (const auto& k : kCompact)
    if (k.c == lc) return k.name;
  return {};
}

int HeaderNames::find_spelling(std::string_view s) const {
  if (s.empty() || s.size() > kMaxLen) return kNone;
  return find(reinterpret_cast<const uint8_t*>(s.data()), static_cast<uint32_t>(s.size()));
}

bool HeaderNames::insert(std::string_view spelling, int idx) {
  const auto* p = reinterpret_cast<const uint8_t*>(spelling.data());
  const auto len = static_cast<uint32_t>(spelling.size());
  for (uint32_t h = hash(p, len), n = 0; n < kSlots; n++, h = (h + 1) & (kSlots - 1)) {
    Slot& s = slots_[h];
    if (s.len != 0) continue;
    s.len = static_cast<uint8_t>(len);
    s.idx = static_cast<int8_t>(idx);
    for (uint32_t i = 0; i < len; i++) s.text[i] = static_cast<char>(lower(p[i]));
    return true;
  }
  return false;
}

int HeaderNames::add(std::string_view name) {
  // A compact form stands for its full name.
  std::string_view full = name.size() == 1 ? expand_compact(name[0]) : std::string_view{};
  if (full.empty()) full = name;
  if (full.size() > kMaxLen) return kNone;
  if (const int idx = find_spelling(full); idx != kNone) return idx;
  if (n_ == kMaxNames) return kNone;
  const int idx = static_cast<int>(n_);
  names_[n_++] = std::string(full);
  insert(full, idx);
  for (const auto& k : kCompact)
    if (same_nocase(full, k.name)) insert(std::string_view(&k.c, 1), idx);
  return idx;
}

}  // namespace rtpgate::dp::sipguard
