// libFuzzer target: the checks the command lcore makes on a FLOW_INSTALL/FLOW_MODIFY command's
// parameters before building an action (dataplane/flow/command_check.h), against a region
// with two media addresses (one IPv4, one IPv6). Input: byte 0 = mode (bit 0 set: XOR the
// rest onto a valid FORWARD flow, clear: the rest is the parameters; bits 1-2: control's
// ring count 0..3), bytes 1-4 = flow id (little endian), then the parameter bytes.
// Whatever the checks accept, build_action dereferences: every accepted index and address
// must name something that exists.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "flow/command_check.h"
#include "fuzz_check.h"
#include "rtpgate/shm/region_map.h"

namespace {

using namespace rtpgate;
using namespace rtpgate::shm;

constexpr uint8_t kV4[4] = {10, 0, 0, 1};
constexpr uint8_t kV6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

rtpgate_shm_addr addr(uint8_t family, const uint8_t* bytes) {
  rtpgate_shm_addr a{};
  a.family = family;
  std::memcpy(a.addr, bytes, family == 4 ? 4 : 16);
  return a;
}

rtpgate_shm_header make_header(uint32_t rings_to_ctl) {
  RegionConfig c;
  c.flow_capacity = 100;
  c.addrs.push_back(addr(4, kV4));
  c.addrs.push_back(addr(6, kV6));
  c.port_min = 40000;
  c.port_max = 40099;
  c.n_lcore_stats = 1;
  c.cmd_ring_capacity = 16;
  c.cpl_ring_capacity = 16;
  c.evt_ring_capacity = 16;
  c.n_pkt_rings_to_ctl = rings_to_ctl;
  c.n_pkt_rings_to_dp = 1;
  c.pkt_ring_capacity = 4;
  rtpgate_shm_header h{};
  init_header(&h, c, compute_layout(c));
  return h;
}

// 10.0.0.1:40000 -> 192.0.2.20:5004, RTP with its RTCP on flow 7 (a valid FORWARD flow).
rtpgate_shm_flow_params valid_params() {
  rtpgate_shm_flow_params p{};
  p.version = 1;
  p.kind = RTPGATE_KIND_RTP;
  p.action = RTPGATE_ACT_FORWARD;
  p.flags = RTPGATE_FLOW_F_RTCP_MUX | RTPGATE_FLOW_F_LATCH;
  p.local = addr(4, kV4);
  p.local_port = 40000;
  const uint8_t peer[4] = {192, 0, 2, 20};
  p.expect_src = addr(4, peer);
  p.expect_src_port = 5004;
  p.out_src = p.local;
  p.out_src_port = 40000;
  p.out_dst = p.expect_src;
  p.out_dst_port = 5004;
  p.rtcp_flow_id = 7;
  p.reverse_flow_id = UINT32_MAX;
  return p;
}

bool is_media_addr(const rtpgate_shm_header& h, const rtpgate_shm_addr& a, int idx) {
  if (idx < 0 || static_cast<uint32_t>(idx) >= h.n_addrs) return false;
  const rtpgate_shm_addr& m = h.addrs[idx];
  return m.family == a.family && (a.family == 4 || a.family == 6) &&
         std::memcmp(m.addr, a.addr, a.family == 4 ? 4 : 16) == 0;
}

bool is_set(const rtpgate_shm_addr& a) {
  static const uint8_t zero[16] = {};
  return (a.family == 4 || a.family == 6) && std::memcmp(a.addr, zero, a.family == 4 ? 4 : 16) != 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 5) return 0;
  const uint8_t mode = data[0];
  uint32_t flow_id = 0;
  for (int i = 0; i < 4; i++) flow_id |= uint32_t{data[1 + i]} << (8 * i);
  data += 5;
  size -= 5;
  static const rtpgate_shm_header headers[4] = {make_header(0), make_header(1), make_header(2), make_header(3)};
  const rtpgate_shm_header& h = headers[(mode >> 1) & 3];

  rtpgate_shm_flow_params p;
  if (mode & 1) {
    p = valid_params();
    auto* pb = reinterpret_cast<uint8_t*>(&p);
    for (size_t i = 0; i < size && i < sizeof(p); i++) pb[i] ^= data[i];
  } else {
    std::memset(&p, 0, sizeof(p));
    std::memcpy(&p, data, size < sizeof(p) ? size : sizeof(p));
  }

  if (dp::check_flow_params(h, flow_id, p) != Errc::Ok) return 0;
  FUZZ_CHECK(p.kind <= RTPGATE_KIND_RTCP && p.direction <= RTPGATE_DIR_INACTIVE && p.action <= RTPGATE_ACT_DROP);
  FUZZ_CHECK(p.dscp <= 63);
  FUZZ_CHECK(is_media_addr(h, p.local, find_media_addr(h, p.local)));
  FUZZ_CHECK(p.local_port >= h.port_min && p.local_port <= h.port_max);
  FUZZ_CHECK(p.rtcp_flow_id == UINT32_MAX || (p.rtcp_flow_id < h.flow_capacity && p.rtcp_flow_id != flow_id));
  FUZZ_CHECK(p.reverse_flow_id == UINT32_MAX || p.reverse_flow_id < h.flow_capacity);
  if (p.flags & RTPGATE_FLOW_F_RTCP_MUX) FUZZ_CHECK(p.kind == RTPGATE_KIND_RTP && p.rtcp_flow_id != UINT32_MAX);
  if (p.flags & (RTPGATE_FLOW_F_EXPECT_ADDR | RTPGATE_FLOW_F_LATCH)) FUZZ_CHECK(p.expect_src.family == p.local.family);

  int src_idx = -2;
  const Errc out = dp::check_flow_output(h, p, &src_idx);
  const bool sends = p.action == RTPGATE_ACT_FORWARD || (p.action == RTPGATE_ACT_TO_CTL && p.out_dst.family != 0);
  if (out != Errc::Ok) {
    FUZZ_CHECK(out == Errc::BadParam || out == Errc::Unsupported);
    FUZZ_CHECK(src_idx == -1);
    return 0;
  }
  if (p.action == RTPGATE_ACT_TO_CTL) FUZZ_CHECK(p.ctl_ring < h.n_pkt_rings_to_ctl);
  if (!sends) {
    FUZZ_CHECK(src_idx == -1);
    return 0;
  }
  // build_action indexes addr_info[src_idx] and copies the output addresses.
  FUZZ_CHECK(is_media_addr(h, p.out_src, src_idx));
  FUZZ_CHECK(p.out_src.family == p.local.family);
  FUZZ_CHECK(is_set(p.out_dst) && p.out_dst.family == p.out_src.family);
  FUZZ_CHECK(p.out_dst_port != 0 && p.out_src_port != 0);
  return 0;
}
