// Line-level helpers for checking printed SDPs in the sdp/ unit tests.
#pragma once
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace rtpgate::ctl::sdp::testing {

// Lines without their CRLF/LF.
inline std::vector<std::string> lines_of(std::string_view sdp) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < sdp.size()) {
    size_t end = sdp.find('\n', start);
    if (end == std::string_view::npos) end = sdp.size();
    std::string line(sdp.substr(start, end - start));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(line);
    start = end + 1;
  }
  return out;
}

// Session part (index -1) or the n-th m= section, as lines.
inline std::vector<std::string> section(std::string_view sdp, int n) {
  std::vector<std::string> out;
  int current = -1;
  for (const std::string& l : lines_of(sdp)) {
    if (l.rfind("m=", 0) == 0) current++;
    if (current == n) out.push_back(l);
  }
  return out;
}

inline bool has_line(const std::vector<std::string>& lines, std::string_view line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

inline size_t count_prefix(const std::vector<std::string>& lines, std::string_view prefix) {
  return static_cast<size_t>(std::count_if(lines.begin(), lines.end(),
                                           [&](const std::string& l) { return l.rfind(prefix, 0) == 0; }));
}

}  // namespace rtpgate::ctl::sdp::testing
