// The 12-byte RTCP Picture Loss Indication (RFC 4585 §6.3.1: PSFB, FMT 1) the plugin sends
// to the SIP peer for `keyframe` (spec §12): sender SSRC = the browser's video SSRC, media
// source = the peer's video SSRC (what janus_rtcp_fix_ssrc would write). Pure.
#pragma once
#include <cstddef>
#include <cstdint>

namespace rtpgate::ctl::media {

inline constexpr size_t kPliLen = 12;

// Writes the PLI into out[0..11]; returns kPliLen.
size_t build_pli(uint8_t* out, uint32_t sender_ssrc, uint32_t media_ssrc) noexcept;

}  // namespace rtpgate::ctl::media
