// Janus .mjr writer (mjr_format) and the recorder's RTP continuity (rec_switch), including a
// round trip through janus-pp-rec when it is installed.
#include "record/mjr_format.h"
#include "record/rec_switch.h"

#include "mjr_test_util.h"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace rtpgate::dp::rec {
namespace {

using test_mjr::kPpRec;
using test_mjr::run_cmd;

// spec/mjr-format.md §7: PCMU, two 16-byte RTP packets 20 ms apart.
constexpr std::array<uint8_t, 131> kSpecExample{
    0x4d, 0x4a, 0x52, 0x30, 0x30, 0x30, 0x30, 0x32, 0x00, 0x45, 0x7b, 0x22,
    0x74, 0x22, 0x3a, 0x20, 0x22, 0x61, 0x22, 0x2c, 0x20, 0x22, 0x63, 0x22,
    0x3a, 0x20, 0x22, 0x70, 0x63, 0x6d, 0x75, 0x22, 0x2c, 0x20, 0x22, 0x73,
    0x22, 0x3a, 0x20, 0x31, 0x37, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x2c, 0x20, 0x22, 0x75, 0x22,
    0x3a, 0x20, 0x31, 0x37, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x32, 0x30, 0x30, 0x30, 0x30, 0x7d, 0x4d, 0x45, 0x45, 0x54, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x10, 0x80, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
    0xa0, 0x11, 0x22, 0x33, 0x44, 0xff, 0xff, 0xff, 0xff, 0x4d, 0x45, 0x45,
    0x54, 0x00, 0x00, 0x00, 0x14, 0x00, 0x10, 0x80, 0x00, 0x00, 0x02, 0x00,
    0x00, 0x01, 0x40, 0x11, 0x22, 0x33, 0x44, 0x7f, 0x7f, 0x7f, 0x7f,
};

constexpr uint64_t kMs = 1000 * 1000;  // ns

// A 12-byte RTP header (V=2, no CSRC/extension) followed by `payload_len` bytes of `fill`.
std::vector<uint8_t> rtp(uint16_t seq, uint32_t ts, uint32_t ssrc, size_t payload_len = 4,
                         uint8_t fill = 0xff, uint8_t pt = 0) {
  std::vector<uint8_t> p(12 + payload_len, fill);
  p[0] = 0x80;
  p[1] = pt;
  detail::wr16(&p[2], seq);
  detail::wr32(&p[4], ts);
  detail::wr32(&p[8], ssrc);
  return p;
}

std::string info_json(const uint8_t* buf, size_t n) {
  EXPECT_GE(n, 2u);
  const size_t len = size_t{buf[0]} << 8 | buf[1];
  EXPECT_EQ(len + 2, n);
  return std::string(reinterpret_cast<const char*>(buf + 2), len);
}

std::string write_info(const MjrInfo& info) {
  std::array<uint8_t, 2048> buf{};
  const size_t n = mjr_write_info(buf.data(), buf.size(), info);
  if (n == 0) return {};
  return info_json(buf.data(), n);
}

// ---- codec table ----

TEST(MjrCodec, MapsEveryCodecOfTheSpecToItsMedium) {
  for (const char* c : {"opus", "multiopus", "pcmu", "pcma", "g711", "g722", "l16", "l16-48"}) {
    MjrMedium m = MjrMedium::Video;
    EXPECT_TRUE(mjr_codec_medium(c, &m)) << c;
    EXPECT_EQ(m, MjrMedium::Audio) << c;
  }
  for (const char* c : {"vp8", "vp9", "h264", "av1", "h265"}) {
    MjrMedium m = MjrMedium::Audio;
    EXPECT_TRUE(mjr_codec_medium(c, &m)) << c;
    EXPECT_EQ(m, MjrMedium::Video) << c;
  }
}

TEST(MjrCodec, IgnoresCaseAndRejectsUnknownNames) {
  MjrMedium m = MjrMedium::Audio;
  EXPECT_TRUE(mjr_codec_medium("H264", &m));
  EXPECT_EQ(m, MjrMedium::Video);
  EXPECT_TRUE(mjr_codec_medium("PcMu", &m));
  EXPECT_EQ(m, MjrMedium::Audio);
  for (const char* c : {"", "text", "binary", "opus2", "l16-", "g729", "telephone-event",
                        "averyveryverylongcodecname"})
    EXPECT_FALSE(mjr_codec_medium(c, &m)) << c;
}

TEST(MjrCodec, DefaultClockFollowsTheCodec) {
  EXPECT_EQ(mjr_default_clock("opus"), 48000u);
  EXPECT_EQ(mjr_default_clock("multiopus"), 48000u);
  EXPECT_EQ(mjr_default_clock("PCMU"), 8000u);
  EXPECT_EQ(mjr_default_clock("pcma"), 8000u);
  EXPECT_EQ(mjr_default_clock("g711"), 8000u);
  EXPECT_EQ(mjr_default_clock("g722"), 8000u);
  EXPECT_EQ(mjr_default_clock("l16"), 16000u);
  EXPECT_EQ(mjr_default_clock("l16-48"), 48000u);
  for (const char* c : {"vp8", "vp9", "h264", "av1", "h265"}) EXPECT_EQ(mjr_default_clock(c), 90000u) << c;
  EXPECT_EQ(mjr_default_clock("g729"), 0u);
}

// ---- whole file ----

TEST(MjrFormat, SpecWorkedExampleIsByteIdentical) {
  std::array<uint8_t, 256> buf{};
  size_t off = mjr_write_magic(buf.data());
  ASSERT_EQ(off, kMjrMagicLen);
  const MjrInfo info{MjrMedium::Audio, "pcmu", "", 1700000000000000ull, 1700000000020000ull};
  const size_t info_len = mjr_write_info(buf.data() + off, buf.size() - off, info);
  ASSERT_EQ(info_len, 2u + 69u);
  off += info_len;
  std::vector<uint8_t> p1 = rtp(1, 160, 0x11223344, 4, 0xff);
  std::vector<uint8_t> p2 = rtp(2, 320, 0x11223344, 4, 0x7f);
  size_t n = mjr_write_frame(buf.data() + off, buf.size() - off, 0, p1.data(), 16);
  ASSERT_EQ(n, 26u);
  off += n;
  n = mjr_write_frame(buf.data() + off, buf.size() - off, 20, p2.data(), 16);
  ASSERT_EQ(n, 26u);
  off += n;
  ASSERT_EQ(off, kSpecExample.size());
  for (size_t i = 0; i < off; i++) EXPECT_EQ(buf[i], kSpecExample[i]) << "offset " << i;
}

// ---- JSON info header ----

TEST(MjrInfoHeader, VideoWithFmtpAndOrientationExtension) {
  MjrInfo info{MjrMedium::Video, "H264", "profile-level-id=42e01f;packetization-mode=1", 1, 2};
  info.video_orient_ext = 13;
  EXPECT_EQ(write_info(info),
            R"({"t": "v", "c": "h264", "f": "profile-level-id=42e01f;packetization-mode=1", )"
            R"("x": {"13": "urn:3gpp:video-orientation"}, "s": 1, "u": 2})");
}

TEST(MjrInfoHeader, OptionalKeysAreOmitted) {
  EXPECT_EQ(write_info({MjrMedium::Video, "vp8", "", 10, 20}), R"({"t": "v", "c": "vp8", "s": 10, "u": 20})");
  EXPECT_EQ(write_info({MjrMedium::Audio, "OPUS", "", 0, 0}), R"({"t": "a", "c": "opus", "s": 0, "u": 0})");
}

TEST(MjrInfoHeader, FmtpIsEscapedAsJson) {
  EXPECT_EQ(write_info({MjrMedium::Audio, "opus", "a\"b\\c", 1, 1}),
            R"({"t": "a", "c": "opus", "f": "a\"b\\c", "s": 1, "u": 1})");
}

