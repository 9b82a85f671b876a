// a= list editing and value tokenising for Sofia-parsed SDPs (any thread).
#include "sdp/attributes.h"

namespace rtpgate::ctl::sdp {
namespace {

char lower_ascii(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++)
    if (lower_ascii(a[i]) != lower_ascii(b[i])) return false;
  return true;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower_ascii(c);
  return out;
}

std::vector<std::string_view> split_ws(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) i++;
    const size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') i++;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

std::string_view token_at(std::string_view s, size_t n) noexcept {
  size_t i = 0;
  for (size_t k = 0;; k++) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) i++;
    const size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') i++;
    if (i == start) return {};
    if (k == n) return s.substr(start, i - start);
  }
}

bool append_attribute(su_home_t* home, sdp_attribute_t** list, const char* name, std::string_view value) {
  auto* a = static_cast<sdp_attribute_t*>(su_zalloc(home, sizeof(sdp_attribute_t)));
  if (!a) return false;
  a->a_size = sizeof(sdp_attribute_t);
  a->a_name = su_strdup(home, name);
  a->a_value = value.empty() ? nullptr : su_strndup(home, value.data(), static_cast<isize_t>(value.size()));
  if (!a->a_name || (!value.empty() && !a->a_value)) return false;
  while (*list) list = &(*list)->a_next;
  *list = a;
  return true;
}

}  // namespace rtpgate::ctl::sdp
