// Janus .mjr recording format (version 2, "MJR00002"): magic, JSON info header and frames,
// written into caller-owned byte buffers. Pure; used by the recorder thread (spec/mjr-format.md).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rtpgate::dp::rec {

inline constexpr size_t kMjrMagicLen = 8;       // "MJR00002"
inline constexpr size_t kMjrFrameHdrLen = 10;   // "MEET" + u32 BE ms + u16 BE len
inline constexpr size_t kMjrMaxInfoLen = 1400;  // janus-pp-rec needs the JSON < 1500
inline constexpr size_t kMjrMaxPacket = 1500;   // janus-pp-rec skips longer RTP

enum class MjrMedium : uint8_t { Audio, Video };

// Codec names the format accepts for a medium (lower case, spec §2.1): audio opus, multiopus,
// pcmu, pcma, g711, g722, l16, l16-48; video vp8, vp9, h264, av1, h265. Data codecs (text,
// binary) are not recorded by the data plane and are rejected.
// Returns the medium for a codec name (case-insensitive input), false if unknown.
bool mjr_codec_medium(std::string_view codec, MjrMedium* out) noexcept;

// The RTP clock rate to assume for a codec (case-insensitive) when signalling gave none:
// opus/multiopus 48000, pcmu/pcma/g711/g722 8000 (G.722's RTP clock is 8000 by RFC 3551),
// l16 16000 and l16-48 48000 (what janus-pp-rec writes into the .wav), video 90000.
// 0 for an unknown codec.
uint32_t mjr_default_clock(std::string_view codec) noexcept;

// Writes "MJR00002" into out (8 bytes), returns 8.
size_t mjr_write_magic(uint8_t* out) noexcept;

struct MjrInfo {
  MjrMedium medium;
  std::string_view codec;      // lower-cased by the writer; must belong to `medium`
  std::string_view fmtp;       // optional "f" key, omitted when empty (must be UTF-8)
  uint64_t created_us;         // "s": recorder creation, µs since the Unix epoch
  uint64_t first_frame_us;     // "u": first frame written, µs since the Unix epoch
  int video_orient_ext = 0;    // 1..255: "x": {"<id>": "urn:3gpp:video-orientation"}
};

// Writes u16 BE length + the JSON info text as Janus's writer lays it out (jansson, keys in
// the order t, c, [f], [x], s, u; separators ", " and ": "). Returns bytes written; 0 if it
// does not fit in cap, the JSON would exceed kMjrMaxInfoLen, the codec is unknown or not of
// `medium`, a time exceeds INT64_MAX, fmtp is not UTF-8 or holds a NUL (a reader refuses
// \u0000), or video_orient_ext > 255.
// Allocates (jansson): call once per file, off the packet path.
size_t mjr_write_info(uint8_t* out, size_t cap, const MjrInfo& info);

// Writes one frame: "MEET", u32 BE ts_ms (ms since the first frame), u16 BE len, then the
// packet bytes. Returns 10+len; 0 if cap is too small or len > kMjrMaxPacket.
size_t mjr_write_frame(uint8_t* out, size_t cap, uint32_t ts_ms, const uint8_t* pkt,
                       uint16_t len) noexcept;

}  // namespace rtpgate::dp::rec
