// rtpgatectl output helpers shared by its command files.
#pragma once
#include <cstdio>
#include <string>

namespace rtpgate::ctl {

// Prints "rtpgatectl: MSG" on stderr; returns the exit status 1.
inline int fail(const std::string& msg) {
  std::fprintf(stderr, "rtpgatectl: %s\n", msg.c_str());
  return 1;
}

// A JSON string literal for `s` (quotes, backslashes and control characters escaped).
inline std::string json_str(const char* s) {
  std::string o = "\"";
  for (; *s != '\0'; s++) {
    const auto c = static_cast<unsigned char>(*s);
    if (c == '"' || c == '\\') {
      o += '\\';
      o += static_cast<char>(c);
    } else if (c < 0x20) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", c);
      o += b;
    } else {
      o += static_cast<char>(c);
    }
  }
  return o + "\"";
}

}  // namespace rtpgate::ctl
