// Switching context for forwarded RTP: the output keeps one SSRC and continuous
// sequence numbers/timestamps across changes of the incoming SSRC (as Janus's
// janus_rtp_header_update does for the SIP plugin). Plain bytes; per-flow state.
#pragma once
#include <cstdint>

namespace rtpgate::dp {

struct RtpRewriteState {
  uint32_t out_ssrc;      // 0 until the first packet unless configured
  uint32_t in_ssrc;       // current incoming SSRC
  uint32_t ts_delta;      // out_ts = in_ts + ts_delta
  uint32_t last_out_ts;   // highest output timestamp so far
  uint16_t seq_delta;     // out_seq = in_seq + seq_delta
  uint16_t last_out_seq;  // highest output sequence number so far
  uint8_t started;
  uint8_t pad[3];
};

inline uint16_t rd16be(const uint8_t* p) noexcept { return uint16_t(p[0] << 8 | p[1]); }
inline uint32_t rd32be(const uint8_t* p) noexcept {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}
inline void wr16be(uint8_t* p, uint16_t v) noexcept {
  p[0] = uint8_t(v >> 8);
  p[1] = uint8_t(v);
}
inline void wr32be(uint8_t* p, uint32_t v) noexcept {
  p[0] = uint8_t(v >> 24);
  p[1] = uint8_t(v >> 16);
  p[2] = uint8_t(v >> 8);
  p[3] = uint8_t(v);
}

// Rewrites bytes 2..11 of a valid RTP header in place. `ts_step` is the timestamp gap
// placed between the last packet of the old source and the first of the new one.
// Returns true when the incoming SSRC changed (not on the very first packet).
[[gnu::always_inline]] inline bool rtp_rewrite(RtpRewriteState& st, uint8_t* rtp,
                                               uint32_t ts_step, uint64_t* new_native_sum = nullptr) noexcept {
  const uint16_t in_seq = rd16be(rtp + 2);
  const uint32_t in_ts = rd32be(rtp + 4);
  const uint32_t in_ssrc = rd32be(rtp + 8);
  bool changed = false;
  if (!st.started) [[unlikely]] {
    st.started = 1;
    st.in_ssrc = in_ssrc;
    if (st.out_ssrc == 0) st.out_ssrc = in_ssrc;
    st.seq_delta = 0;
    st.ts_delta = 0;
    st.last_out_seq = static_cast<uint16_t>(in_seq - 1);
    st.last_out_ts = in_ts;
  } else if (in_ssrc != st.in_ssrc) [[unlikely]] {
    changed = true;
    st.in_ssrc = in_ssrc;
    st.seq_delta = static_cast<uint16_t>(st.last_out_seq + 1u - in_seq);
    st.ts_delta = st.last_out_ts + ts_step - in_ts;
  }
  const uint16_t out_seq = static_cast<uint16_t>(in_seq + st.seq_delta);
  const uint32_t out_ts = in_ts + st.ts_delta;
  if (static_cast<int16_t>(out_seq - st.last_out_seq) > 0) {
    st.last_out_seq = out_seq;
    st.last_out_ts = out_ts;
  }
  if (new_native_sum != nullptr)  // native-order sum of the new bytes 2..11 (see csum_native)
    *new_native_sum = uint64_t{__builtin_bswap16(out_seq)} + __builtin_bswap32(out_ts) + __builtin_bswap32(st.out_ssrc);
  wr16be(rtp + 2, out_seq);
  wr32be(rtp + 4, out_ts);
  wr32be(rtp + 8, st.out_ssrc);
  return changed;
}

}  // namespace rtpgate::dp
