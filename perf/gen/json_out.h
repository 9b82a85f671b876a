// rtpgate-perf: a small streaming JSON writer for the result line (objects, arrays,
// numbers, strings, booleans). Main thread, after the trials.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace rtpgate::perf {

class JsonOut {
 public:
  JsonOut& begin_obj(const char* key = nullptr) { return open(key, '{'); }
  JsonOut& begin_arr(const char* key = nullptr) { return open(key, '['); }
  JsonOut& end() {
    s_ += closers_.back();
    closers_.pop_back();
    first_.pop_back();
    return *this;
  }
  JsonOut& num(const char* key, double v) { return put(key, number(v)); }
  JsonOut& u64(const char* key, uint64_t v) { return put(key, std::to_string(v)); }
  JsonOut& str(const char* key, const std::string& v) { return put(key, quote(v)); }
  JsonOut& boolean(const char* key, bool v) { return put(key, v ? "true" : "false"); }
  // Array elements.
  JsonOut& num(double v) { return put(nullptr, number(v)); }
  const std::string& text() const { return s_; }

 private:
  static std::string number(double v) {
    if (!std::isfinite(v)) return "null";
    char b[40];
    std::snprintf(b, sizeof b, "%.9g", v);
    return b;
  }
  static std::string quote(const std::string& v) {
    std::string o = "\"";
    for (char c : v) {
      if (c == '"' || c == '\\') o += '\\';
      if (static_cast<unsigned char>(c) >= 0x20) o += c;
    }
    return o + '"';
  }
  void sep(const char* key) {
    if (!first_.empty()) {
      if (!first_.back()) s_ += ',';
      first_.back() = false;
    }
    if (key != nullptr) s_ += quote(key) + ':';
  }
  JsonOut& put(const char* key, const std::string& v) {
    sep(key);
    s_ += v;
    return *this;
  }
  JsonOut& open(const char* key, char c) {
    sep(key);
    s_ += c;
    closers_.push_back(c == '{' ? '}' : ']');
    first_.push_back(true);
    return *this;
  }
  std::string s_;
  std::vector<char> closers_;
  std::vector<bool> first_;
};

}  // namespace rtpgate::perf
