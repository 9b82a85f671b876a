// libFuzzer target: RTP/RTCP validation and demultiplexing, then the switching-context
// rewrite of packets that validated, with its sequence/timestamp continuity checked.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

#include "fuzz_check.h"
#include "rtp/rtp_check.h"
#include "rtp/rtp_rewrite.h"

namespace {

using namespace rtpgate::dp;

void rewrite_and_check(const uint8_t* data, uint32_t size, uint32_t configured_ssrc) {
  const uint32_t ts_step = 160;
  std::unique_ptr<uint8_t[]> a(new uint8_t[size]);
  std::memcpy(a.get(), data, size);
  RtpRewriteState st{};
  st.out_ssrc = configured_ssrc;
  // The first packet passes with its own seq/ts; only the SSRC may be replaced.
  FUZZ_CHECK(!rtp_rewrite(st, a.get(), ts_step));
  const uint32_t want_ssrc = configured_ssrc != 0 ? configured_ssrc : rd32be(data + 8);
  FUZZ_CHECK(rd32be(a.get() + 8) == want_ssrc);
  FUZZ_CHECK(rd16be(a.get() + 2) == rd16be(data + 2));
  FUZZ_CHECK(rd32be(a.get() + 4) == rd32be(data + 4));
  FUZZ_CHECK(a[0] == data[0] && a[1] == data[1]);
  FUZZ_CHECK(size == kRtpHeaderLen || std::memcmp(a.get() + 12, data + 12, size - 12) == 0);

  // The same packet from another source: output continues at seq + 1, ts + ts_step.
  std::unique_ptr<uint8_t[]> b(new uint8_t[size]);
  std::memcpy(b.get(), data, size);
  wr32be(b.get() + 8, ~rd32be(data + 8));
  wr16be(b.get() + 2, static_cast<uint16_t>(rd16be(data + 2) * 7 + 3));
  FUZZ_CHECK(rtp_rewrite(st, b.get(), ts_step));
  FUZZ_CHECK(rd16be(b.get() + 2) == static_cast<uint16_t>(rd16be(data + 2) + 1));
  FUZZ_CHECK(rd32be(b.get() + 4) == rd32be(data + 4) + ts_step);
  FUZZ_CHECK(rd32be(b.get() + 8) == want_ssrc);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 65535) return 0;
  const auto len = static_cast<uint32_t>(size);
  const bool demux_rtcp = looks_like_rtcp(data, len);
  if (check_rtcp(data, len) == RtcpCheck::Ok) {
    FUZZ_CHECK(len % 4 == 0);
    FUZZ_CHECK(demux_rtcp);
  }
  if (check_rtp(data, len) == RtpCheck::Ok) {
    FUZZ_CHECK(len >= kRtpHeaderLen);
    rewrite_and_check(data, len, 0);
    rewrite_and_check(data, len, 0x5eed5eed);
  }
  return 0;
}
