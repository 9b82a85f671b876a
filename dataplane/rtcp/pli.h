// RTCP Picture Loss Indication (RFC 4585 §6.3.1: payload-specific feedback, FMT 1) and the
// per-flow rate limit of the PLIs the data plane generates. Pure: byte arrays and numbers.
#pragma once
#include <cstddef>
#include <cstdint>

namespace rtpgate::dp {

inline constexpr size_t kPliLen = 12;

// Writes the 12-byte PLI: sender SSRC = the stream we send toward the peer (as Janus's
// janus_rtcp_fix_ssrc would write it), media source = the peer's SSRC. Returns kPliLen.
inline size_t build_pli(uint8_t* out, uint32_t sender_ssrc, uint32_t media_ssrc) noexcept {
  out[0] = 0x81;  // V=2, P=0, FMT=1
  out[1] = 206;   // PT = PSFB
  out[2] = 0;
  out[3] = 2;     // length: 3 words - 1
  for (int i = 0; i < 4; i++) {
    out[4 + i] = static_cast<uint8_t>(sender_ssrc >> (24 - 8 * i));
    out[8 + i] = static_cast<uint8_t>(media_ssrc >> (24 - 8 * i));
  }
  return kPliLen;
}

// True when a PLI may leave now: none before (last == 0), or the last one is at least
// min_interval old. Updates *last when it says yes. `force` bypasses the limit (and still
// records the time).
inline bool pli_allowed(uint64_t* last, uint64_t now, uint64_t min_interval, bool force = false) noexcept {
  if (!force && *last != 0 && now - *last < min_interval) return false;
  *last = now != 0 ? now : 1;
  return true;
}

}  // namespace rtpgate::dp
