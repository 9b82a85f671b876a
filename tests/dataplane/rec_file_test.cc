// RecFile (dataplane/record/rec_file.cc): one .mjr recording on disk. Directory creation,
// the magic-only empty file, buffered frames parsed back by an independent reader, RTP
// continuity across an SSRC change, janus-pp-rec acceptance, refused packets and codecs,
// and disk full (RLIMIT_FSIZE in a death-test child): the file must end on a frame boundary.
#include "record/rec_file.h"

#include "mjr_test_util.h"

#include <gtest/gtest.h>
#include <jansson.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

namespace rtpgate::dp::rec {
namespace {

namespace fs = std::filesystem;
using namespace test_mjr;  // Bytes, the reader, janus-pp-rec (mjr_test_util.h)

constexpr uint64_t kMs = 1000 * 1000;  // ns
constexpr uint32_t kSsrcA = 0xaaaa0001;
constexpr uint32_t kSsrcB = 0xbbbb0002;
constexpr uint64_t kCreatedUs = 1700000000000000ull;

// A 12-byte RTP header (V=2, PT 0) followed by `payload` bytes of `fill`.
Bytes rtp(uint16_t seq, uint32_t ts, uint32_t ssrc, size_t payload = 160, uint8_t fill = 0x55) {
  Bytes p(12 + payload, fill);
  p[0] = 0x80;
  p[1] = 0;
  p[2] = uint8_t(seq >> 8), p[3] = uint8_t(seq);
  for (int i = 0; i < 4; i++) {
    p[4 + i] = uint8_t(ts >> (24 - 8 * i));
    p[8 + i] = uint8_t(ssrc >> (24 - 8 * i));
  }
  return p;
}

class RecFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "rec_file_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    std::memset(&st_, 0xa5, sizeof st_);  // open() must reset every field
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  RecFileSpec spec(const fs::path& p, const char* codec = "pcmu") const {
    RecFileSpec s;
    s.path = p.string();
    s.codec = codec;
    s.buffer_bytes = 4096;
    return s;
  }
  // Packet i of a PCMU call: 20 ms apart; a new source (SSRC, seq, ts) from `switch_at` on.
  static Bytes pcmu(int i, int switch_at) {
    const bool second = i >= switch_at;
    const int k = second ? i - switch_at : i;
    return second ? rtp(static_cast<uint16_t>(61000 + k), 0x9abcdef0u + 160u * k, kSsrcB, 160, uint8_t(i))
                  : rtp(static_cast<uint16_t>(1000 + k), 5000u + 160u * k, kSsrcA, 160, uint8_t(i));
  }
  static uint64_t rx_ns(int i) { return 1000 * kMs + uint64_t(i) * 20 * kMs; }
  // Writes packets [from, to) of the call; returns how many were accepted.
  int write_call(RecFile& f, int from, int to, int switch_at) {
    int ok = 0;
    for (int i = from; i < to; i++) {
      Bytes p = pcmu(i, switch_at);
      ok += f.write(p.data(), static_cast<uint32_t>(p.size()), rx_ns(i), rx_ns(i) + kMs, kCreatedUs + 5000 + i * 20000);
    }
    return ok;
  }

  // The file parses completely and holds n frames.
  static void expect_frames(const fs::path& p, size_t n) {
    MjrRead r;
    std::string why;
    ASSERT_TRUE(parse_mjr(read_all(p), &r, &why)) << p << ": " << why;
    EXPECT_EQ(r.frames.size(), n) << p;
  }

