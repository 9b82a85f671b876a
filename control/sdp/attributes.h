// Editing Sofia's a= lists and splitting attribute values into tokens.
// Pure functions; any thread.
#pragma once
#include <sofia-sip/sdp.h>
#include <sofia-sip/su_alloc.h>

#include <string>
#include <string_view>
#include <vector>

namespace rtpgate::ctl::sdp {

bool iequals(std::string_view a, std::string_view b) noexcept;
std::string to_lower(std::string_view s);
// Splits on spaces and tabs, dropping empty tokens.
std::vector<std::string_view> split_ws(std::string_view s);
// The n-th (from 0) space/tab separated token of s, or "" if there are fewer.
std::string_view token_at(std::string_view s, size_t n) noexcept;

inline std::string_view attr_name(const sdp_attribute_t* a) noexcept {
  return a->a_name ? std::string_view(a->a_name) : std::string_view();
}
inline std::string_view attr_value(const sdp_attribute_t* a) noexcept {
  return a->a_value ? std::string_view(a->a_value) : std::string_view();
}

// Unlinks every attribute for which pred(a) is true (memory stays with the home).
template <class Pred>
void remove_attributes(sdp_attribute_t** list, Pred pred) {
  while (*list) {
    if (pred(static_cast<const sdp_attribute_t*>(*list)))
      *list = (*list)->a_next;
    else
      list = &(*list)->a_next;
  }
}

// Appends a=name[:value] (value may be empty for a flag attribute). False on no memory.
bool append_attribute(su_home_t* home, sdp_attribute_t** list, const char* name, std::string_view value);

}  // namespace rtpgate::ctl::sdp