TEST(MjrInfoHeader, RejectsUnknownCodecAndWrongMedium) {
  std::array<uint8_t, 256> buf{};
  EXPECT_EQ(mjr_write_info(buf.data(), buf.size(), {MjrMedium::Audio, "g729", "", 1, 2}), 0u);
  EXPECT_EQ(mjr_write_info(buf.data(), buf.size(), {MjrMedium::Audio, "", "", 1, 2}), 0u);
  EXPECT_EQ(mjr_write_info(buf.data(), buf.size(), {MjrMedium::Audio, "vp8", "", 1, 2}), 0u);
  EXPECT_EQ(mjr_write_info(buf.data(), buf.size(), {MjrMedium::Video, "pcmu", "", 1, 2}), 0u);
}

TEST(MjrInfoHeader, RejectsValuesJsonCannotCarry) {
  std::array<uint8_t, 256> buf{};
  EXPECT_EQ(mjr_write_info(buf.data(), buf.size(), {MjrMedium::Audio, "pcmu", "\xff\xfe", 1, 2}), 0u);
  using namespace std::string_view_literals;
  EXPECT_EQ(mjr_write_info(buf.data(), buf.size(), {MjrMedium::Audio, "pcmu", "a\0b"sv, 1, 2}), 0u);  // \u0000
  EXPECT_EQ(mjr_write_info(buf.data(), buf.size(), {MjrMedium::Audio, "pcmu", "", 1ull << 63, 2}), 0u);
  EXPECT_EQ(mjr_write_info(buf.data(), buf.size(), {MjrMedium::Audio, "pcmu", "", 1, 1ull << 63}), 0u);
  MjrInfo info{MjrMedium::Video, "vp8", "", 1, 2};
  info.video_orient_ext = 256;
  EXPECT_EQ(mjr_write_info(buf.data(), buf.size(), info), 0u);
}