  fs::path dir_;
  rtpgate_shm_rec_status st_;
};

TEST_F(RecFileTest, OpenCreatesMissingDirectoriesAndWritesTheMagic) {
  const fs::path p = dir_ / "a" / "b" / "c" / "call.mjr";
  RecFile f(&st_);
  ASSERT_TRUE(f.open(spec(p), kCreatedUs));
  EXPECT_TRUE(f.is_open());
  EXPECT_TRUE(fs::is_directory(dir_ / "a" / "b" / "c"));
  // The magic is on disk at once, before any packet (a kill now still leaves a valid file).
  EXPECT_EQ(read_all(p), (Bytes{'M', 'J', 'R', '0', '0', '0', '0', '2'}));
  EXPECT_EQ(st_.state, uint32_t{RTPGATE_REC_ST_OPEN});
  EXPECT_EQ(st_.err, 0);
  EXPECT_EQ(st_.frames, 0u);
  EXPECT_EQ(st_.bytes, 8u);
  EXPECT_EQ(st_.drops_ring, 0u);
  EXPECT_EQ(st_.drops_write, 0u);
  EXPECT_EQ(st_.first_frame_us, 0u);
  EXPECT_EQ(st_.ssrc_changes, 0u);
  EXPECT_FALSE(f.dirty());
}

TEST_F(RecFileTest, EmptyRecordingClosesAsJustTheMagic) {
  const fs::path p = dir_ / "empty.mjr";
  {
    RecFile f(&st_);
    ASSERT_TRUE(f.open(spec(p), kCreatedUs));
    f.close();
    EXPECT_FALSE(f.is_open());
  }
  EXPECT_EQ(fs::file_size(p), 8u);
  MjrRead r;
  std::string why;
  EXPECT_TRUE(parse_mjr(read_all(p), &r, &why)) << why;
  EXPECT_TRUE(r.json.empty());
  EXPECT_EQ(st_.state, uint32_t{RTPGATE_REC_ST_CLOSED});
  EXPECT_EQ(st_.bytes, 8u);
}

// 50 PCMU packets with a source change after 25: 50 frames, ts_ms from 0 in 20 ms steps,
// one SSRC, continuous seq and ts, the payloads untouched; the info header as Janus writes it.
TEST_F(RecFileTest, PcmuCallParsesWithOneSsrcAndContinuousNumbering) {
  constexpr int kN = 50;
  const fs::path p = dir_ / "call.mjr";
  {
    RecFile f(&st_);
    ASSERT_TRUE(f.open(spec(p), kCreatedUs));
    ASSERT_EQ(write_call(f, 0, kN, kN / 2), kN);
    EXPECT_TRUE(f.dirty());
    f.close();
  }
  MjrRead r;
  std::string why;
  const Bytes file = read_all(p);
  ASSERT_TRUE(parse_mjr(file, &r, &why)) << why;
  EXPECT_EQ(json_str(r.json, "t"), "a");
  EXPECT_EQ(json_str(r.json, "c"), "pcmu");
  EXPECT_EQ(json_int(r.json, "s"), int64_t(kCreatedUs));
  // "u": the first packet's arrival on the real-time clock (written 1 ms after it arrived).
  EXPECT_EQ(json_int(r.json, "u"), int64_t(kCreatedUs + 5000 - 1000));
  ASSERT_EQ(r.frames.size(), size_t(kN));
  for (int i = 0; i < kN; i++) {
    const Bytes& f = r.frames[i].pkt;
    ASSERT_EQ(f.size(), 172u) << i;
    EXPECT_EQ(r.frames[i].ts_ms, uint32_t(20 * i)) << i;
    EXPECT_EQ(be32(&f[8]), kSsrcA) << i;
    EXPECT_EQ(be16(&f[2]), uint16_t(1000 + i)) << i;
    EXPECT_EQ(be32(&f[4]), 5000u + 160u * i) << i;  // 20 ms at 8 kHz across the switch too
    EXPECT_EQ(f[0], 0x80);
    EXPECT_EQ(f[12], uint8_t(i));
    EXPECT_EQ(f[171], uint8_t(i));
  }
  EXPECT_EQ(st_.state, uint32_t{RTPGATE_REC_ST_CLOSED});
  EXPECT_EQ(st_.err, 0);
  EXPECT_EQ(st_.frames, uint64_t(kN));
  EXPECT_EQ(st_.bytes, file.size());
  EXPECT_EQ(st_.drops_write, 0u);
  EXPECT_EQ(st_.ssrc_changes, 1u);
  EXPECT_EQ(st_.first_frame_us, kCreatedUs + 4000);
}

TEST_F(RecFileTest, JanusPpRecParsesTheRecording) {
  if (!fs::exists(kPpRec)) GTEST_SKIP() << kPpRec << " not installed";
  constexpr int kN = 60;
  const fs::path p = dir_ / "pp" / "call.mjr";
  {
    RecFile f(&st_);
    ASSERT_TRUE(f.open(spec(p), kCreatedUs));
    ASSERT_EQ(write_call(f, 0, kN, 20), kN);
  }  // the destructor closes
  std::string log;
  ASSERT_EQ(run_cmd(std::string(kPpRec) + " --parse " + p.string(), &log), 0) << log;
  EXPECT_NE(log.find("Counted " + std::to_string(kN) + " frame packets"), std::string::npos) << log;
  EXPECT_EQ(log.find("[WARN]"), std::string::npos) << log;
}

// The buffer is allocated by the first packet, small, and doubles only as far as a flush
// interval's packets need, never past buffer_bytes: many quiet recordings stay cheap.
TEST_F(RecFileTest, BufferStartsSmallAndGrowsToItsLimit) {
  const fs::path p = dir_ / "grow.mjr";
  RecFile f(&st_);
  RecFileSpec s = spec(p);
  s.buffer_bytes = 16 * 1024;
  ASSERT_TRUE(f.open(s, kCreatedUs));
  EXPECT_EQ(f.buffer_bytes(), 0u);
  ASSERT_EQ(write_call(f, 0, 1, 100), 1);
  EXPECT_EQ(f.buffer_bytes(), 1024u);  // the info header and one 182-byte frame
  ASSERT_TRUE(f.flush());
  for (int i = 1; i < 5; i++) ASSERT_EQ(write_call(f, i, i + 1, 100), 1);
  EXPECT_EQ(f.buffer_bytes(), 1024u);  // 4 frames fit again after the flush
  for (int i = 5; i < 200; i++) ASSERT_EQ(write_call(f, i, i + 1, 100), 1);
  EXPECT_EQ(f.buffer_bytes(), 16u * 1024);
  f.close();
  expect_frames(p, 200);
  EXPECT_EQ(st_.drops_write, 0u);
}

// More recordings than descriptors: with a budget of 2, three recordings written in turn
// keep at most two descriptors; the least recently written one gives its back and reopens
// its file (O_APPEND) at its next write-out; every file ends complete, no frame lost.
TEST_F(RecFileTest, RecordingsShareADescriptorBudget) {
  FdLru fds(2);
  rtpgate_shm_rec_status st[3];
  std::vector<std::unique_ptr<RecFile>> files;
  std::vector<fs::path> paths;
  for (int k = 0; k < 3; k++) {
    paths.push_back(dir_ / ("lru-" + std::to_string(k) + ".mjr"));
    files.push_back(std::make_unique<RecFile>(&st[k], &fds));
    ASSERT_TRUE(files[k]->open(spec(paths[k]), kCreatedUs));
    EXPECT_LE(fds.held(), 2u);
  }
  EXPECT_FALSE(files[0]->holds_fd()) << "the least recently used keeps its descriptor";
  EXPECT_TRUE(files[0]->is_open());
  EXPECT_EQ(fds.parked(), 1u);
  constexpr int kRounds = 30;
  for (int i = 0; i < kRounds; i++) {
    for (int k = 0; k < 3; k++) {
      ASSERT_EQ(write_call(*files[k], i, i + 1, 1000), 1) << "file " << k << " packet " << i;
      ASSERT_TRUE(files[k]->flush()) << "file " << k << " packet " << i;
      EXPECT_TRUE(files[k]->holds_fd());  // the one just written out
      EXPECT_LE(fds.held(), 2u);
    }
  }
  EXPECT_GE(fds.parked(), uint64_t{3 * kRounds - 2});  // round robin over 3 with 2: every write-out reopens
  int held = 0;
  for (auto& f : files) held += f->holds_fd();
  EXPECT_EQ(held, 2);
  for (auto& f : files) f->close();
  EXPECT_EQ(fds.held(), 0u);
  for (int k = 0; k < 3; k++) {
    expect_frames(paths[k], kRounds);
    EXPECT_EQ(st[k].state, uint32_t{RTPGATE_REC_ST_CLOSED});
    EXPECT_EQ(st[k].drops_write, 0u);
  }
}

// The process runs out of descriptors below the budget (RLIMIT_NOFILE lower than the budget
// assumed): opening sheds the least recent holder and lowers the budget instead of failing.
// In a child process with 3 descriptors to spare.
TEST_F(RecFileTest, RunningOutOfDescriptorsShedsInsteadOfFailing) {
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    for (int fd = 3; fd < 4096; fd++) ::close(fd);  // only stdin, stdout, stderr left
    rlimit rl{6, 6};                                 // room for 3 recordings' descriptors
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) _exit(10);
    FdLru fds(100);
    rtpgate_shm_rec_status st[8];
    std::vector<std::unique_ptr<RecFile>> files;
    for (int k = 0; k < 8; k++) {
      files.push_back(std::make_unique<RecFile>(&st[k], &fds));
      if (!files[k]->open(spec(dir_ / ("shed-" + std::to_string(k) + ".mjr")), kCreatedUs)) _exit(20 + k);
      if (write_call(*files[k], 0, 1, 1000) != 1 || !files[k]->flush()) _exit(40 + k);
    }
    if (fds.budget() > 3 || fds.held() > fds.budget() || fds.parked() == 0) _exit(60);  // it shed
    for (auto& f : files) f->close();
    for (int k = 0; k < 8; k++)
      if (st[k].state != RTPGATE_REC_ST_CLOSED || st[k].frames != 1) _exit(70 + k);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "10: setrlimit, 20+k: open k, 40+k: write k, 60: budget, 70+k: file k";
}

