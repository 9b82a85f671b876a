// Frame classes of rtpgate-perf's DPDK engine (start-up).
#include "frame_class.h"

namespace rtpgate::perf {

void prefill_pattern(uint8_t* frame, uint32_t len) noexcept {
  for (uint32_t o = kFrameBodyOff; o < len && o < kMaxFrame; o++) frame[o] = pattern_byte(o);
}

FrameClass make_frame_class(const Profile& p, const uint8_t dst_mac[6], const uint8_t src_mac[6],
                            const uint8_t src_ip[4]) noexcept {
  FrameSpec s{};
  std::memcpy(s.dst_mac, dst_mac, 6);
  std::memcpy(s.src_mac, src_mac, 6);
  std::memcpy(s.src_ip, src_ip, 4);  // destination, ports, RTP fields: zero
  s.frame_len = kFrameRtpOff + p.rtp_bytes;
  uint8_t frame[kMaxFrame];
  build_rtp_frame(frame, s);
  FrameClass fc{};
  fc.frame_len = static_cast<uint16_t>(s.frame_len);
  fc.pt = p.pt;
  fc.ts_step = p.ts_step;
  std::memset(frame + kEthLen + 10, 0, 2);   // IPv4 checksum
  std::memset(frame + kFrameL4Off + 6, 0, 2);  // UDP checksum
  std::memcpy(fc.hdr, frame, sizeof fc.hdr);
  fc.ip_base = dp::csum_native(frame + kEthLen, kIpv4Len);
  fc.udp_base = dp::csum_native(frame + kEthLen + 12, 4) + dp::csum_native2(0, 17) +
                dp::csum_native(frame + kFrameL4Off + 4, 2) +   // UDP length, pseudo-header
                dp::csum_native(frame + kFrameL4Off, kUdpLen) +  // header: only the length is set
                dp::csum_native(frame + kFrameBodyOff, s.frame_len - kFrameBodyOff);
  return fc;
}

}  // namespace rtpgate::perf
