// What the .mjr tests share (mjr_test, rec_file_test, recording_eal_test): an independent
// .mjr reader (spec/mjr-format.md: magic, u16 BE length + JSON info, MEET frames), info
// header lookups, and running janus-pp-rec under a timeout.
#pragma once
#include <jansson.h>
#include <sys/wait.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace rtpgate::test_mjr {

using Bytes = std::vector<uint8_t>;

inline constexpr const char* kPpRec = "/usr/bin/janus-pp-rec";

inline uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline uint32_t be32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

inline Bytes read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct MjrFrameRead {
  uint32_t ts_ms;
  Bytes pkt;
};

struct MjrRead {
  std::string json;  // empty when the file holds only the magic
  std::vector<MjrFrameRead> frames;
};

// Parses the whole file; false with *why on a bad magic, a bad header or any byte that is
// not part of a complete frame (a file cut mid-frame fails here).
inline bool parse_mjr(const Bytes& b, MjrRead* out, std::string* why) {
  if (b.size() < 8 || std::memcmp(b.data(), "MJR00002", 8) != 0) return *why = "bad magic", false;
  size_t off = 8;
  if (off == b.size()) return true;
  if (off + 2 > b.size()) return *why = "truncated info length", false;
  const size_t jl = be16(&b[off]);
  off += 2;
  if (jl == 0 || off + jl > b.size()) return *why = "truncated info header", false;
  out->json.assign(reinterpret_cast<const char*>(&b[off]), jl);
  off += jl;
  while (off < b.size()) {
    if (off + 10 > b.size()) return *why = "partial frame header at " + std::to_string(off), false;
    if (std::memcmp(&b[off], "MEET", 4) != 0) return *why = "no MEET at " + std::to_string(off), false;
    const uint32_t ts = be32(&b[off + 4]);
    const size_t len = be16(&b[off + 8]);
    off += 10;
    if (off + len > b.size())
      return *why = "frame at " + std::to_string(off - 10) + " cut: " + std::to_string(b.size() - off) + " of " +
                    std::to_string(len) + " bytes",
             false;
    out->frames.push_back({ts, Bytes(b.begin() + off, b.begin() + off + len)});
    off += len;
  }
  return true;
}

// The JSON integer (or string) `key` of the info header; -1 / "" when missing.
inline int64_t json_int(const std::string& json, const char* key) {
  json_t* root = json_loads(json.c_str(), 0, nullptr);
  if (root == nullptr) return -1;
  json_t* v = json_object_get(root, key);
  const int64_t r = json_is_integer(v) ? json_integer_value(v) : -1;
  json_decref(root);
  return r;
}
inline std::string json_str(const std::string& json, const char* key) {
  json_t* root = json_loads(json.c_str(), 0, nullptr);
  if (root == nullptr) return "";
  json_t* v = json_object_get(root, key);
  const std::string r = json_is_string(v) ? json_string_value(v) : "";
  json_decref(root);
  return r;
}

// Runs `cmd` under timeout(1) so a misbehaving converter cannot hang the suite; returns its
// exit code (-1 when it did not exit normally), its output appended to *output.
inline int run_cmd(const std::string& cmd, std::string* output) {
  FILE* f = popen(("timeout 60 " + cmd + " 2>&1").c_str(), "r");
  if (f == nullptr) return -1;
  char chunk[512];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) output->append(chunk, n);
  const int status = pclose(f);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace rtpgate::test_mjr
