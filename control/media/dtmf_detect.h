// RFC 2833 / RFC 4733 telephone-event detection on the SIP peer's RTP (spec §13, HEAD):
// an end-of-event packet with the negotiated telephone-event PT whose (event, timestamp)
// differs from the last one reported yields one DTMF event; the redundant end packets
// RFC 4733 recommends (same event, same timestamp) are reported once. Events above 15
// (not DTMF) are ignored. Pure; one instance per stream, used by one thread (the bridge).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>

namespace rtpgate::ctl::media {

struct DtmfEvent {
  char signal = 0;        // '0'-'9', '*', '#', 'A'-'D'
  uint16_t duration = 0;  // RTP timestamp units, as carried in the end packet
};

// The character of a DTMF event code 0..15 (RFC 4733 §3.2), 0 for anything else.
char dtmf_signal(uint8_t event) noexcept;

class DtmfDetector {
 public:
  // `rtp` is a validated RTP packet (see is_rtp). `dtmf_pt` < 0: nothing is detected.
  std::optional<DtmfEvent> on_rtp(const uint8_t* rtp, size_t len, int dtmf_pt) noexcept;
  // Forget the last event (a new call on the same stream).
  void reset() noexcept { have_last_ = false; }

 private:
  bool have_last_ = false;
  uint8_t last_event_ = 0;
  uint32_t last_ts_ = 0;
};

}  // namespace rtpgate::ctl::media
