// RFC 2833 end-of-event detection (see dtmf_detect.h). Pure.
#include "media/dtmf_detect.h"

namespace rtpgate::ctl::media {
namespace {

constexpr uint8_t kEndBit = 0x80;

// Offset of the RTP payload (fixed header, CSRCs, extension), or 0 when it does not fit.
size_t payload_offset(const uint8_t* p, size_t len) noexcept {
  size_t off = 12 + 4u * (p[0] & 0x0fu);
  if (p[0] & 0x10u) {
    if (off + 4 > len) return 0;
    off += 4 + 4u * (size_t(p[off + 2]) << 8 | p[off + 3]);
  }
  return off <= len ? off : 0;
}

}  // namespace

char dtmf_signal(uint8_t event) noexcept {
  static constexpr char kSignals[] = "0123456789*#ABCD";
  return event < 16 ? kSignals[event] : '\0';
}

std::optional<DtmfEvent> DtmfDetector::on_rtp(const uint8_t* rtp, size_t len, int dtmf_pt) noexcept {
  if (dtmf_pt < 0 || rtp == nullptr || len < 12 || (rtp[1] & 0x7f) != dtmf_pt) return std::nullopt;
  const size_t off = payload_offset(rtp, len);
  if (off == 0 || off + 4 > len) return std::nullopt;
  const uint8_t* ev = rtp + off;
  if (!(ev[1] & kEndBit)) return std::nullopt;
  const uint32_t ts = uint32_t(rtp[4]) << 24 | uint32_t(rtp[5]) << 16 | uint32_t(rtp[6]) << 8 | rtp[7];
  if (have_last_ && last_event_ == ev[0] && last_ts_ == ts) return std::nullopt;  // redundant end
  have_last_ = true;
  last_event_ = ev[0];
  last_ts_ = ts;
  const char sig = dtmf_signal(ev[0]);
  if (sig == '\0') return std::nullopt;
  return DtmfEvent{sig, static_cast<uint16_t>(ev[2] << 8 | ev[3])};
}

}  // namespace rtpgate::ctl::media