TEST(MjrInfoHeader, CapMustHoldLengthAndJson) {
  const MjrInfo info{MjrMedium::Audio, "pcmu", "", 1700000000000000ull, 1700000000020000ull};
  std::array<uint8_t, 71> buf{};
  EXPECT_EQ(mjr_write_info(buf.data(), 71, info), 71u);
  for (size_t cap : {70u, 69u, 2u, 1u, 0u}) EXPECT_EQ(mjr_write_info(buf.data(), cap, info), 0u) << cap;
}

TEST(MjrInfoHeader, JsonIsLimitedToMaxInfoLen) {
  // {"t": "v", "c": "vp8", "f": "", "s": 1, "u": 2} is 48 bytes; pad "f" up to the limit.
  const std::string base = R"({"t": "v", "c": "vp8", "f": "", "s": 1, "u": 2})";
  const std::string fits(kMjrMaxInfoLen - base.size(), 'x');
  const std::string too_long(fits.size() + 1, 'x');
  std::vector<uint8_t> buf(4096);
  EXPECT_EQ(mjr_write_info(buf.data(), buf.size(), {MjrMedium::Video, "vp8", fits, 1, 2}), 2 + kMjrMaxInfoLen);
  EXPECT_EQ(mjr_write_info(buf.data(), buf.size(), {MjrMedium::Video, "vp8", too_long, 1, 2}), 0u);
}

// ---- frames ----

TEST(MjrFrame, FieldsAreBigEndian) {
  std::vector<uint8_t> pkt(258);
  for (size_t i = 0; i < pkt.size(); i++) pkt[i] = static_cast<uint8_t>(i);
  std::vector<uint8_t> buf(300, 0xee);
  ASSERT_EQ(mjr_write_frame(buf.data(), buf.size(), 0x01020304u, pkt.data(), 258), 268u);
  const uint8_t hdr[10] = {'M', 'E', 'E', 'T', 0x01, 0x02, 0x03, 0x04, 0x01, 0x02};
  for (size_t i = 0; i < 10; i++) EXPECT_EQ(buf[i], hdr[i]) << i;
  for (size_t i = 0; i < pkt.size(); i++) ASSERT_EQ(buf[10 + i], pkt[i]) << i;
  EXPECT_EQ(buf[268], 0xee);  // nothing written past the frame
}

TEST(MjrFrame, LengthIsLimitedToMaxPacket) {
  std::vector<uint8_t> pkt(kMjrMaxPacket + 1, 0x55);
  std::vector<uint8_t> buf(2048);
  EXPECT_EQ(mjr_write_frame(buf.data(), buf.size(), 0, pkt.data(), kMjrMaxPacket), kMjrFrameHdrLen + kMjrMaxPacket);
  EXPECT_EQ(mjr_write_frame(buf.data(), buf.size(), 0, pkt.data(), kMjrMaxPacket + 1), 0u);
  EXPECT_EQ(mjr_write_frame(buf.data(), buf.size(), 0, pkt.data(), 0xffff), 0u);
}

TEST(MjrFrame, CapMustHoldHeaderAndPacket) {
  std::vector<uint8_t> pkt = rtp(1, 2, 3, 160);
  std::vector<uint8_t> buf(200, 0);
  const auto len = static_cast<uint16_t>(pkt.size());
  EXPECT_EQ(mjr_write_frame(buf.data(), kMjrFrameHdrLen + len, 7, pkt.data(), len), kMjrFrameHdrLen + len);
  EXPECT_EQ(mjr_write_frame(buf.data(), kMjrFrameHdrLen + len - 1, 7, pkt.data(), len), 0u);
  EXPECT_EQ(mjr_write_frame(buf.data(), 9, 7, nullptr, 0), 0u);
  EXPECT_EQ(mjr_write_frame(buf.data(), 10, 7, nullptr, 0), 10u);
}

