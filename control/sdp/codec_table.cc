// RFC 3551 static payload types and codec-name helpers (any thread).
#include "sdp/codec_table.h"

#include <array>

#include "sdp/attributes.h"

namespace rtpgate::ctl::sdp {
namespace {

struct Row {
  int pt;
  StaticPayloadType codec;
};

// RFC 3551 tables 4 and 5 without the reserved values 1, 2 and 19. G722's RTP clock is
// 8000 although it samples at 16 kHz.
constexpr std::array<Row, 24> kStatic = {{
    {0, {"pcmu", 8000}},   {3, {"gsm", 8000}},    {4, {"g723", 8000}},   {5, {"dvi4", 8000}},
    {6, {"dvi4", 16000}},  {7, {"lpc", 8000}},    {8, {"pcma", 8000}},   {9, {"g722", 8000}},
    {10, {"l16", 44100}},  {11, {"l16", 44100}},  {12, {"qcelp", 8000}}, {13, {"cn", 8000}},
    {14, {"mpa", 90000}},  {15, {"g728", 8000}},  {16, {"dvi4", 11025}}, {17, {"dvi4", 22050}},
    {18, {"g729", 8000}},  {25, {"celb", 90000}}, {26, {"jpeg", 90000}}, {28, {"nv", 90000}},
    {31, {"h261", 90000}}, {32, {"mpv", 90000}},  {33, {"mp2t", 90000}}, {34, {"h263", 90000}},
}};

}  // namespace

const StaticPayloadType* static_payload_type(int pt) noexcept {
  for (const Row& r : kStatic)
    if (r.pt == pt) return &r.codec;
  return nullptr;
}

bool is_red(std::string_view encoding) noexcept { return iequals(encoding, "red"); }

bool is_telephone_event(std::string_view encoding) noexcept { return iequals(encoding, "telephone-event"); }

std::string codec_key(std::string_view encoding, unsigned long clock_rate, std::string_view params) {
  std::string key = to_lower(encoding);
  key += '/';
  key += std::to_string(clock_rate);
  if (!params.empty()) {
    key += '/';
    key += to_lower(params);
  }
  return key;
}

}  // namespace rtpgate::ctl::sdp
