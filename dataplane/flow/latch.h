// Source acceptance and opt-in latching ("RTP bleed" guard). Pure decision function.
#pragma once
#include <cstdint>
#include <cstring>

#include "rtpgate/shm/flow_entry.h"

namespace rtpgate::dp {

enum class SourceVerdict : uint8_t {
  Accept,         // forward
  AcceptRelatch,  // forward and re-learn the peer's address from this packet
  RejectSource,   // unexpected address/port
  RejectSsrc,     // unexpected SSRC
  RejectLatch     // would need re-learning, which the rules refuse (window, auth)
};

struct SourceCheck {
  uint16_t flags;               // RTPGATE_FLOW_F_*
  uint8_t alen;                 // 4 or 16
  const uint8_t* expect_addr;   // params.expect_src
  uint16_t expect_port_be;
  uint32_t expect_ssrc;
  const uint8_t* cur_addr;      // currently accepted (latched) source
  uint16_t cur_port_be;
  bool in_window;               // now < install/modify time + latch window
};

struct PacketSource {
  const uint8_t* addr;
  uint16_t port_be;
  bool has_ssrc;                // RTP (not RTCP)
  uint32_t ssrc;
  bool authenticated;           // SRTP leg: packet passed authentication
};

[[gnu::always_inline]] inline SourceVerdict check_source(const SourceCheck& c,
                                                         const PacketSource& s) noexcept {
  const bool addr_expected = std::memcmp(s.addr, c.expect_addr, c.alen) == 0;
  const bool port_expected = s.port_be == c.expect_port_be;
  const bool ssrc_ok = !(c.flags & RTPGATE_FLOW_F_EXPECT_SSRC) || !s.has_ssrc || s.ssrc == c.expect_ssrc;
  if (!(c.flags & RTPGATE_FLOW_F_LATCH)) {
    if ((c.flags & RTPGATE_FLOW_F_EXPECT_ADDR) && !addr_expected) return SourceVerdict::RejectSource;
    if ((c.flags & RTPGATE_FLOW_F_EXPECT_PORT) && !port_expected) return SourceVerdict::RejectSource;
    return ssrc_ok ? SourceVerdict::Accept : SourceVerdict::RejectSsrc;
  }
  // Latching: the current source is always fine; a new one only inside the window,
  // only when its address or its SSRC is the one the SDP/control announced, and on
  // SRTP legs only once the packet authenticated.
  if (std::memcmp(s.addr, c.cur_addr, c.alen) == 0 && s.port_be == c.cur_port_be)
    return ssrc_ok ? SourceVerdict::Accept : SourceVerdict::RejectSsrc;
  const bool ssrc_expected = (c.flags & RTPGATE_FLOW_F_EXPECT_SSRC) && s.has_ssrc && s.ssrc == c.expect_ssrc;
  if (!addr_expected && !ssrc_expected) return SourceVerdict::RejectSource;
  if (!ssrc_ok) return SourceVerdict::RejectSsrc;
  if (!c.in_window) return SourceVerdict::RejectLatch;
  if ((c.flags & RTPGATE_FLOW_F_SRTP_AUTH) && !s.authenticated) return SourceVerdict::RejectLatch;
  return SourceVerdict::AcceptRelatch;
}

}  // namespace rtpgate::dp
