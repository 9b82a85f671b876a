// The browser -> SIP attribute filter (see header for the list and the reasons).
// Any thread.
#include "sdp/sip_attribute_filter.h"

#include <array>
#include <string_view>

#include "sdp/attributes.h"

namespace rtpgate::ctl::sdp {
namespace {

// ice-* is matched as a prefix in keep_for_sip().
// clang-format off
constexpr std::array<std::string_view, 27> kDropped = {
    // spec §9.1
    "mid", "msid", "bundle-only",
    // ICE, DTLS, BUNDLE and other WebRTC-only lines
    "group", "msid-semantic", "candidate", "remote-candidates", "end-of-candidates",
    "fingerprint", "setup", "connection", "tls-id", "dtls-id", "identity",
    "extmap-allow-mixed", "rid", "simulcast", "sctpmap", "sctp-port", "max-message-size",
    // RTCP is plain, unmuxed, on port+1
    "rtcp", "rtcp-mux", "rtcp-mux-only", "rtcp-rsize",
    // the browser's stream identifiers; our own SDES line replaces any crypto
    "ssrc", "ssrc-group", "crypto",
};
// clang-format on

constexpr std::array<std::string_view, 2> kKeptExtmaps = {
    "urn:ietf:params:rtp-hdrext:ssrc-audio-level",
    "urn:3gpp:video-orientation",
};

bool starts_with_ci(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// "<id>[/<direction>] <uri> [<attributes>]"
bool keep_extmap(std::string_view value) noexcept {
  const std::string_view uri = token_at(value, 1);
  for (std::string_view kept : kKeptExtmaps)
    if (uri == kept) return true;
  return false;
}

}  // namespace

bool keep_for_sip(const sdp_attribute_t* a) noexcept {
  const std::string_view name = attr_name(a);
  for (std::string_view d : kDropped)
    if (iequals(name, d)) return false;
  if (starts_with_ci(name, "ice-")) return false;  // ice-pacing, ice-mismatch, ...
  if (iequals(name, "rtcp-fb")) return attr_value(a).find("nack pli") != std::string_view::npos;
  if (iequals(name, "extmap")) return keep_extmap(attr_value(a));
  return true;
}

}  // namespace rtpgate::ctl::sdp
