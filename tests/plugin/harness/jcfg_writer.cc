// .jcfg rendering and the temporary config folder (test thread).
#include "jcfg_writer.h"

#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace rtpgate::test {

JcfgWriter& JcfgWriter::set(const std::string& category, const std::string& key,
                            std::string raw_value) {
  for (auto& [cat, kvs] : cats_) {
    if (cat != category) continue;
    for (auto& [k, v] : kvs) {
      if (k == key) {
        v = std::move(raw_value);
        return *this;
      }
    }
    kvs.emplace_back(key, std::move(raw_value));
    return *this;
  }
  cats_.push_back({category, {{key, std::move(raw_value)}}});
  return *this;
}

JcfgWriter& JcfgWriter::set_all(const std::string& category, const std::string& assignments) {
  std::stringstream in(assignments);
  std::string item;
  while (std::getline(in, item, ';')) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    set(category, item.substr(0, eq), item.substr(eq + 1));
  }
  return *this;
}

JcfgWriter& JcfgWriter::erase(const std::string& category, const std::string& key) {
  for (auto& [cat, kvs] : cats_) {
    if (cat != category) continue;
    std::erase_if(kvs, [&](const auto& kv) { return kv.first == key; });
  }
  return *this;
}

std::string JcfgWriter::render() const {
  std::string out = "# written by the rtpgate plugin test harness\n";
  for (const auto& [cat, kvs] : cats_) {
    out += cat + ": {\n";
    for (const auto& [k, v] : kvs) out += "\t" + k + " = " + v + "\n";
    out += "}\n";
  }
  return out;
}

bool JcfgWriter::write(const std::string& path, std::string* error) const {
  std::ofstream f(path);
  f << render();
  f.close();
  if (!f) {
    if (error != nullptr) *error = "cannot write " + path;
    return false;
  }
  return true;
}

std::string JcfgWriter::quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

TempDir::TempDir() {
  char tmpl[] = "/tmp/rtpgate-harness-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    std::perror("mkdtemp");
    std::abort();
  }
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace rtpgate::test
