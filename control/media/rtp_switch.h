// Switching context for RTP sent to the browser (spec §11.2): the SSRC is fixed to the
// first one seen and sequence numbers / timestamps stay continuous across peer SSRC changes
// and explicit resets. Pure state machine over plain bytes; one thread (the bridge) per context.
#pragma once
#include <cstdint>

namespace rtpgate::ctl::media {

struct RtpSwitchState {
  bool started = false;
  uint32_t out_ssrc = 0;      // first SSRC seen; written on every packet
  uint32_t in_ssrc = 0;       // SSRC of the current source
  uint16_t seq_off = 0;       // out = in + off (mod 2^16)
  uint32_t ts_off = 0;        // out = in + off (mod 2^32)
  uint16_t last_out_seq = 0;  // highest sequence number sent
  uint32_t last_out_ts = 0;   // its timestamp
  uint32_t last_in_ts = 0;    // input timestamp of the highest packet of the current source
  uint32_t ts_delta = 0;      // last positive timestamp step seen within the current source
  uint64_t last_ns = 0;       // arrival time of the highest packet
};

enum class RtpSwitchResult : uint8_t { Same, First, SourceChanged, Reset };

// Rewrites SSRC, sequence number and timestamp of the RTP packet `rtp` (at least 12
// bytes, already validated). `reset` treats the packet as a new source even with the
// same SSRC (e.g. reception resuming after hold). `clock_rate` (Hz, 0 = unknown) sizes
// the timestamp gap at a change from the time elapsed since the previous packet; unknown
// falls back to the last timestamp step seen.
RtpSwitchResult rtp_switch_rewrite(RtpSwitchState& s, uint8_t* rtp, uint64_t now_ns, uint32_t clock_rate,
                                   bool reset) noexcept;

}  // namespace rtpgate::ctl::media