// ---- RecSwitch ----

struct Out {
  uint16_t seq;
  uint32_t ts;
  uint32_t ssrc;
};

Out apply(RecSwitch& s, uint16_t seq, uint32_t ts, uint32_t ssrc, uint64_t ns, uint32_t clock = 8000) {
  std::vector<uint8_t> p = rtp(seq, ts, ssrc);
  const std::vector<uint8_t> orig = p;
  rec_switch_apply(s, p.data(), ns, clock);
  EXPECT_EQ(p[0], orig[0]);
  EXPECT_EQ(p[1], orig[1]);
  for (size_t i = 12; i < p.size(); i++) EXPECT_EQ(p[i], orig[i]) << "payload byte " << i;
  return {detail::rd16(&p[2]), detail::rd32(&p[4]), detail::rd32(&p[8])};
}

constexpr uint32_t kA = 0xaaaa0001;
constexpr uint32_t kB = 0xbbbb0002;

TEST(RecSwitch, FirstPacketIsUnchanged) {
  RecSwitch s;
  std::vector<uint8_t> p = rtp(1000, 5000, kA, 160, 0x12, 0x80 | 8);
  const std::vector<uint8_t> orig = p;
  rec_switch_apply(s, p.data(), 123 * kMs, 8000);
  EXPECT_EQ(p, orig);
  EXPECT_TRUE(s.started);
  EXPECT_EQ(s.ssrc, kA);
  EXPECT_EQ(s.in_ssrc, kA);
  EXPECT_EQ(s.seq_off, 0);
  EXPECT_EQ(s.ts_off, 0u);
}

TEST(RecSwitch, SsrcChangeContinuesSeqAndTsFromElapsedTime) {
  RecSwitch s;
  for (uint16_t i = 0; i < 3; i++) {
    const Out o = apply(s, 1000 + i, 5000 + 160u * i, kA, i * 20 * kMs);
    EXPECT_EQ(o.seq, 1000 + i);
    EXPECT_EQ(o.ts, 5000 + 160u * i);
    EXPECT_EQ(o.ssrc, kA);
  }
  // Re-INVITE: new SSRC, random seq/ts, 20 ms after the last packet (160 ticks at 8 kHz).
  Out o = apply(s, 7, 999999, kB, 60 * kMs);
  EXPECT_EQ(o.seq, 1003);
  EXPECT_EQ(o.ts, 5320u + 160u);
  EXPECT_EQ(o.ssrc, kA);
  o = apply(s, 8, 999999 + 160, kB, 80 * kMs);
  EXPECT_EQ(o.seq, 1004);
  EXPECT_EQ(o.ts, 5640u);
  EXPECT_EQ(o.ssrc, kA);
  // A 90 kHz source 35 ms later steps by 3150 ticks.
  o = apply(s, 60000, 1, kA, 115 * kMs, 90000);
  EXPECT_EQ(o.seq, 1005);
  EXPECT_EQ(o.ts, 5640u + 3150u);
}

TEST(RecSwitch, SourceChangeWithoutElapsedTimeStillAdvancesTs) {
  RecSwitch s;
  apply(s, 10, 100, kA, 50 * kMs);
  Out o = apply(s, 20, 7777, kB, 50 * kMs);
  EXPECT_EQ(o.seq, 11);
  EXPECT_EQ(o.ts, 101u);
  o = apply(s, 30, 8888, kA, 40 * kMs);  // clock went backwards: still a step of 1
  EXPECT_EQ(o.seq, 12);
  EXPECT_EQ(o.ts, 102u);
}

TEST(RecSwitch, ReorderAndLossKeepRelativeNumbering) {
  RecSwitch s;
  apply(s, 100, 1000, kA, 0);
  apply(s, 7, 70000, kB, 20 * kMs);  // offsets now non-zero: seq 7 -> 101, ts -> 1160
  Out o = apply(s, 9, 70320, kB, 40 * kMs);
  EXPECT_EQ(o.seq, 103);
  EXPECT_EQ(o.ts, 1480u);
  o = apply(s, 8, 70160, kB, 45 * kMs);  // late
  EXPECT_EQ(o.seq, 102);
  EXPECT_EQ(o.ts, 1320u);
  o = apply(s, 12, 70800, kB, 100 * kMs);  // 10 and 11 lost
  EXPECT_EQ(o.seq, 106);
  EXPECT_EQ(o.ts, 1960u);
  o = apply(s, 11, 70640, kB, 101 * kMs);  // late again: the continuation point stays at 106
  EXPECT_EQ(o.seq, 105);
  EXPECT_EQ(s.last_seq, 106);
  EXPECT_EQ(s.last_ts, 1960u);
  o = apply(s, 500, 1, kA, 120 * kMs);  // next source continues after the highest seq written
  EXPECT_EQ(o.seq, 107);
  EXPECT_EQ(o.ts, 1960u + 160u);
}

