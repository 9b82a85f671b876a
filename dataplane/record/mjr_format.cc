// Janus .mjr format writer: codec table, magic, JSON info header and frame framing.
// Runs on the recorder thread; only mjr_write_info allocates (jansson).
#include "record/mjr_format.h"

#include <jansson.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>

namespace rtpgate::dp::rec {
namespace {

struct CodecRow {
  std::string_view name;  // lower case, as written into "c"
  MjrMedium medium;
  uint32_t clock_hz;
};

// The audio/video rows of janus_recorder_create's codec list (spec §2.1).
constexpr std::array<CodecRow, 13> kCodecs{{
    {"opus", MjrMedium::Audio, 48000},
    {"multiopus", MjrMedium::Audio, 48000},
    {"pcmu", MjrMedium::Audio, 8000},
    {"pcma", MjrMedium::Audio, 8000},
    {"g711", MjrMedium::Audio, 8000},
    {"g722", MjrMedium::Audio, 8000},
    {"l16", MjrMedium::Audio, 16000},
    {"l16-48", MjrMedium::Audio, 48000},
    {"vp8", MjrMedium::Video, 90000},
    {"vp9", MjrMedium::Video, 90000},
    {"h264", MjrMedium::Video, 90000},
    {"av1", MjrMedium::Video, 90000},
    {"h265", MjrMedium::Video, 90000},
}};

// Longest name in kCodecs plus room; longer input cannot be a known codec.
constexpr size_t kMaxCodecName = 16;

struct LowerName {
  char buf[kMaxCodecName];
  size_t len;
  std::string_view view() const noexcept { return {buf, len}; }
};

// Lower-cases ASCII into a fixed buffer so lookups need no allocation.
bool to_lower(std::string_view in, LowerName* out) noexcept {
  if (in.empty() || in.size() > kMaxCodecName) return false;
  for (size_t i = 0; i < in.size(); i++) {
    const char c = in[i];
    out->buf[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  out->len = in.size();
  return true;
}

const CodecRow* find_codec(std::string_view codec, LowerName* lower) noexcept {
  if (!to_lower(codec, lower)) return nullptr;
  for (const CodecRow& row : kCodecs)
    if (row.name == lower->view()) return &row;
  return nullptr;
}

void put16be(uint8_t* p, uint16_t v) noexcept {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

void put32be(uint8_t* p, uint32_t v) noexcept {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

struct JsonDecref {
  void operator()(json_t* j) const noexcept { json_decref(j); }
};
using JsonPtr = std::unique_ptr<json_t, JsonDecref>;

// json_object_set_new takes ownership of `value` even on failure, so release() is correct.
bool set_new(json_t* obj, const char* key, JsonPtr value) noexcept {
  return value != nullptr && json_object_set_new(obj, key, value.release()) == 0;
}

JsonPtr orientation_ext(uint8_t id) {
  char key[4];
  std::snprintf(key, sizeof key, "%u", unsigned{id});
  JsonPtr x{json_object()};
  if (x == nullptr || !set_new(x.get(), key, JsonPtr{json_string("urn:3gpp:video-orientation")}))
    return nullptr;
  return x;
}

// Builds the info object; key order matters for byte-identical output (JSON_PRESERVE_ORDER).
JsonPtr build_info(const MjrInfo& info, std::string_view codec) {
  constexpr auto kMaxInt = static_cast<uint64_t>(std::numeric_limits<json_int_t>::max());
  if (info.created_us > kMaxInt || info.first_frame_us > kMaxInt) return nullptr;
  if (info.video_orient_ext > 255) return nullptr;  // RTP header extension ids end at 255
  // json_stringn would take a NUL and dump it as \u0000, which jansson's reader (janus-pp-rec
  // loads the header with it) refuses: the whole recording would be unreadable.
  if (info.fmtp.find('\0') != std::string_view::npos) return nullptr;
  JsonPtr root{json_object()};
  if (root == nullptr) return nullptr;
  json_t* o = root.get();
  const char* medium = info.medium == MjrMedium::Audio ? "a" : "v";
  if (!set_new(o, "t", JsonPtr{json_string(medium)})) return nullptr;
  if (!set_new(o, "c", JsonPtr{json_stringn(codec.data(), codec.size())})) return nullptr;
  if (!info.fmtp.empty() && !set_new(o, "f", JsonPtr{json_stringn(info.fmtp.data(), info.fmtp.size())}))
    return nullptr;  // json_stringn refuses text that is not UTF-8
  if (info.video_orient_ext > 0 && !set_new(o, "x", orientation_ext(static_cast<uint8_t>(info.video_orient_ext))))
    return nullptr;
  if (!set_new(o, "s", JsonPtr{json_integer(static_cast<json_int_t>(info.created_us))})) return nullptr;
  if (!set_new(o, "u", JsonPtr{json_integer(static_cast<json_int_t>(info.first_frame_us))})) return nullptr;
  return root;
}

}  // namespace

bool mjr_codec_medium(std::string_view codec, MjrMedium* out) noexcept {
  LowerName lower;
  const CodecRow* row = find_codec(codec, &lower);
  if (row == nullptr) return false;
  if (out != nullptr) *out = row->medium;
  return true;
}

uint32_t mjr_default_clock(std::string_view codec) noexcept {
  LowerName lower;
  const CodecRow* row = find_codec(codec, &lower);
  return row == nullptr ? 0 : row->clock_hz;
}

size_t mjr_write_magic(uint8_t* out) noexcept {
  std::memcpy(out, "MJR00002", kMjrMagicLen);
  return kMjrMagicLen;
}

size_t mjr_write_info(uint8_t* out, size_t cap, const MjrInfo& info) {
  LowerName lower;
  const CodecRow* row = find_codec(info.codec, &lower);
  if (row == nullptr || row->medium != info.medium || cap < 2) return 0;
  JsonPtr root = build_info(info, lower.view());
  if (root == nullptr) return 0;
  // Janus dumps with JSON_PRESERVE_ORDER and no other flag: ", " and ": " separators.
  const size_t room = std::min(cap - 2, kMjrMaxInfoLen);
  const size_t need = json_dumpb(root.get(), reinterpret_cast<char*>(out + 2), room, JSON_PRESERVE_ORDER);
  if (need == 0 || need > room) return 0;  // error, or truncated (buffer content undefined)
  put16be(out, static_cast<uint16_t>(need));
  return 2 + need;
}

size_t mjr_write_frame(uint8_t* out, size_t cap, uint32_t ts_ms, const uint8_t* pkt,
                       uint16_t len) noexcept {
  if (len > kMjrMaxPacket || cap < kMjrFrameHdrLen + len) return 0;
  std::memcpy(out, "MEET", 4);
  put32be(out + 4, ts_ms);
  put16be(out + 8, len);
  if (len > 0) std::memcpy(out + kMjrFrameHdrLen, pkt, len);
  return kMjrFrameHdrLen + len;
}

}  // namespace rtpgate::dp::rec
