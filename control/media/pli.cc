// RTCP PLI (see pli.h). Pure.
#include "media/pli.h"

namespace rtpgate::ctl::media {
namespace {

void put32(uint8_t* p, uint32_t v) noexcept {
  p[0] = uint8_t(v >> 24), p[1] = uint8_t(v >> 16), p[2] = uint8_t(v >> 8), p[3] = uint8_t(v);
}

}  // namespace

size_t build_pli(uint8_t* out, uint32_t sender_ssrc, uint32_t media_ssrc) noexcept {
  out[0] = 0x81;  // V=2, P=0, FMT=1 (PLI)
  out[1] = 206;   // PT = PSFB
  out[2] = 0;
  out[3] = 2;     // length in 32-bit words minus one
  put32(out + 4, sender_ssrc);
  put32(out + 8, media_ssrc);
  return kPliLen;
}

}  // namespace rtpgate::ctl::media