TEST(RecSwitch, RebaseAfterPauseWithSameSsrc) {
  RecSwitch s;
  apply(s, 100, 1000, kA, 0);
  apply(s, 101, 1160, kA, 20 * kMs);
  rec_switch_request_rebase(s);
  EXPECT_TRUE(s.rebase);
  // 5 s paused; the source kept running, so seq jumped by 250 and ts by 40000.
  Out o = apply(s, 351, 41160, kA, 5020 * kMs);
  EXPECT_FALSE(s.rebase);
  EXPECT_EQ(o.seq, 102);
  EXPECT_EQ(o.ts, 1160u + 40000u);
  EXPECT_EQ(o.ssrc, kA);
  o = apply(s, 352, 41320, kA, 5040 * kMs);
  EXPECT_EQ(o.seq, 103);
  EXPECT_EQ(o.ts, 41320u);
}

TEST(RecSwitch, WithoutRebaseSameSsrcKeepsOffsets) {
  RecSwitch s;
  apply(s, 100, 1000, kA, 0);
  const Out o = apply(s, 351, 41160, kA, 5020 * kMs);
  EXPECT_EQ(o.seq, 351);
  EXPECT_EQ(o.ts, 41160u);
}

TEST(RecSwitch, RebaseGapIsCappedAtTenMinutes) {
  RecSwitch s;
  apply(s, 1, 0, kA, 0, 90000);
  const Out o = apply(s, 9, 5, kB, 3600ull * 1000 * kMs, 90000);
  EXPECT_EQ(o.ts, 600u * 90000u);
}

TEST(RecSwitch, SeqWrapsAt65535) {
  RecSwitch s;
  EXPECT_EQ(apply(s, 65534, 10, kA, 0).seq, 65534);
  EXPECT_EQ(apply(s, 65535, 170, kA, 20 * kMs).seq, 65535);
  // The new source starts right after 65535: 0.
  Out o = apply(s, 1234, 9, kB, 40 * kMs);
  EXPECT_EQ(o.seq, 0);
  EXPECT_EQ(apply(s, 1235, 169, kB, 60 * kMs).seq, 1);
  EXPECT_EQ(apply(s, 1233, 1, kB, 61 * kMs).seq, 65535);  // late packet across the wrap
  EXPECT_EQ(s.last_seq, 1);
  // Incoming seq wrapping inside a source with a non-zero offset.
  o = apply(s, 65535, 500, kA, 80 * kMs);
  EXPECT_EQ(o.seq, 2);
  EXPECT_EQ(apply(s, 0, 660, kA, 100 * kMs).seq, 3);
}

TEST(RecSwitch, TsWrapsAt32Bits) {
  RecSwitch s;
  apply(s, 1, 0xffffffa0u, kA, 0);
  Out o = apply(s, 50, 123, kB, 20 * kMs);  // 0xffffffa0 + 160 wraps
  EXPECT_EQ(o.ts, 0x00000040u);
  o = apply(s, 51, 283, kB, 40 * kMs);
  EXPECT_EQ(o.ts, 0x000000e0u);
  // Incoming ts wrapping inside a source with a non-zero offset.
  o = apply(s, 60, 0xfffffff0u, kA, 60 * kMs);
  EXPECT_EQ(o.ts, 0x00000180u);
  o = apply(s, 61, 0x00000090u, kA, 80 * kMs);
  EXPECT_EQ(o.ts, 0x00000220u);
}

// ---- janus-pp-rec round trip ----

struct Wav {
  uint32_t rate = 0;
  uint16_t channels = 0;
  uint16_t bits = 0;
  size_t data_bytes = 0;
};

uint32_t le32(const uint8_t* p) { return p[0] | p[1] << 8 | p[2] << 16 | uint32_t{p[3]} << 24; }
uint16_t le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }

