// Everything the plugin logs through the fake core's janus_vprintf while a LogCapture
// lives (on any thread), with the core's log level raised to `level` meanwhile.
#pragma once
#include <string>

namespace rtpgate::test {

class LogCapture {
 public:
  explicit LogCapture(int level);
  ~LogCapture();
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;
  std::string text() const;

 private:
  int saved_level_;
  std::string text_;
};

}  // namespace rtpgate::test
