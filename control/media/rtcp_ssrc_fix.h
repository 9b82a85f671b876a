// Browser -> peer RTCP (spec §11.1): rewrite the SSRCs of a compound RTCP packet so the
// sender is the browser's SSRC and the media source is the peer's. Pure function over a
// byte buffer with bounds checks; any thread.
#pragma once
#include <cstddef>
#include <cstdint>

namespace rtpgate::ctl::media {

// Checks that `buf` is a well-formed compound (every packet version 2, type 192..223,
// length inside the buffer, lengths adding up to `len`) and then rewrites, in place:
//   SR/RR      sender SSRC, and the first report block's SSRC (media source)
//   SDES/BYE   first SSRC/CSRC (sender)          APP, XR   sender SSRC
//   RTPFB      sender SSRC, media source SSRC (NACK, TMMBR, ...)
//   PSFB       sender SSRC; PLI/SLI/RPSI media source SSRC; FIR entries' SSRC;
//              REMB SSRC list (media source)
// An SSRC argument of 0 (not learnt yet) leaves those fields alone.
// Returns the number of packets in the compound, or -1 when it is malformed (then nothing
// is changed).
int rtcp_fix_ssrc(uint8_t* buf, size_t len, uint32_t sender_ssrc, uint32_t media_ssrc) noexcept;

}  // namespace rtpgate::ctl::media