// Walks the RIFF chunks; a data chunk whose size was never patched counts up to end of file.
bool parse_wav(const std::vector<uint8_t>& f, Wav* w) {
  if (f.size() < 12 || std::string(f.begin(), f.begin() + 4) != "RIFF" ||
      std::string(f.begin() + 8, f.begin() + 12) != "WAVE")
    return false;
  size_t off = 12;
  while (off + 8 <= f.size()) {
    const std::string id(f.begin() + off, f.begin() + off + 4);
    const size_t size = le32(&f[off + 4]);
    const size_t body = off + 8;
    if (id == "fmt " && body + 16 <= f.size()) {
      w->channels = le16(&f[body + 2]);
      w->rate = le32(&f[body + 4]);
      w->bits = le16(&f[body + 14]);
    } else if (id == "data") {
      w->data_bytes = (size == 0 || body + size > f.size()) ? f.size() - body : size;
      return true;
    }
    off = body + size + (size & 1);
  }
  return false;
}

class MjrPpRecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kPpRec)) GTEST_SKIP() << kPpRec << " not installed";
    std::string tmpl = ::testing::TempDir() + "mjr_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
};

// 50 PCMU packets, 20 ms apart; the source changes (SSRC, seq, ts) after 25.
std::vector<uint8_t> build_pcmu_recording(int packets) {
  std::vector<uint8_t> file(kMjrMagicLen + 2 + kMjrMaxInfoLen + packets * (kMjrFrameHdrLen + 172));
  size_t off = mjr_write_magic(file.data());
  const MjrInfo info{MjrMedium::Audio, "pcmu", "", 1700000000000000ull, 1700000000001000ull};
  off += mjr_write_info(file.data() + off, file.size() - off, info);
  RecSwitch sw;
  for (int i = 0; i < packets; i++) {
    const bool second = i >= packets / 2;
    const int k = second ? i - packets / 2 : i;
    const auto seq = static_cast<uint16_t>(second ? 61000 + k : 1000 + k);
    const uint32_t ts = second ? 0x9abcdef0u + 160u * k : 5000u + 160u * k;
    std::vector<uint8_t> p = rtp(seq, ts, second ? kB : kA, 160, static_cast<uint8_t>(0x80 + i));
    rec_switch_apply(sw, p.data(), 1000 * kMs + i * 20 * kMs, mjr_default_clock("pcmu"));
    const size_t n = mjr_write_frame(file.data() + off, file.size() - off, static_cast<uint32_t>(i * 20), p.data(),
                                     static_cast<uint16_t>(p.size()));
    EXPECT_EQ(n, kMjrFrameHdrLen + 172);
    off += n;
  }
  file.resize(off);
  return file;
}

TEST_F(MjrPpRecTest, PcmuRecordingWithSourceChangeConvertsToWav) {
  constexpr int kPackets = 50;
  const std::filesystem::path mjr = dir_ / "call.mjr";
  const std::filesystem::path wav = dir_ / "call.wav";
  {
    const std::vector<uint8_t> bytes = build_pcmu_recording(kPackets);
    std::ofstream out(mjr, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    ASSERT_TRUE(out.good());
  }
  std::string log;
  ASSERT_EQ(run_cmd(std::string(kPpRec) + " --parse " + mjr.string(), &log), 0) << log;
  // Every packet accepted (one SSRC) and no seq/ts discontinuity warning ("Lost a packet",
  // "Late pre-reset packet"). ASSERT: a broken file can make the conversion write gigabytes.
  ASSERT_NE(log.find("Counted " + std::to_string(kPackets) + " frame packets"), std::string::npos) << log;
  ASSERT_EQ(log.find("[WARN]"), std::string::npos) << log;
  log.clear();
  ASSERT_EQ(run_cmd(std::string(kPpRec) + " " + mjr.string() + " " + wav.string(), &log), 0) << log;

  std::ifstream in(wav, std::ios::binary);
  const std::vector<uint8_t> f{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  Wav w;
  ASSERT_TRUE(parse_wav(f, &w)) << "not a WAV file, " << f.size() << " bytes";
  EXPECT_EQ(w.rate, 8000u);
  EXPECT_EQ(w.channels, 1u);
  EXPECT_EQ(w.bits, 16u);
  const double ms = static_cast<double>(w.data_bytes) / 2.0 / 8000.0 * 1000.0;
  EXPECT_NEAR(ms, kPackets * 20.0, 40.0) << log;
}

}  // namespace
}  // namespace rtpgate::dp::rec
