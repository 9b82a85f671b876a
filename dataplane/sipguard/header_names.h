// The header names a compiled rule set cares about (header:NAME rules, required-headers),
// each with its RFC 3261 compact form, looked up case-insensitively in O(1) by workers.
// Built off the fast path; immutable afterwards.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace rtpgate::dp::sipguard {

class HeaderNames {
 public:
  static constexpr uint32_t kMaxNames = 64;  // one bit each in a uint64_t mask
  static constexpr int kNone = -1;

  // Index of `name` (case-insensitive, compact form included), adding it when new.
  // kNone when the table is full.
  int add(std::string_view name);
  uint32_t size() const noexcept { return n_; }
  const std::string& name(uint32_t idx) const noexcept { return names_[idx]; }

  // Worker side: index of a header name as it appears in a message, or kNone.
  int find(const uint8_t* p, uint32_t len) const noexcept {
    if (len == 0 || len > kMaxLen) return kNone;
    for (uint32_t h = hash(p, len), n = 0; n < kSlots; n++, h = (h + 1) & (kSlots - 1)) {
      const Slot& s = slots_[h];
      if (s.len == 0) return kNone;
      if (s.len == len && equal_nocase(s.text, p, len)) return s.idx;
    }
    return kNone;
  }

  // The full name of a compact form ('f' -> "From"), or "" when `c` is none.
  static std::string_view expand_compact(char c) noexcept;

 private:
  static constexpr uint32_t kSlots = 256;  // spellings: kMaxNames names x (name + compact)
  static constexpr uint32_t kMaxLen = 40;
  struct Slot {
    uint8_t len = 0;  // 0 = empty
    int8_t idx = 0;
    char text[kMaxLen]{};  // lower case
  };
  static uint8_t lower(uint8_t c) noexcept { return c >= 'A' && c <= 'Z' ? uint8_t(c + 32) : c; }
  static uint32_t hash(const uint8_t* p, uint32_t len) noexcept {
    return (len * 31u + lower(p[0]) * 7u + lower(p[len - 1]) * 3u + lower(p[len / 2])) & (kSlots - 1);
  }
  static bool equal_nocase(const char* lower_text, const uint8_t* p, uint32_t len) noexcept {
    for (uint32_t i = 0; i < len; i++)
      if (uint8_t(lower_text[i]) != lower(p[i])) return false;
    return true;
  }
  bool insert(std::string_view spelling, int idx);
  int find_spelling(std::string_view s) const;

  Slot slots_[kSlots];
  std::string names_[kMaxNames];
  uint32_t n_ = 0;
};

}  // namespace rtpgate::dp::sipguard
