// Pure checks of a flow command's parameters (see command_check.h). Command lcore.
#include "flow/command_check.h"

#include <cstring>

#include "rtpgate/shm/region_map.h"

namespace rtpgate::dp {
namespace {

bool addr_is_set(const rtpgate_shm_addr& a) noexcept {
  static const uint8_t zero[16] = {};
  return (a.family == 4 || a.family == 6) && std::memcmp(a.addr, zero, a.family == 4 ? 4 : 16) != 0;
}

}  // namespace

Errc check_flow_params(const rtpgate_shm_header& h, uint32_t flow_id, const rtpgate_shm_flow_params& p) noexcept {
  if (p.kind > RTPGATE_KIND_RTCP || p.direction > RTPGATE_DIR_INACTIVE || p.action > RTPGATE_ACT_DROP ||
      p.dscp > 63)
    return Errc::BadParam;
  if (shm::find_media_addr(h, p.local) < 0 || p.local_port < h.port_min || p.local_port > h.port_max)
    return Errc::BadParam;
  if (p.rtcp_flow_id != UINT32_MAX && (p.rtcp_flow_id >= h.flow_capacity || p.rtcp_flow_id == flow_id))
    return Errc::BadParam;
  if (p.reverse_flow_id != UINT32_MAX && p.reverse_flow_id >= h.flow_capacity) return Errc::BadParam;
  if ((p.flags & RTPGATE_FLOW_F_RTCP_MUX) && (p.kind != RTPGATE_KIND_RTP || p.rtcp_flow_id == UINT32_MAX))
    return Errc::BadParam;
  if ((p.flags & (RTPGATE_FLOW_F_EXPECT_ADDR | RTPGATE_FLOW_F_LATCH)) && p.expect_src.family != p.local.family)
    return Errc::BadParam;
  return Errc::Ok;
}

Errc check_flow_output(const rtpgate_shm_header& h, const rtpgate_shm_flow_params& p, int* src_idx) noexcept {
  *src_idx = -1;
  if (p.action == RTPGATE_ACT_TO_CTL && p.ctl_ring >= h.n_pkt_rings_to_ctl) return Errc::BadParam;
  // FORWARD needs an output; a TO_CTL flow may have one (control's packets for the peer).
  if (p.action != RTPGATE_ACT_FORWARD && !(p.action == RTPGATE_ACT_TO_CTL && p.out_dst.family != 0))
    return Errc::Ok;
  const int idx = shm::find_media_addr(h, p.out_src);
  if (idx < 0) return Errc::BadParam;
  if (p.out_src.family != p.local.family) return Errc::Unsupported;
  if (!addr_is_set(p.out_dst) || p.out_dst.family != p.out_src.family || p.out_dst_port == 0 || p.out_src_port == 0)
    return Errc::BadParam;
  *src_idx = idx;
  return Errc::Ok;
}

}  // namespace rtpgate::dp
