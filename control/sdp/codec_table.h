// RTP payload-type knowledge the plugin needs: RFC 3551 static payload types and the
// names of RED and RFC 4733 events. Pure functions; any thread.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace rtpgate::ctl::sdp {

struct StaticPayloadType {
  std::string_view name;  // lower case, as RemoteMedium::codec
  uint32_t clock_rate;
};

// The RFC 3551 (section 6) assignment of `pt`, or nullptr for dynamic/unassigned values.
const StaticPayloadType* static_payload_type(int pt) noexcept;

bool is_red(std::string_view encoding) noexcept;              // "red" (any case)
bool is_telephone_event(std::string_view encoding) noexcept;  // "telephone-event" (any case)

// "name/rate[/params]" with the name lower-cased: two PTs with the same key carry the same
// codec (what upstream compares when it removes duplicate PTs from answers).
std::string codec_key(std::string_view encoding, unsigned long clock_rate, std::string_view params);

}  // namespace rtpgate::ctl::sdp
