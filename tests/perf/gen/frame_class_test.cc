// rtpgate-perf's frames: incremental IPv4/UDP checksums valid for every profile and flow.
#include "frame_class.h"

#include <gtest/gtest.h>

#include <vector>

namespace rtpgate::perf {
namespace {

TEST(FrameClass, FilledFramesPassTheFullChecksumCheck) {
  const uint8_t dut[6] = {2, 0x70, 0x67, 0, 0, 1}, gen[6] = {2, 0x70, 0x67, 0, 0, 2}, src[4] = {10, 99, 255, 254};
  for (const char* name : {"g711", "opus", "video"}) {
    const FrameClass fc = make_frame_class(*find_profile(name), dut, gen, src);
    EXPECT_EQ(fc.frame_len, kFrameRtpOff + find_profile(name)->rtp_bytes);
    std::vector<uint8_t> buf(kMaxFrame, 0);
    prefill_pattern(buf.data(), kMaxFrame);
    for (uint32_t flow : {0u, 1u, 29999u, 30000u, 1999999u}) {
      const uint8_t dst[4] = {10, 99, uint8_t(flow >> 16), uint8_t(flow)};
      const Stamp s{kStampMagic, flow, flow * 3 + 1, 42, 0x0123456789abcdefull + flow};
      fill_frame(buf.data(), fc, dst, static_cast<uint16_t>(20000 + flow % 30000), flow_ssrc(flow), s);
      EXPECT_EQ(check_rtp_frame(buf.data(), fc.frame_len), FrameVerdict::Ok) << name << " flow " << flow;
      Stamp back{};
      ASSERT_TRUE(read_rtp_stamp(buf.data() + kFrameRtpOff, fc.frame_len - kFrameRtpOff, &back));
      EXPECT_EQ(back.flow, flow);
      EXPECT_EQ(back.seq, s.seq);
      EXPECT_EQ(back.tx_time, s.tx_time);
      EXPECT_EQ(buf[kFrameRtpOff + 1], find_profile(name)->pt);
    }
    buf[kFrameBodyOff + 3] ^= 1;  // a payload bit flipped: the UDP checksum catches it
    EXPECT_EQ(check_rtp_frame(buf.data(), fc.frame_len), FrameVerdict::BadUdpCsum);
  }
}

TEST(Stamp, ForeignPayloadsAreNotOurs) {
  uint8_t rtp[64] = {0x80, 0};
  Stamp s{};
  EXPECT_FALSE(read_rtp_stamp(rtp, sizeof rtp, &s));  // no magic
  write_rtp_stamp(rtp, 0, 1, 160, Stamp{kStampMagic, 1, 2, 3, 4});
  EXPECT_TRUE(read_rtp_stamp(rtp, sizeof rtp, &s));
  EXPECT_FALSE(read_rtp_stamp(rtp, kRtpHeaderBytes + kStampBytes - 1, &s));  // too short
  rtp[0] = 0x40;  // RTP version 1
  EXPECT_FALSE(read_rtp_stamp(rtp, sizeof rtp, &s));
}

}  // namespace
}  // namespace rtpgate::perf
