// Closed-loop benchmark: builds one valid Ethernet/IPv4/UDP/RTP frame (correct IPv4 and
// UDP checksums) and checks frames after the run. Plain bytes; any thread.
#pragma once
#include <cstdint>
#include <cstring>

#include "net/checksum.h"
#include "rtp/rtp_rewrite.h"

namespace rtpgate::perf {

constexpr uint32_t kEthLen = 14, kIpv4Len = 20, kUdpLen = 8, kRtpLen = 12;
constexpr uint32_t kMinFrame = kEthLen + kIpv4Len + kUdpLen + kRtpLen;

struct FrameSpec {
  uint8_t dst_mac[6];
  uint8_t src_mac[6];
  uint8_t src_ip[4];
  uint8_t dst_ip[4];
  uint16_t src_port;  // host order
  uint16_t dst_port;  // host order
  uint16_t rtp_seq;
  uint32_t rtp_ts;
  uint32_t rtp_ssrc;
  uint32_t frame_len;  // >= kMinFrame; the RTP payload fills the rest
};

// Writes spec.frame_len bytes at p.
inline void build_rtp_frame(uint8_t* p, const FrameSpec& s) noexcept {
  using dp::wr16be;
  using dp::wr32be;
  std::memcpy(p, s.dst_mac, 6);
  std::memcpy(p + 6, s.src_mac, 6);
  wr16be(p + 12, 0x0800);
  uint8_t* ip = p + kEthLen;
  const uint32_t ip_len = s.frame_len - kEthLen;
  ip[0] = 0x45;
  ip[1] = 0xb8;  // DSCP EF, as a media relay would see it
  wr16be(ip + 2, static_cast<uint16_t>(ip_len));
  wr16be(ip + 4, static_cast<uint16_t>(s.rtp_seq));
  wr16be(ip + 6, 0x4000);  // DF, no fragment
  ip[8] = 64;
  ip[9] = 17;
  wr16be(ip + 10, 0);
  std::memcpy(ip + 12, s.src_ip, 4);
  std::memcpy(ip + 16, s.dst_ip, 4);
  wr16be(ip + 10, dp::ipv4_header_csum(ip, kIpv4Len));
  uint8_t* udp = ip + kIpv4Len;
  const uint32_t udp_len = ip_len - kIpv4Len;
  wr16be(udp, s.src_port);
  wr16be(udp + 2, s.dst_port);
  wr16be(udp + 4, static_cast<uint16_t>(udp_len));
  wr16be(udp + 6, 0);
  uint8_t* rtp = udp + kUdpLen;
  rtp[0] = 0x80;  // V=2, no padding, extension or CSRC
  rtp[1] = 0;     // PT 0 (PCMU)
  wr16be(rtp + 2, s.rtp_seq);
  wr32be(rtp + 4, s.rtp_ts);
  wr32be(rtp + 8, s.rtp_ssrc);
  for (uint32_t i = kRtpLen; i < udp_len - kUdpLen; i++) rtp[i] = static_cast<uint8_t>(0xd5 ^ i);  // "silence"
  wr16be(udp + 6, dp::udp_full_csum(4, s.src_ip, s.dst_ip, udp, udp_len));
}

enum class FrameVerdict : uint8_t { Ok, Malformed, BadIpCsum, BadUdpCsum, BadRtp };

// Full (not incremental) check of a frame built above after any number of rewrites.
inline FrameVerdict check_rtp_frame(const uint8_t* p, uint32_t len) noexcept {
  if (len < kMinFrame || dp::rd16be(p + 12) != 0x0800) return FrameVerdict::Malformed;
  const uint8_t* ip = p + kEthLen;
  const uint32_t ip_len = dp::rd16be(ip + 2);
  if (ip[0] != 0x45 || ip[9] != 17 || kEthLen + ip_len > len) return FrameVerdict::Malformed;
  if (dp::csum_fold(dp::csum_add_bytes(0, ip, kIpv4Len)) != 0xffff) return FrameVerdict::BadIpCsum;
  const uint8_t* udp = ip + kIpv4Len;
  const uint32_t udp_len = dp::rd16be(udp + 4);
  if (udp_len != ip_len - kIpv4Len) return FrameVerdict::Malformed;
  // Receiver's rule: the sum over pseudo-header, header (checksum included) and payload is ~0.
  if (dp::rd16be(udp + 6) != 0) {
    uint32_t acc = dp::csum_add_bytes(0, ip + 12, 8);
    acc += 17u + udp_len;
    acc = dp::csum_add_bytes(acc, udp, udp_len);
    if (dp::csum_fold(acc) != 0xffff) return FrameVerdict::BadUdpCsum;
  }
  if ((udp[kUdpLen] >> 6) != 2) return FrameVerdict::BadRtp;
  return FrameVerdict::Ok;
}

}  // namespace rtpgate::perf
