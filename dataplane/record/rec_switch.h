// The recorder's RTP continuity (what Janus's switching context does before recording): one
// SSRC per .mjr file and continuous seq/ts across source changes and resume. Recorder thread.
#pragma once
#include <cstdint>

#include "record/mjr_format.h"  // mjr_default_clock: the clock to pass when signalling gave none

namespace rtpgate::dp::rec {

// Cap on the gap turned into timestamp units at a re-base: 10 min at 90 kHz still fits in
// 32 bits, and janus-pp-rec would treat anything longer as a discontinuity anyway.
inline constexpr uint64_t kRecMaxGapNs = 600ull * 1000 * 1000 * 1000;

struct RecSwitch {
  bool started = false;
  uint32_t ssrc = 0;       // written into every packet (first SSRC seen)
  uint32_t in_ssrc = 0;    // SSRC of the current source
  uint16_t seq_off = 0;    // added to incoming seq
  uint32_t ts_off = 0;     // added to incoming ts
  uint16_t last_seq = 0;   // highest seq written (after offset)
  uint32_t last_ts = 0;    // ts of that packet (after offset)
  uint64_t last_ns = 0;    // arrival time of that packet
  bool rebase = false;     // set by request_rebase(): next packet re-based even with the same SSRC
};

// Resume after pause: the next packet continues right after the last one written, so the
// packets skipped while paused leave no sequence gap.
inline void rec_switch_request_rebase(RecSwitch& s) noexcept { s.rebase = true; }

namespace detail {

inline uint16_t rd16(const uint8_t* p) noexcept { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline uint32_t rd32(const uint8_t* p) noexcept {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}
inline void wr16(uint8_t* p, uint16_t v) noexcept {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
inline void wr32(uint8_t* p, uint32_t v) noexcept {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

// Time since the last written packet in RTP clock units, at least 1 so timestamps still advance
// when a new source starts within the same clock tick (or the clock is unknown, clock_hz 0).
inline uint32_t gap_ticks(uint64_t last_ns, uint64_t now_ns, uint32_t clock_hz) noexcept {
  uint64_t gap_ns = now_ns > last_ns ? now_ns - last_ns : 0;
  if (gap_ns > kRecMaxGapNs) gap_ns = kRecMaxGapNs;
  const uint64_t ticks = gap_ns * clock_hz / 1000000000ull;  // < 2^56 for any 32-bit clock
  return ticks == 0 ? 1u : static_cast<uint32_t>(ticks);
}

}  // namespace detail

// Rewrites seq, ts and SSRC of the RTP packet in place (caller checked len >= 12, version 2).
// arrival_ns: monotonic arrival time; clock_hz: RTP clock of the medium.
// First packet: offsets 0, ssrc = its SSRC. SSRC change or requested re-base: the source
// continues at last_seq+1 and last_ts + the elapsed time. Otherwise the offsets are applied
// unchanged, so reordering and loss keep their relative numbering.
inline void rec_switch_apply(RecSwitch& s, uint8_t* rtp, uint64_t arrival_ns, uint32_t clock_hz) noexcept {
  const uint16_t in_seq = detail::rd16(rtp + 2);
  const uint32_t in_ts = detail::rd32(rtp + 4);
  const uint32_t in_ssrc = detail::rd32(rtp + 8);
  if (!s.started) [[unlikely]] {
    s = RecSwitch{};
    s.started = true;
    s.ssrc = in_ssrc;
    s.in_ssrc = in_ssrc;
    s.last_seq = static_cast<uint16_t>(in_seq - 1);  // makes the first packet "newer" below
    s.last_ts = in_ts;
    s.last_ns = arrival_ns;
  } else if (in_ssrc != s.in_ssrc || s.rebase) [[unlikely]] {
    s.in_ssrc = in_ssrc;
    s.rebase = false;
    s.seq_off = static_cast<uint16_t>(s.last_seq + 1u - in_seq);
    s.ts_off = s.last_ts + detail::gap_ticks(s.last_ns, arrival_ns, clock_hz) - in_ts;
  }
  const uint16_t out_seq = static_cast<uint16_t>(in_seq + s.seq_off);
  const uint32_t out_ts = in_ts + s.ts_off;
  // Only a newer packet (serial-number order, wrap-safe) moves the continuation point, so a late
  // packet cannot make the next source reuse sequence numbers already written.
  if (static_cast<int16_t>(out_seq - s.last_seq) > 0) {
    s.last_seq = out_seq;
    s.last_ts = out_ts;
    s.last_ns = arrival_ns;
  }
  detail::wr16(rtp + 2, out_seq);
  detail::wr32(rtp + 4, out_ts);
  detail::wr32(rtp + 8, s.ssrc);
}

}  // namespace rtpgate::dp::rec