// A parked recording whose file disappeared cannot reopen it: the write-out fails, the
// recording is FAILED with the errno, its buffered frames are counted as dropped.
TEST_F(RecFileTest, ParkedRecordingWhoseFileWentAwayFails) {
  FdLru fds(1);
  rtpgate_shm_rec_status sa, sb;
  RecFile a(&sa, &fds), b(&sb, &fds);
  const fs::path pa = dir_ / "gone.mjr", pb = dir_ / "other.mjr";
  ASSERT_TRUE(a.open(spec(pa), kCreatedUs));
  ASSERT_TRUE(b.open(spec(pb), kCreatedUs));
  EXPECT_FALSE(a.holds_fd());
  ASSERT_EQ(write_call(a, 0, 2, 1000), 2);
  fs::remove(pa);
  EXPECT_FALSE(a.flush());
  EXPECT_EQ(sa.state, uint32_t{RTPGATE_REC_ST_FAILED});
  EXPECT_EQ(sa.err, ENOENT);
  EXPECT_EQ(sa.drops_write, 2u);
  EXPECT_FALSE(a.is_open());
  EXPECT_EQ(fds.held(), 1u);  // b's
  b.close();
  EXPECT_EQ(fds.held(), 0u);
}

// Until a flush only the magic is on disk; bytes counts what the file will hold; every
// flush leaves a file that parses completely (complete frames only).
TEST_F(RecFileTest, FileOnlyEverHoldsCompleteFrames) {
  const fs::path p = dir_ / "buf.mjr";
  RecFile f(&st_);
  ASSERT_TRUE(f.open(spec(p), kCreatedUs));
  ASSERT_EQ(write_call(f, 0, 3, 100), 3);
  EXPECT_EQ(fs::file_size(p), 8u);
  EXPECT_GT(st_.bytes, 8u + 3 * 182u);
  ASSERT_TRUE(f.flush());
  EXPECT_FALSE(f.dirty());
  EXPECT_EQ(fs::file_size(p), st_.bytes);
  // 100 more through a 4 KiB buffer: flushed by the buffer filling up, never mid-frame.
  for (int i = 3; i < 103; i++) {
    ASSERT_EQ(write_call(f, i, i + 1, 1000), 1);
    MjrRead r;
    std::string why;
    ASSERT_TRUE(parse_mjr(read_all(p), &r, &why)) << "after packet " << i << ": " << why;
    EXPECT_LE(r.frames.size(), size_t(i + 1));
  }
  EXPECT_GT(fs::file_size(p), 8192u);  // the buffer did flush on its own
  f.close();
  expect_frames(p, 103);
  EXPECT_EQ(st_.frames, 103u);
}

