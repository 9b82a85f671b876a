// Writes Janus .jcfg files (libconfig syntax) into a temporary config folder, e.g.
// <dir>/janus.plugin.sip.jcfg. Test thread.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace rtpgate::test {

class JcfgWriter {
 public:
  // Values are written as given, so any libconfig value works: use quote() for strings.
  JcfgWriter& set(const std::string& category, const std::string& key, std::string raw_value);
  JcfgWriter& set_string(const std::string& category, const std::string& key,
                         const std::string& value) {
    return set(category, key, quote(value));
  }
  JcfgWriter& set_int(const std::string& category, const std::string& key, long value) {
    return set(category, key, std::to_string(value));
  }
  JcfgWriter& set_bool(const std::string& category, const std::string& key, bool value) {
    return set(category, key, value ? "true" : "false");
  }
  // "k1=v1;k2=v2" with raw values, e.g. from an environment variable.
  JcfgWriter& set_all(const std::string& category, const std::string& assignments);
  JcfgWriter& erase(const std::string& category, const std::string& key);

  std::string render() const;
  bool write(const std::string& path, std::string* error) const;

  static std::string quote(const std::string& s);

 private:
  // category -> ordered (key, raw value)
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> cats_;
};

// A fresh directory under /tmp, removed with its files on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace rtpgate::test
