// RTCP SSRC rewrite for browser -> peer RTCP (see rtcp_ssrc_fix.h). Pure; any thread.
#include "media/rtcp_ssrc_fix.h"

#include <cstring>

namespace rtpgate::ctl::media {
namespace {

constexpr uint8_t kSr = 200, kRr = 201, kSdes = 202, kBye = 203, kApp = 204, kRtpfb = 205, kPsfb = 206, kXr = 207;
constexpr uint8_t kFmtFir = 4, kFmtAfb = 15;

// Writes `v` at p[off..off+4) when it fits inside the packet and v is known.
void put32(uint8_t* p, size_t plen, size_t off, uint32_t v) {
  if (v == 0 || off + 4 > plen) return;
  p[off] = uint8_t(v >> 24), p[off + 1] = uint8_t(v >> 16), p[off + 2] = uint8_t(v >> 8), p[off + 3] = uint8_t(v);
}

void fix_psfb(uint8_t* p, size_t plen, uint32_t media) {
  const uint8_t fmt = p[0] & 0x1f;
  if (fmt == kFmtFir) {
    // FCI: 8-byte entries {SSRC, seq, reserved}; the media source field stays 0.
    for (size_t off = 12; off + 8 <= plen; off += 8) put32(p, plen, off, media);
  } else if (fmt == kFmtAfb) {
    // REMB: "REMB", num SSRC (1 byte), exp/mantissa (3 bytes), SSRC list.
    if (plen >= 20 && std::memcmp(p + 12, "REMB", 4) == 0) {
      const size_t n = p[16];
      for (size_t i = 0; i < n; i++) put32(p, plen, 20 + 4 * i, media);
    }
  } else {
    put32(p, plen, 8, media);  // PLI, SLI, RPSI, ...
  }
}

void fix_one(uint8_t* p, size_t plen, uint32_t sender, uint32_t media) {
  const uint8_t count = p[0] & 0x1f;
  switch (p[1]) {
    case kSr:
      put32(p, plen, 4, sender);
      if (count > 0) put32(p, plen, 28, media);
      break;
    case kRr:
      put32(p, plen, 4, sender);
      if (count > 0) put32(p, plen, 8, media);
      break;
    case kSdes:
    case kBye:
      if (count > 0) put32(p, plen, 4, sender);
      break;
    case kApp:
    case kXr:
      put32(p, plen, 4, sender);
      break;
    case kRtpfb:
      put32(p, plen, 4, sender);
      put32(p, plen, 8, media);
      break;
    case kPsfb:
      put32(p, plen, 4, sender);
      fix_psfb(p, plen, media);
      break;
    default:
      break;
  }
}

}  // namespace

int rtcp_fix_ssrc(uint8_t* buf, size_t len, uint32_t sender_ssrc, uint32_t media_ssrc) noexcept {
  if (buf == nullptr || len < 4) return -1;
  int n = 0;
  for (size_t off = 0; off < len;) {
    if (len - off < 4) return -1;
    const uint8_t* q = buf + off;
    if ((q[0] >> 6) != 2 || q[1] < 192 || q[1] > 223) return -1;
    const size_t plen = 4 * ((size_t(q[2]) << 8 | q[3]) + 1);
    if (plen > len - off) return -1;
    off += plen;
    n++;
  }
  for (size_t off = 0; off < len;) {
    uint8_t* q = buf + off;
    const size_t plen = 4 * ((size_t(q[2]) << 8 | q[3]) + 1);
    fix_one(q, plen, sender_ssrc, media_ssrc);
    off += plen;
  }
  return n;
}

}  // namespace rtpgate::ctl::media