// Shorter than an RTP header, not version 2, longer than janus-pp-rec accepts: counted in
// drops_write, never in the file. 12 and 1500 bytes are the limits that still pass.
TEST_F(RecFileTest, BadPacketsAreCountedAndNotWritten) {
  const fs::path p = dir_ / "bad.mjr";
  RecFile f(&st_);
  ASSERT_TRUE(f.open(spec(p), kCreatedUs));
  Bytes short11 = rtp(1, 160, kSsrcA, 0);
  Bytes v1 = rtp(2, 320, kSsrcA);
  v1[0] = 0x40;
  Bytes v0 = rtp(3, 480, kSsrcA);
  v0[0] = 0x00;
  Bytes big = rtp(4, 640, kSsrcA, 1501 - 12);
  Bytes hdr_only = rtp(5, 800, kSsrcA, 0);
  Bytes max = rtp(6, 960, kSsrcA, 1500 - 12);
  EXPECT_FALSE(f.write(short11.data(), 11, rx_ns(0), rx_ns(0), kCreatedUs));
  EXPECT_FALSE(f.write(v1.data(), static_cast<uint32_t>(v1.size()), rx_ns(1), rx_ns(1), kCreatedUs));
  EXPECT_FALSE(f.write(v0.data(), static_cast<uint32_t>(v0.size()), rx_ns(1), rx_ns(1), kCreatedUs));
  EXPECT_FALSE(f.write(big.data(), static_cast<uint32_t>(big.size()), rx_ns(2), rx_ns(2), kCreatedUs));
  EXPECT_EQ(st_.drops_write, 4u);
  EXPECT_EQ(st_.frames, 0u);
  EXPECT_EQ(st_.first_frame_us, 0u);  // a refused packet does not start the file
  EXPECT_TRUE(f.write(hdr_only.data(), 12, rx_ns(3), rx_ns(3), kCreatedUs));
  EXPECT_TRUE(f.write(max.data(), 1500, rx_ns(4), rx_ns(4), kCreatedUs));
  f.close();
  // After close nothing more is written.
  EXPECT_FALSE(f.write(max.data(), 1500, rx_ns(5), rx_ns(5), kCreatedUs));
  MjrRead r;
  std::string why;
  ASSERT_TRUE(parse_mjr(read_all(p), &r, &why)) << why;
  ASSERT_EQ(r.frames.size(), 2u);
  EXPECT_EQ(r.frames[0].pkt.size(), 12u);
  EXPECT_EQ(r.frames[1].pkt.size(), 1500u);
  EXPECT_EQ(r.frames[0].ts_ms, 0u);  // ms since the first *written* frame
  EXPECT_EQ(r.frames[1].ts_ms, 20u);
  EXPECT_EQ(st_.frames, 2u);
  EXPECT_EQ(st_.drops_write, 5u);
  EXPECT_EQ(st_.state, uint32_t{RTPGATE_REC_ST_CLOSED});
}

