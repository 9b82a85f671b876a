// Flow parameters of a media stream (see flow_params.h). Pure.
#include "media/flow_params.h"

#include <cstring>

namespace rtpgate::ctl::media {

rtpgate_shm_flow_params make_flow_params(const FlowSpec& s) noexcept {
  rtpgate_shm_flow_params p;
  std::memset(&p, 0, sizeof p);
  p.cookie = s.cookie;
  p.kind = s.rtcp ? RTPGATE_KIND_RTCP : RTPGATE_KIND_RTP;
  // The data plane forwards (to control) below RECVONLY; RECVONLY counts and drops. Whether
  // we send to the peer is decided on control's side (send_to_peer); the direction says it
  // too: SENDONLY = forward what arrives but send nothing, INACTIVE = neither.
  p.direction = s.recv ? (s.send ? RTPGATE_DIR_SENDRECV : RTPGATE_DIR_SENDONLY)
                       : (s.send ? RTPGATE_DIR_RECVONLY : RTPGATE_DIR_INACTIVE);
  p.action = RTPGATE_ACT_TO_CTL;
  p.local = s.local;
  p.local_port = s.local_port;
  p.out_src = s.local;
  p.out_src_port = s.local_port;
  p.rtcp_flow_id = UINT32_MAX;
  p.ctl_ring = 0;  // the data plane uses the receiving worker's ring
  p.srtp_slot = s.srtp_in != 0 ? s.srtp_in : UINT32_MAX;
  p.srtp_out_slot = s.srtp_out;
  p.record_slot = UINT32_MAX;
  p.reverse_flow_id = UINT32_MAX;
  uint16_t flags = 0;
  if (!s.rtcp && s.rtcp_flow_id != UINT32_MAX) {
    p.rtcp_flow_id = s.rtcp_flow_id;
    flags |= RTPGATE_FLOW_F_RTCP_MUX;
  }
  if (!s.rtcp && s.dscp != 0) {
    p.dscp = static_cast<uint8_t>(s.dscp & 63);
    flags |= RTPGATE_FLOW_F_DSCP;
  }
  if (s.has_peer && s.peer.family == s.local.family) {
    p.out_dst = s.peer;
    p.out_dst_port = s.peer_port;
    p.expect_src = s.peer;
    p.expect_src_port = s.peer_port;
    flags |= s.source_flags & (RTPGATE_FLOW_F_EXPECT_ADDR | RTPGATE_FLOW_F_EXPECT_PORT);
  }
  if (s.srtp_in != 0) flags |= RTPGATE_FLOW_F_SRTP_AUTH;  // latching (if ever on) only after authentication
  p.flags = flags;
  return p;
}

}  // namespace rtpgate::ctl::media
