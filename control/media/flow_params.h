// Builds the shared-memory parameters of a stream's two flows (RTP with rtcp-mux, RTCP on
// port + 1), action TO_CTL: the data plane hands the peer's packets to control and sends
// control's packets to the peer from the relay port. Pure; control thread.
#pragma once
#include <cstdint>

#include "rtpgate/shm/flow_entry.h"

namespace rtpgate::ctl::media {

struct FlowSpec {
  rtpgate_shm_addr local{};     // relay media address (one of the region's)
  uint16_t local_port = 0;      // this flow's port (RTP even port, or RTP + 1)
  bool rtcp = false;            // RTCP flow (else RTP, with rtcp_flow_id for rtcp-mux)
  uint32_t rtcp_flow_id = UINT32_MAX;
  uint32_t cookie = 0;          // identifies the stream (opaque to the data plane)
  uint8_t dscp = 0;             // 0 = unset; RTP flows only
  // Peer (set_peer); without one the flow has no output and control's packets for it are
  // dropped and counted by the data plane (drop_ctl_bad_flow).
  bool has_peer = false;
  rtpgate_shm_addr peer{};
  uint16_t peer_port = 0;
  bool recv = true;             // false: the data plane drops what arrives (drop_direction)
  bool send = true;             // false: control sends nothing to the peer (direction says so)
  uint16_t source_flags = 0;    // RTPGATE_FLOW_F_EXPECT_ADDR / _EXPECT_PORT
  uint32_t srtp_in = 0;         // SRTP entry unprotecting what arrives (0 = plain)
  uint32_t srtp_out = 0;        // SRTP entry protecting what the data plane sends (0 = plain)
};

rtpgate_shm_flow_params make_flow_params(const FlowSpec& s) noexcept;

}  // namespace rtpgate::ctl::media