TEST_F(RecFileTest, UnknownCodecOrWrongMediumFailsTheOpen) {
  struct Case {
    const char* codec;
    MjrMedium medium;
  };
  for (const Case c : {Case{"g729", MjrMedium::Audio}, Case{"", MjrMedium::Audio}, Case{"text", MjrMedium::Audio},
                       Case{"pcmu", MjrMedium::Video}, Case{"vp8", MjrMedium::Audio}}) {
    const fs::path p = dir_ / "x" / "codec.mjr";
    std::memset(&st_, 0, sizeof st_);
    RecFile f(&st_);
    RecFileSpec s = spec(p, c.codec);
    s.medium = c.medium;
    EXPECT_FALSE(f.open(s, kCreatedUs)) << c.codec;
    EXPECT_FALSE(f.is_open());
    EXPECT_EQ(st_.state, uint32_t{RTPGATE_REC_ST_FAILED}) << c.codec;
    EXPECT_EQ(st_.err, EINVAL) << c.codec;
    EXPECT_FALSE(fs::exists(p)) << c.codec;
    Bytes pkt = rtp(1, 160, kSsrcA);
    EXPECT_FALSE(f.write(pkt.data(), static_cast<uint32_t>(pkt.size()), rx_ns(0), rx_ns(0), kCreatedUs));
    f.close();
    EXPECT_EQ(st_.state, uint32_t{RTPGATE_REC_ST_FAILED}) << "close must not turn a failed open into CLOSED";
  }
}

