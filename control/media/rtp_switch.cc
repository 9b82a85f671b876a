// RTP switching context (see rtp_switch.h). Bridge thread; pure.
#include "media/rtp_switch.h"

namespace rtpgate::ctl::media {
namespace {

uint16_t rd16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t rd32(const uint8_t* p) { return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3]; }
void wr16(uint8_t* p, uint16_t v) { p[0] = uint8_t(v >> 8), p[1] = uint8_t(v); }
void wr32(uint8_t* p, uint32_t v) { p[0] = uint8_t(v >> 24), p[1] = uint8_t(v >> 16), p[2] = uint8_t(v >> 8), p[3] = uint8_t(v); }

constexpr uint32_t kMaxGapTicks = 1u << 30;  // keep a jump far from half the timestamp space

// Timestamp ticks to insert between the last packet sent and the first of a new source.
uint32_t gap_ticks(const RtpSwitchState& s, uint64_t now_ns, uint32_t clock_rate) {
  if (clock_rate != 0 && now_ns > s.last_ns) {
    const uint64_t ticks = (now_ns - s.last_ns) / 1000 * clock_rate / 1000000;
    if (ticks >= kMaxGapTicks) return kMaxGapTicks;
    if (ticks > 0) return static_cast<uint32_t>(ticks);
  }
  return s.ts_delta != 0 ? s.ts_delta : 1;
}

}  // namespace

RtpSwitchResult rtp_switch_rewrite(RtpSwitchState& s, uint8_t* rtp, uint64_t now_ns, uint32_t clock_rate,
                                   bool reset) noexcept {
  const uint16_t in_seq = rd16(rtp + 2);
  const uint32_t in_ts = rd32(rtp + 4);
  const uint32_t in_ssrc = rd32(rtp + 8);
  RtpSwitchResult r = RtpSwitchResult::Same;
  if (!s.started) {
    s.started = true;
    s.out_ssrc = in_ssrc;
    s.in_ssrc = in_ssrc;
    s.seq_off = 0;
    s.ts_off = 0;
    s.last_out_seq = static_cast<uint16_t>(in_seq - 1);  // so the first packet counts as newest
    s.last_out_ts = in_ts;
    s.last_in_ts = in_ts;
    s.ts_delta = 0;
    r = RtpSwitchResult::First;
  } else if (in_ssrc != s.in_ssrc || reset) {
    // The new source continues right after the newest packet sent so far.
    const uint16_t out_seq = static_cast<uint16_t>(s.last_out_seq + 1);
    const uint32_t out_ts = s.last_out_ts + gap_ticks(s, now_ns, clock_rate);
    r = in_ssrc != s.in_ssrc ? RtpSwitchResult::SourceChanged : RtpSwitchResult::Reset;
    s.seq_off = static_cast<uint16_t>(out_seq - in_seq);
    s.ts_off = out_ts - in_ts;
    s.in_ssrc = in_ssrc;
    s.last_in_ts = in_ts;
    s.ts_delta = 0;
  }
  const uint16_t out_seq = static_cast<uint16_t>(in_seq + s.seq_off);
  const uint32_t out_ts = in_ts + s.ts_off;
  // Only a newer packet moves the reference; a late one is rewritten but changes nothing.
  if (static_cast<int16_t>(out_seq - s.last_out_seq) > 0) {
    const uint32_t step = in_ts - s.last_in_ts;
    if (r == RtpSwitchResult::Same && step != 0 && step < kMaxGapTicks) s.ts_delta = step;
    s.last_out_seq = out_seq;
    s.last_out_ts = out_ts;
    s.last_in_ts = in_ts;
    s.last_ns = now_ns;
  }
  wr16(rtp + 2, out_seq);
  wr32(rtp + 4, out_ts);
  wr32(rtp + 8, s.out_ssrc);
  return r;
}

}  // namespace rtpgate::ctl::media