TEST_F(RecFileTest, UncreatablePathFailsWithErrno) {
  {
    std::ofstream blocker(dir_ / "file");
  }
  RecFile f(&st_);
  EXPECT_FALSE(f.open(spec(dir_ / "file" / "sub" / "x.mjr"), kCreatedUs));
  EXPECT_EQ(st_.state, uint32_t{RTPGATE_REC_ST_FAILED});
  EXPECT_EQ(st_.err, ENOTDIR);
}

// The info header cannot be written (fmtp that is not UTF-8): the packet is dropped, the
// file stays a valid empty .mjr and the recording must read as FAILED, not CLOSED.
// DISABLED: RecFile::write calls fail(EINVAL) and then close(), whose successful flush of an
// empty buffer stores RTPGATE_REC_ST_CLOSED over FAILED (see the report).
TEST_F(RecFileTest, UnwritableInfoHeaderLeavesTheRecordingFailed) {
  const fs::path p = dir_ / "fmtp.mjr";
  RecFile f(&st_);
  RecFileSpec s = spec(p);
  s.fmtp = "\xff\xfe";
  ASSERT_TRUE(f.open(s, kCreatedUs));
  Bytes pkt = rtp(1, 160, kSsrcA);
  EXPECT_FALSE(f.write(pkt.data(), static_cast<uint32_t>(pkt.size()), rx_ns(0), rx_ns(0), kCreatedUs));
  EXPECT_EQ(fs::file_size(p), 8u);
  EXPECT_EQ(st_.err, EINVAL);
  EXPECT_EQ(st_.drops_write, 1u);
  EXPECT_EQ(st_.state, uint32_t{RTPGATE_REC_ST_FAILED});
}

// ---- disk full: RLIMIT_FSIZE in a child process (SIGXFSZ ignored, so write() says EFBIG) ----

struct DiskFullCase {
  rlim_t limit;      // file size limit in bytes
  int packets;       // written before close()
  bool stop_at_first_failure;
};

// Everything the child checks; "" when all held. Runs only in the death-test child.
std::string disk_full_child(const fs::path& p, const DiskFullCase& c, int* attempts) {
  signal(SIGXFSZ, SIG_IGN);
  const rlimit rl{c.limit, c.limit};
  if (setrlimit(RLIMIT_FSIZE, &rl) != 0) return "setrlimit failed";
  rtpgate_shm_rec_status st{};
  RecFile f(&st);
  RecFileSpec s;
  s.path = p.string();
  s.codec = "pcmu";
  s.buffer_bytes = 4096;
  if (!f.open(s, kCreatedUs)) return "open failed";
  *attempts = 0;
  for (int i = 0; i < c.packets; i++) {
    Bytes pkt = rtp(static_cast<uint16_t>(100 + i), 160u * i, kSsrcA, 160, uint8_t(i));
    (*attempts)++;
    const bool ok = f.write(pkt.data(), static_cast<uint32_t>(pkt.size()), 1000 * kMs + i * 20 * kMs,
                            1000 * kMs + i * 20 * kMs, kCreatedUs);
    if (!ok && c.stop_at_first_failure) break;
  }
  f.close();
  const Bytes file = read_all(p);
  MjrRead r;
  std::string why;
  std::string err;
  if (!parse_mjr(file, &r, &why)) err += "file does not end on a frame boundary: " + why + "; ";
  if (file.size() > c.limit) err += "file larger than the limit; ";
  if (st.state != RTPGATE_REC_ST_FAILED) err += "state " + std::to_string(st.state) + " != FAILED; ";
  if (st.err != EFBIG) err += "err " + std::to_string(st.err) + " != EFBIG; ";
  if (st.drops_write == 0) err += "drops_write == 0; ";
  if (st.frames != r.frames.size())
    err += "status.frames " + std::to_string(st.frames) + " != frames in file " + std::to_string(r.frames.size()) + "; ";
  if (st.bytes != file.size())
    err += "status.bytes " + std::to_string(st.bytes) + " != file size " + std::to_string(file.size()) + "; ";
  if (st.frames + st.drops_write != uint64_t(*attempts))
    err += "frames " + std::to_string(st.frames) + " + drops_write " + std::to_string(st.drops_write) +
           " != packets written " + std::to_string(*attempts) + "; ";
  for (size_t i = 0; i < r.frames.size(); i++)
    if (r.frames[i].pkt.size() != 172 || be16(&r.frames[i].pkt[2]) != 100 + i || r.frames[i].pkt[12] != uint8_t(i)) {
      err += "frame " + std::to_string(i) + " is not packet " + std::to_string(i) + "; ";
      break;
    }
  return err;
}

class RecFileDeathTest : public RecFileTest {
 protected:
  void expect_valid_after_disk_full(const DiskFullCase& c) {
    const fs::path p = dir_ / "full" / "call.mjr";
    EXPECT_EXIT(
        {
          int attempts = 0;
          const std::string err = disk_full_child(p, c, &attempts);
          if (!err.empty()) std::fprintf(stderr, "CHILD FAILED: %s\n", err.c_str());
          std::fflush(stderr);
          _exit(err.empty() ? 0 : 1);
        },
        ::testing::ExitedWithCode(0), "");
  }
};

// Fails while the buffer flushes on its own: the last flush is cut by the limit in the middle
// of a frame (10000 is not a frame boundary) and the file is cut back to the last flush.
TEST_F(RecFileDeathTest, DiskFullMidCallCutsTheFileToItsLastCompleteFrame) {
  expect_valid_after_disk_full({10000, 400, false});
}

// Fails in close(): header and frames were still buffered, so only the magic stays.
TEST_F(RecFileDeathTest, DiskFullAtCloseLeavesAnEmptyValidFile) {
  expect_valid_after_disk_full({100, 15, false});
}

// The packet whose write() hit the full disk must be in the published drops_write even when
// no packet follows it. DISABLED: `return drops_++, false;` after the failed flush in
// RecFile::write does not publish(), and close() returns early on a closed fd (see the report).
TEST_F(RecFileDeathTest, PacketThatHitTheFullDiskIsCountedAtOnce) {
  expect_valid_after_disk_full({10000, 400, true});
}

}  // namespace
}  // namespace rtpgate::dp::rec
