// Recording and PLI through the worker's real paths: a Runtime (region, command ring, flow
// table, recorder rings) on a net_ring port hot-plugged into the EAL of this binary; RTP
// through process_burst and drain_ctl_rings, commands through the CommandApplier, the
// recorder driven by Recorder::poll (its thread is never started), files read back by an
// independent .mjr reader and janus-pp-rec. What the worker transmits loops back on the
// port's RX and is read from there. The EAL is started by main() in flow_table_test.cc.
#include <gtest/gtest.h>
#include <jansson.h>
#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_rcu_qsbr.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dp_test_env.h"
#include "mjr_test_util.h"
#include "lcore/ctl_tx.h"
#include "net/checksum.h"
#include "rtcp/pli_inject.h"
#include "rtpgate/shm/control_client.h"
#include "runtime.h"

namespace rtpgate::dp {
namespace {

namespace fs = std::filesystem;
using namespace test_mjr;  // Bytes, the reader, janus-pp-rec (mjr_test_util.h)

constexpr uint8_t kLocal[4] = {10, 98, 0, 1};
constexpr uint8_t kPeer[4] = {10, 98, 0, 2};
constexpr char kVdev[] = "net_ring_rectest0";
constexpr uint32_t kRecRing = 64;  // rte_ring: 63 copies fit

// ---- the shared fixture: one Runtime for the suite ----

struct Env : test::DpEnv {
  uint64_t rec_clock = 0;       // what Recorder::poll is told (1 s per poll: flush + publish)
  uint64_t raw_seq = 1ull << 48;  // commands pushed without the client (never collides)
};
Env* g = nullptr;
std::string g_setup_error;

DpContext& dp() { return g->rt.dp(); }
LcoreCtx& lc() { return g->rt.lcore(0); }
uint64_t ctr(int id) { return lc().ctr[id]; }
Recorder& recorder() { return g->rt.recorder(0); }
// The recorder thread's published counters (published on every poll, see rec_clock).
uint64_t rec_ctr(int id) { return dp().region.lcore_stats(g->rt.n_workers() + 2).ctr[id]; }
rtpgate_shm_rec_status& status(uint32_t e) { return dp().region.rec(e).status; }
uint32_t state(uint32_t e) { return __atomic_load_n(&status(e).state, __ATOMIC_ACQUIRE); }
uint32_t poll_recorder() { return recorder().poll(g->rec_clock += 1000000000ull); }

using test::addr4;
Errc finish_seq(uint64_t seq) { return test::finish_seq(*g, seq); }
Errc finish(Result<uint64_t> seq) { return test::finish(*g, seq); }

// A command the client would refuse to send (bad index, wrong version).
Errc raw_cmd(uint16_t op, uint32_t id, uint32_t version) {
  rtpgate_shm_cmd c{};
  c.seq = ++g->raw_seq;
  c.op = op;
  c.flow_id = id;
  c.flow_version = version;
  if (!g->cc->region().cmd_ring().push(c)) return Errc::RingFull;
  return finish_seq(c.seq);
}

rtpgate_shm_rec_entry rec_entry(uint8_t medium, const char* codec, const fs::path& path, uint8_t flags = 0) {
  rtpgate_shm_rec_entry e{};
  e.medium = medium;
  e.flags = flags;
  std::snprintf(e.codec, sizeof e.codec, "%s", codec);
  std::snprintf(e.path, sizeof e.path, "%s", path.c_str());
  return e;
}

// Allocates and writes an entry, REC_START, and lets the recorder open the file.
uint32_t start_rec(const rtpgate_shm_rec_entry& e) {
  const uint32_t idx = g->cc->alloc_rec().value();
  g->cc->write_rec(idx, e);
  EXPECT_EQ(finish(g->cc->submit_rec(RTPGATE_CMD_REC_START, idx)), Errc::Ok);
  poll_recorder();
  return idx;
}

// REC_STOP; polls the recorder until the entry left OPEN; frees the entry.
void stop_rec(uint32_t idx) {
  EXPECT_EQ(finish(g->cc->submit_rec(RTPGATE_CMD_REC_STOP, idx)), Errc::Ok);
  for (int i = 0; i < 100 && state(idx) == RTPGATE_REC_ST_OPEN; i++) poll_recorder();
  g->cc->free_rec(idx);
}

struct FlowSpec {
  uint8_t kind = RTPGATE_KIND_RTP;
  uint8_t action = RTPGATE_ACT_TO_CTL;
  bool output = false;            // out_dst set (control's packets, PLIs leave this way)
  const uint8_t* dst = kPeer;
  uint16_t dst_port = 30000;
  uint32_t record_slot = RTPGATE_REC_NONE;
  uint32_t record_tx_slot = RTPGATE_REC_NONE;
  uint32_t rtcp_flow_id = UINT32_MAX;
  uint32_t srtp_in = RTPGATE_SRTP_NONE;
  uint32_t srtp_out = 0;
};

struct Flow {
  uint32_t id;
  uint16_t port;
  rtpgate_shm_flow_params p;
};

rtpgate_shm_flow_params params(const FlowSpec& s, uint16_t port) {
  rtpgate_shm_flow_params p{};
  p.kind = s.kind;
  p.action = s.action;
  p.local = addr4(kLocal);
  p.local_port = port;
  if (s.output) {
    p.out_src = addr4(kLocal);
    p.out_src_port = port;
    p.out_dst = addr4(s.dst);
    p.out_dst_port = s.dst_port;
  }
  p.rtcp_flow_id = s.rtcp_flow_id;
  p.reverse_flow_id = UINT32_MAX;
  p.record_slot = s.record_slot;
  p.record_tx_slot = s.record_tx_slot;
  p.srtp_slot = s.srtp_in;
  p.srtp_out_slot = s.srtp_out;
  return p;
}

// Installs a flow; *e (when given) receives the completion's code instead of expecting Ok.
Flow add_flow(const FlowSpec& s, Errc* e = nullptr) {
  Flow f{};
  f.id = g->cc->alloc_flow().value();
  f.port = g->next_port++;
  EXPECT_TRUE(g->cc->claim_port(0, f.port));
  f.p = params(s, f.port);
  g->cc->write_params(f.id, f.p);
  const Errc r = finish(g->cc->submit(RTPGATE_CMD_FLOW_INSTALL, f.id));
  if (e != nullptr) {
    *e = r;
    if (r != Errc::Ok) {
      g->cc->free_flow(f.id);
      g->cc->free_port(0, f.port);
    }
  } else {
    EXPECT_EQ(r, Errc::Ok);
  }
  return f;
}

Errc modify_flow(Flow& f) { return test::modify_flow(*g, f.id, f.p); }
void remove_flow(const Flow& f) { test::remove_flow(*g, f.id, f.port); }
using test::make_rtp;

std::vector<Bytes> rtp_run(uint16_t seq0, uint32_t n, uint32_t ssrc) {
  std::vector<Bytes> v;
  for (uint32_t i = 0; i < n; i++) v.push_back(make_rtp(static_cast<uint16_t>(seq0 + i), ssrc));
  return v;
}

Bytes make_rtcp_sr(uint32_t ssrc) {
  Bytes b(28, 0);
  b[0] = 0x80;
  b[1] = 200;
  b[3] = 6;
  for (int i = 0; i < 4; i++) b[4 + i] = uint8_t(ssrc >> (24 - 8 * i));
  return b;
}

void inject(uint16_t port, const std::vector<Bytes>& payloads) { test::inject(*g, port, payloads); }

struct TxFrame {
  uint8_t dst[4];
  uint16_t src_port, dst_port;
  Bytes payload;
};

// What the worker transmitted (net_ring loops it back to RX).
std::vector<TxFrame> collect_tx() {
  std::vector<TxFrame> out;
  test::for_each_tx_ipv4(*g, [&](const uint8_t* p, const ParsedPkt& pp) {
    TxFrame t;
    std::memcpy(t.dst, p + pp.l3_off + 16, 4);
    t.src_port = uint16_t(p[pp.l4_off] << 8 | p[pp.l4_off + 1]);
    t.dst_port = uint16_t(p[pp.l4_off + 2] << 8 | p[pp.l4_off + 3]);
    t.payload.assign(p + pp.payload_off, p + pp.payload_off + pp.payload_len);
    out.push_back(std::move(t));
  });
  return out;
}

struct CtlPkt {
  uint32_t flow_id;
  Bytes data;
};

// What the worker handed to control's packet ring 0.
std::vector<CtlPkt> collect_ctl() {
  std::vector<CtlPkt> out;
  auto ring = dp().region.pkt_ring_to_ctl(0);
  rtpgate_shm_pkt_slot s;
  while (ring.pop(s)) out.push_back({s.flow_id, Bytes(s.data, s.data + s.len)});
  return out;
}

void send_from_control(const Flow& f, const std::vector<Bytes>& payloads, bool rtcp = false) {
  test::send_from_control(*g, f.id, payloads, rtcp);
}

// ---- .mjr files read back (mjr_test_util.h) ----

struct Mjr {
  bool ok = false;
  std::string why;
  std::string json;
  std::vector<Bytes> frames;  // the RTP packets
};

Mjr read_mjr(const fs::path& p) {
  Mjr m;
  MjrRead r;
  m.ok = parse_mjr(read_all(p), &r, &m.why);
  m.json = std::move(r.json);
  for (MjrFrameRead& f : r.frames) m.frames.push_back(std::move(f.pkt));
  return m;
}

// janus-pp-rec --parse: exit code 0 and every frame counted; "" when it agrees.
std::string pp_rec_disagrees(const fs::path& p, size_t frames) {
  if (!fs::exists(kPpRec)) return "";
  std::string log;
  if (run_cmd(std::string(kPpRec) + " --parse " + p.string(), &log) != 0) return "janus-pp-rec failed: " + log;
  if (log.find("Counted " + std::to_string(frames) + " frame packets") == std::string::npos)
    return "janus-pp-rec counted otherwise: " + log;
  return "";
}

// What RecordingDp::start_two_recorded set up.
struct TwoRecorded {
  fs::path fa, fb;
  uint32_t ea = 0, eb = 0;
  Flow a, b;
};

class RecordingDp : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    auto env = std::make_unique<Env>();
    if (!test::open_vdev(*env, kVdev, "recording_eal_test", kLocal, kPeer, &g_setup_error)) return;  // no EAL: every test skips
    Config c = test::base_config(*env, "/rtpgate-rectest-" + std::to_string(getpid()), env->port);
    c.srtp_capacity = 64;
    c.mbufs = 2047;
    c.rec_capacity = 16;
    c.rec_threads = 1;
    c.rec_ring = kRecRing;
    c.rec_mbufs = 1023;
    c.rec_buffer_kb = 4;
    c.rec_flush_ms = 10;
    c.pli_min_interval_ms = 500;
    g_setup_error = test::start_env(*env, c, "rectest_in", 1023);
    if (!g_setup_error.empty()) return;
    env->rec_clock = shm::monotonic_ns();
    g = env.release();
  }

  static void TearDownTestSuite() {
    test::end_suite(g, kVdev);
  }

 protected:
  void SetUp() override {
    if (!g_setup_error.empty()) FAIL() << g_setup_error;
    if (g == nullptr) GTEST_SKIP() << "no EAL or no net_ring vdev";
    collect_tx();
    collect_ctl();
    while (poll_recorder() != 0) {
    }
  }
  fs::path path(const char* name) const { return g->dir / name; }
  // Two recordings (DIR/a.mjr, DIR/b.mjr) started, each on its own recorded TO_CTL flow.
  TwoRecorded start_two_recorded(const std::string& dir) const {
    TwoRecorded t;
    t.fa = g->dir / dir / "a.mjr";
    t.fb = g->dir / dir / "b.mjr";
    t.ea = start_rec(rec_entry(RTPGATE_REC_AUDIO, "pcmu", t.fa));
    t.eb = start_rec(rec_entry(RTPGATE_REC_AUDIO, "pcmu", t.fb));
    FlowSpec sa, sb;
    sa.record_slot = t.ea;
    sb.record_slot = t.eb;
    t.a = add_flow(sa);
    t.b = add_flow(sb);
    return t;
  }
};

// The main path: REC_START, a recorded TO_CTL flow, 50 packets through process_burst, the
// recorder writing them, the flow modified off the recording, REC_STOP completing only after
// the QSBR grace period, and the closed file holding exactly those 50 packets.
TEST_F(RecordingDp, FiftyReceivedPacketsBecomeAValidMjr) {
  const fs::path file = path("rx/a/call.mjr");  // directories are created by the recorder
  const uint64_t opened0 = rec_ctr(RTPGATE_CTR_rec_opened);
  const uint32_t e = start_rec(rec_entry(RTPGATE_REC_AUDIO, "pcmu", file));
  ASSERT_EQ(state(e), uint32_t{RTPGATE_REC_ST_OPEN});
  EXPECT_EQ(rec_ctr(RTPGATE_CTR_rec_opened) - opened0, 1u);
  FlowSpec s;
  s.record_slot = e;
  Flow f = add_flow(s);
  const std::vector<Bytes> pkts = rtp_run(1000, 50, 0x1234);
  const uint64_t copies0 = ctr(RTPGATE_CTR_rec_copies), lost0 = ctr(RTPGATE_CTR_drop_rec_copy);
  inject(f.port, pkts);
  // Forwarding to control is unchanged by the recording.
  const auto got = collect_ctl();
  ASSERT_EQ(got.size(), pkts.size());
  for (size_t i = 0; i < got.size(); i++) {
    EXPECT_EQ(got[i].flow_id, f.id);
    EXPECT_EQ(got[i].data, pkts[i]) << i;
  }
  EXPECT_EQ(ctr(RTPGATE_CTR_rec_copies) - copies0, 50u);
  EXPECT_EQ(ctr(RTPGATE_CTR_drop_rec_copy) - lost0, 0u);
  EXPECT_EQ(rte_ring_count(dp().rec.in[0][0]), 50u);
  poll_recorder();
  EXPECT_EQ(rte_ring_count(dp().rec.in[0][0]), 0u);
  EXPECT_EQ(status(e).frames, 50u);
  EXPECT_EQ(state(e), uint32_t{RTPGATE_REC_ST_OPEN});

  {
    test::QsbrReader reader(dp().qsbr);  // this thread now holds the flow's old action until it says otherwise
    f.p.record_slot = RTPGATE_REC_NONE;
    ASSERT_EQ(modify_flow(f), Errc::Ok);
    const auto seq = g->cc->submit_rec(RTPGATE_CMD_REC_STOP, e);
    ASSERT_TRUE(seq);
    bool done = false;
    for (int i = 0; i < 50; i++) {
      g->rt.commands().poll(rte_rdtsc(), 64, lc().ctr);
      rtpgate_shm_cpl c;
      while (g->cc->next_completion(c)) done |= c.seq == seq.value();
    }
    EXPECT_FALSE(done) << "REC_STOP completed while a reader could still copy for the recording";
    poll_recorder();
    EXPECT_EQ(state(e), uint32_t{RTPGATE_REC_ST_OPEN}) << "closed before the grace period ended";
    reader.report_quiescent();
    EXPECT_EQ(finish_seq(seq.value()), Errc::Ok);
  }
  for (int i = 0; i < 10 && state(e) == RTPGATE_REC_ST_OPEN; i++) poll_recorder();
  EXPECT_EQ(state(e), uint32_t{RTPGATE_REC_ST_CLOSED});
  g->cc->free_rec(e);

  const Mjr m = read_mjr(file);
  ASSERT_TRUE(m.ok) << m.why;
  EXPECT_EQ(json_str(m.json, "t"), "a");
  EXPECT_EQ(json_str(m.json, "c"), "pcmu");
  ASSERT_EQ(m.frames.size(), 50u);
  for (size_t i = 0; i < m.frames.size(); i++) EXPECT_EQ(m.frames[i], pkts[i]) << "frame " << i;
  EXPECT_EQ(status(e).frames, 50u);
  EXPECT_EQ(status(e).bytes, fs::file_size(file));
  EXPECT_EQ(status(e).drops_ring, 0u);
  EXPECT_EQ(status(e).drops_write, 0u);
  EXPECT_EQ(pp_rec_disagrees(file, 50), "");
  remove_flow(f);
}

// Each file is written out rec_flush_ms (10 ms here) after its buffer got its first packet,
// on its own deadline: a file dirtied 5 ms after another is written 5 ms later.
TEST_F(RecordingDp, EachFileIsWrittenOutFlushIntervalAfterItsFirstPacket) {
  auto [fa, fb, ea, eb, a, b] = start_two_recorded("due");
  constexpr uint64_t kMs = 1000000;
  const uint64_t writeouts0 = rec_ctr(RTPGATE_CTR_rec_writeouts);
  const uint64_t t0 = g->rec_clock + 1000 * kMs;
  inject(a.port, rtp_run(100, 3, 0xa));
  collect_ctl();
  recorder().poll(t0);  // a: 3 frames buffered, due at t0 + 10 ms
  inject(b.port, rtp_run(200, 2, 0xb));
  collect_ctl();
  recorder().poll(t0 + 5 * kMs);  // b: due at t0 + 15 ms
  EXPECT_EQ(status(ea).frames, 3u);
  EXPECT_EQ(status(eb).frames, 2u);
  EXPECT_EQ(fs::file_size(fa), 8u) << "written before its deadline";
  recorder().poll(t0 + 10 * kMs - 1);
  EXPECT_EQ(fs::file_size(fa), 8u);
  recorder().poll(t0 + 10 * kMs);
  EXPECT_EQ(fs::file_size(fa), status(ea).bytes) << "not written at its deadline";
  EXPECT_EQ(fs::file_size(fb), 8u) << "b written on a's deadline";
  recorder().poll(t0 + 15 * kMs);
  EXPECT_EQ(fs::file_size(fb), status(eb).bytes);
  // Clean again: the next packet starts a new interval.
  inject(a.port, rtp_run(103, 1, 0xa));
  collect_ctl();
  recorder().poll(t0 + 20 * kMs);
  EXPECT_LT(fs::file_size(fa), status(ea).bytes);
  recorder().poll(t0 + 30 * kMs);
  EXPECT_EQ(fs::file_size(fa), status(ea).bytes);
  g->rec_clock = t0 + 30 * kMs;
  poll_recorder();  // publishes
  EXPECT_EQ(rec_ctr(RTPGATE_CTR_rec_writeouts) - writeouts0, 3u);  // a, b, a again
  remove_flow(a);
  remove_flow(b);
  stop_rec(ea);
  stop_rec(eb);
  const Mjr m = read_mjr(fa);
  ASSERT_TRUE(m.ok) << m.why;
  EXPECT_EQ(m.frames.size(), 4u);
}

// A recorder with one descriptor for two recordings (as with more recordings than
// RLIMIT_NOFILE allows): both are written completely, the descriptor passing between them
// (rec_fd_parked counts each hand-over).
TEST_F(RecordingDp, MoreRecordingsThanDescriptorsAreAllWritten) {
  const uint32_t budget0 = recorder().fds().budget();
  recorder().set_fd_budget(1);
  const uint64_t parked0 = recorder().fds().parked();
  auto [fa, fb, ea, eb, a, b] = start_two_recorded("fd");
  std::vector<Bytes> pa, pb;
  for (int round = 0; round < 5; round++) {
    const auto ra = rtp_run(static_cast<uint16_t>(100 + 4 * round), 4, 0xa);
    const auto rb = rtp_run(static_cast<uint16_t>(500 + 4 * round), 4, 0xb);
    pa.insert(pa.end(), ra.begin(), ra.end());
    pb.insert(pb.end(), rb.begin(), rb.end());
    inject(a.port, ra);
    inject(b.port, rb);
    collect_ctl();
    poll_recorder();  // the copies into both buffers
    poll_recorder();  // 1 s later: both due, written out in turn through one descriptor
    EXPECT_EQ(fs::file_size(fa), status(ea).bytes) << "round " << round;
    EXPECT_EQ(fs::file_size(fb), status(eb).bytes) << "round " << round;
  }
  EXPECT_GE(recorder().fds().parked() - parked0, 9u);
  EXPECT_EQ(recorder().fds().held(), 1u);
  EXPECT_EQ(rec_ctr(RTPGATE_CTR_rec_fd_parked), recorder().fds().parked());  // published on every poll here
  remove_flow(a);
  remove_flow(b);
  stop_rec(ea);
  stop_rec(eb);
  recorder().set_fd_budget(budget0);
  for (const auto& [file, pkts] : {std::pair{fa, pa}, std::pair{fb, pb}}) {
    const Mjr m = read_mjr(file);
    ASSERT_TRUE(m.ok) << file << ": " << m.why;
    ASSERT_EQ(m.frames.size(), pkts.size()) << file;
    for (size_t i = 0; i < pkts.size(); i++) EXPECT_EQ(m.frames[i], pkts[i]) << file << " frame " << i;
    EXPECT_EQ(pp_rec_disagrees(file, pkts.size()), "") << file;
  }
}

// record_slot / record_tx_slot of RTPGATE_REC_NONE or 0 mean "not recorded": no copy, no
// buffer taken, and nothing counted against any entry.
TEST_F(RecordingDp, FlowsWithoutRecordSlotMakeNoCopy) {
  const uint32_t e = start_rec(rec_entry(RTPGATE_REC_AUDIO, "pcmu", path("none.mjr")));
  FlowSpec none;
  none.output = true;
  FlowSpec zero = none;
  zero.record_slot = 0;
  zero.record_tx_slot = 0;
  const Flow a = add_flow(none), b = add_flow(zero);
  const uint64_t copies0 = ctr(RTPGATE_CTR_rec_copies), lost0 = ctr(RTPGATE_CTR_drop_rec_copy);
  const unsigned in_use0 = rte_mempool_in_use_count(dp().rec.pool);
  inject(a.port, rtp_run(1, 20, 0x77));
  inject(b.port, rtp_run(1, 20, 0x78));
  send_from_control(a, rtp_run(100, 5, 0x79));
  send_from_control(b, rtp_run(100, 5, 0x7a));
  EXPECT_EQ(collect_ctl().size(), 40u);
  EXPECT_EQ(collect_tx().size(), 10u);
  EXPECT_EQ(ctr(RTPGATE_CTR_rec_copies) - copies0, 0u);
  EXPECT_EQ(ctr(RTPGATE_CTR_drop_rec_copy) - lost0, 0u);
  EXPECT_EQ(lc().n_rec[0], 0u);
  EXPECT_EQ(rte_ring_count(dp().rec.in[0][0]), 0u);
  EXPECT_EQ(rte_mempool_in_use_count(dp().rec.pool), in_use0);
  poll_recorder();
  EXPECT_EQ(status(e).frames, 0u);
  EXPECT_EQ(status(e).drops_ring, 0u);
  remove_flow(a);
  remove_flow(b);
  stop_rec(e);
  const Mjr m = read_mjr(path("none.mjr"));
  ASSERT_TRUE(m.ok) << m.why;
  EXPECT_TRUE(m.frames.empty());
}

// rec_build: an entry index outside the table, or a recorded RTCP flow, is refused.
TEST_F(RecordingDp, InstallRefusesBadRecordSlots) {
  const uint32_t cap = dp().region.hdr()->rec_capacity;
  for (int k = 0; k < 3; k++) {
    FlowSpec s;
    if (k == 0) s.record_slot = cap;
    if (k == 1) s.record_tx_slot = cap + 5;
    if (k == 2) {
      s.kind = RTPGATE_KIND_RTCP;
      s.record_slot = 1;
    }
    Errc e = Errc::Ok;
    add_flow(s, &e);
    EXPECT_EQ(e, Errc::BadParam) << "case " << k;
  }
}

// Full ring (nobody polls the recorder): copies beyond the ring's capacity are lost and
// counted per lcore and on the flow (rec_lost_rx / rec_lost_tx); every packet is still
// handed to control or sent, and no copy buffer leaks.
TEST_F(RecordingDp, FullRecorderRingDropsCopiesNotPackets) {
  const fs::path file = path("full.mjr");
  const uint32_t e = start_rec(rec_entry(RTPGATE_REC_AUDIO, "pcmu", file));
  FlowSpec s;
  s.output = true;
  s.record_slot = e;
  s.record_tx_slot = e;
  const Flow f = add_flow(s);
  constexpr uint32_t kN = 200;
  const uint32_t cap = rte_ring_get_capacity(dp().rec.in[0][0]);
  ASSERT_LT(cap, kN);
  const uint64_t copies0 = ctr(RTPGATE_CTR_rec_copies), lost0 = ctr(RTPGATE_CTR_drop_rec_copy);
  const std::vector<Bytes> pkts = rtp_run(1, kN, 0x4242);
  inject(f.port, pkts);
  const auto got = collect_ctl();
  ASSERT_EQ(got.size(), kN) << "a full recorder ring must not cost forwarded packets";
  for (size_t i = 0; i < kN; i++) EXPECT_EQ(got[i].data, pkts[i]) << i;
  EXPECT_EQ(ctr(RTPGATE_CTR_rec_copies) - copies0, cap);
  EXPECT_EQ(ctr(RTPGATE_CTR_drop_rec_copy) - lost0, kN - cap);
  EXPECT_EQ(dp().table.dyn(f.id).c.rec_lost_rx, kN - cap);
  EXPECT_EQ(dp().table.dyn(f.id).c.rec_lost_tx, 0u);
  // Control's packets on the same flow: the ring is still full, they are sent all the same.
  send_from_control(f, rtp_run(900, 10, 0x5353));
  EXPECT_EQ(collect_tx().size(), 10u);
  EXPECT_EQ(dp().table.dyn(f.id).c.rec_lost_tx, 10u);
  EXPECT_EQ(ctr(RTPGATE_CTR_drop_rec_copy) - lost0, kN - cap + 10);
  EXPECT_EQ(status(e).drops_ring, 0u) << "rec_entry.h: unused, lost copies are counted on the flow";
  EXPECT_EQ(rte_mempool_in_use_count(dp().rec.pool), cap);  // the dropped copies went back
  while (poll_recorder() != 0) {
  }
  EXPECT_EQ(rte_mempool_in_use_count(dp().rec.pool), 0u);
  EXPECT_EQ(status(e).frames, cap);
  remove_flow(f);
  stop_rec(e);
  EXPECT_EQ(state(e), uint32_t{RTPGATE_REC_ST_CLOSED});
  const Mjr m = read_mjr(file);
  ASSERT_TRUE(m.ok) << m.why;
  ASSERT_EQ(m.frames.size(), cap);
  for (uint32_t i = 0; i < cap; i++) EXPECT_EQ(m.frames[i], pkts[i]) << "frame " << i;  // the oldest survive
  EXPECT_EQ(pp_rec_disagrees(file, cap), "");
}

// The tx side: RTP control sends on a flow with record_tx_slot is recorded as control wrote
// it; RTCP from control is not.
TEST_F(RecordingDp, ControlsRtpOnAFlowWithRecordTxSlotIsRecorded) {
  const fs::path file = path("tx.mjr");
  const uint32_t e = start_rec(rec_entry(RTPGATE_REC_AUDIO, "pcmu", file));
  FlowSpec s;
  s.output = true;
  s.dst_port = 30010;
  s.record_tx_slot = e;
  const Flow f = add_flow(s);
  const std::vector<Bytes> pkts = rtp_run(500, 30, 0xc0ffee);
  send_from_control(f, pkts);
  send_from_control(f, {make_rtcp_sr(0xc0ffee)}, true);
  inject(f.port, rtp_run(1, 5, 0x99));  // what the flow receives is not for the tx entry
  EXPECT_EQ(collect_ctl().size(), 5u);
  const auto tx = collect_tx();
  ASSERT_EQ(tx.size(), pkts.size() + 1);
  for (size_t i = 0; i < pkts.size(); i++) {
    EXPECT_EQ(tx[i].payload, pkts[i]) << i;
    EXPECT_EQ(tx[i].dst_port, 30010);
  }
  poll_recorder();
  remove_flow(f);
  stop_rec(e);
  const Mjr m = read_mjr(file);
  ASSERT_TRUE(m.ok) << m.why;
  ASSERT_EQ(m.frames.size(), pkts.size());
  for (size_t i = 0; i < pkts.size(); i++) EXPECT_EQ(m.frames[i], pkts[i]) << "frame " << i;
  EXPECT_EQ(pp_rec_disagrees(file, pkts.size()), "");
}

// REC_START checks the entry before the recorder sees it.
TEST_F(RecordingDp, StartRefusesBadEntries) {
  const uint32_t cap = dp().region.hdr()->rec_capacity;
  EXPECT_EQ(raw_cmd(RTPGATE_CMD_REC_START, 0, 0), Errc::BadParam);
  EXPECT_EQ(raw_cmd(RTPGATE_CMD_REC_START, cap, 1), Errc::BadParam);
  EXPECT_EQ(raw_cmd(RTPGATE_CMD_REC_STOP, cap, 1), Errc::BadParam);
  const uint32_t idx = g->cc->alloc_rec().value();
  const uint32_t v = g->cc->write_rec(idx, rec_entry(RTPGATE_REC_AUDIO, "pcmu", path("bad.mjr")));
  EXPECT_EQ(raw_cmd(RTPGATE_CMD_REC_START, idx, v + 1), Errc::StaleVersion);
  auto refused = [&](rtpgate_shm_rec_entry en, const char* what) {
    g->cc->write_rec(idx, en);
    EXPECT_EQ(finish(g->cc->submit_rec(RTPGATE_CMD_REC_START, idx)), Errc::BadParam) << what;
  };
  refused(rec_entry('x', "pcmu", path("bad.mjr")), "medium");
  refused(rec_entry(RTPGATE_REC_AUDIO, "", path("bad.mjr")), "empty codec");
  refused(rec_entry(RTPGATE_REC_AUDIO, "pcmu", "relative/bad.mjr"), "relative path");
  rtpgate_shm_rec_entry en = rec_entry(RTPGATE_REC_AUDIO, "pcmu", path("bad.mjr"));
  std::memset(en.codec, 'a', sizeof en.codec);
  refused(en, "codec without NUL");
  en = rec_entry(RTPGATE_REC_AUDIO, "pcmu", path("bad.mjr"));
  std::memset(en.path, '/', sizeof en.path);
  refused(en, "path without NUL");
  en = rec_entry(RTPGATE_REC_AUDIO, "pcmu", path("bad.mjr"));
  std::memset(en.fmtp, 'f', sizeof en.fmtp);
  refused(en, "fmtp without NUL");
  poll_recorder();
  EXPECT_FALSE(fs::exists(path("bad.mjr")));
  g->cc->free_rec(idx);
}

// A codec the .mjr format does not know passes REC_START but the recorder cannot create the
// file: FAILED with EINVAL, counted, and copies for it are dropped by the recorder.
TEST_F(RecordingDp, UnknownCodecFailsInTheRecorder) {
  const uint64_t failed0 = rec_ctr(RTPGATE_CTR_rec_open_failed);
  const uint32_t e = start_rec(rec_entry(RTPGATE_REC_AUDIO, "g729", path("g729.mjr")));
  EXPECT_EQ(state(e), uint32_t{RTPGATE_REC_ST_FAILED});
  EXPECT_EQ(status(e).err, EINVAL);
  EXPECT_EQ(rec_ctr(RTPGATE_CTR_rec_open_failed) - failed0, 1u);
  FlowSpec s;
  s.record_slot = e;
  const Flow f = add_flow(s);
  const uint64_t wdrop0 = rec_ctr(RTPGATE_CTR_drop_rec_write);
  inject(f.port, rtp_run(1, 10, 0x11));
  EXPECT_EQ(collect_ctl().size(), 10u);
  poll_recorder();
  EXPECT_EQ(rec_ctr(RTPGATE_CTR_drop_rec_write) - wdrop0, 10u);
  EXPECT_EQ(rte_mempool_in_use_count(dp().rec.pool), 0u);
  remove_flow(f);
  stop_rec(e);
  EXPECT_EQ(state(e), uint32_t{RTPGATE_REC_ST_FAILED});
  EXPECT_FALSE(fs::exists(path("g729.mjr")));
}

// RTPGATE_CMD_PLI: queued by the command lcore, sent by inject_pli (what run_pli_requests in
// worker_loop.cc does) on the RTP flow's RTCP flow toward its destination: a 12-byte PSFB
// with sender = the SSRC control last sent, media = the SSRC last received; rate-limited.
TEST_F(RecordingDp, PliCommandSendsPsfbTowardTheRtcpFlow) {
  FlowSpec rs;
  rs.kind = RTPGATE_KIND_RTCP;
  rs.output = true;
  rs.dst_port = 30001;
  const Flow r = add_flow(rs);
  FlowSpec vs;
  vs.output = true;
  vs.dst_port = 30000;
  vs.rtcp_flow_id = r.id;
  const Flow v = add_flow(vs);
  inject(v.port, {make_rtp(7, 0x51505150, 160, 96)});
  send_from_control(v, {make_rtp(9, 0x7e7e7e7e, 160, 96)});
  ASSERT_EQ(collect_ctl().size(), 1u);
  ASSERT_EQ(collect_tx().size(), 1u);

  rtpgate_cmd_pli req{};
  ASSERT_EQ(finish(g->cc->submit_pli(v.id, req)), Errc::Ok);
  PliRequest taken[4];
  ASSERT_EQ(g->rt.commands().take_pli(taken, 4), 1u);
  EXPECT_EQ(taken[0].flow_id, v.id);
  EXPECT_EQ(taken[0].sender_ssrc, 0u);
  EXPECT_FALSE(taken[0].force);
  EXPECT_EQ(g->rt.commands().take_pli(taken, 4), 0u);

  const FlowAction& a = dp().table.actions()[dp().table.action_of(v.id)];
  FlowDyn& d = dp().table.dyn(v.id);
  auto send = [&](uint32_t sender, bool force, uint64_t now) {
    SrtpOutBurst ob;
    const bool sent = inject_pli(dp(), lc(), a, d, sender, force, now, &ob);
    flush_srtp_out(dp(), lc(), ob);
    flush_all(lc(), dp());
    return sent;
  };
  Bytes want(kPliLen);
  const uint64_t sent0 = ctr(RTPGATE_CTR_pli_sent), limited0 = ctr(RTPGATE_CTR_pli_rate_limited);
  const uint64_t t0 = rte_rdtsc();
  ASSERT_TRUE(send(taken[0].sender_ssrc, taken[0].force, t0));
  auto tx = collect_tx();
  ASSERT_EQ(tx.size(), 1u);
  build_pli(want.data(), 0x7e7e7e7e, 0x51505150);
  EXPECT_EQ(tx[0].payload, want);
  EXPECT_EQ(std::memcmp(tx[0].dst, kPeer, 4), 0);
  EXPECT_EQ(tx[0].dst_port, 30001) << "the PLI goes to the RTCP flow's destination";
  EXPECT_EQ(tx[0].src_port, r.port);
  EXPECT_EQ(ctr(RTPGATE_CTR_pli_sent) - sent0, 1u);

  // Within pli_min_interval_ms: refused and counted; force goes through.
  EXPECT_FALSE(send(0, false, t0 + 1));
  EXPECT_TRUE(collect_tx().empty());
  EXPECT_EQ(ctr(RTPGATE_CTR_pli_rate_limited) - limited0, 1u);
  ASSERT_TRUE(send(0, true, t0 + 2));
  EXPECT_EQ(collect_tx().size(), 1u);
  // After the interval (counted from the forced one), with an explicit sender SSRC.
  EXPECT_FALSE(send(0, false, t0 + 2 + dp().live.pli_min_tsc.load() - 1));
  ASSERT_TRUE(send(0xabcdef01, false, t0 + 2 + dp().live.pli_min_tsc.load()));
  tx = collect_tx();
  ASSERT_EQ(tx.size(), 1u);
  build_pli(want.data(), 0xabcdef01, 0x51505150);
  EXPECT_EQ(tx[0].payload, want);
  EXPECT_EQ(ctr(RTPGATE_CTR_pli_sent) - sent0, 3u);
  EXPECT_EQ(ctr(RTPGATE_CTR_pli_rate_limited) - limited0, 2u);

  // Refusals by the command lcore: an RTCP flow, a flow that is not installed.
  EXPECT_EQ(finish(g->cc->submit_pli(r.id, req)), Errc::BadParam);
  const uint32_t unused = g->cc->alloc_flow().value();
  EXPECT_EQ(finish(g->cc->submit_pli(unused, req)), Errc::NoSuchFlow);
  g->cc->free_flow(unused);
  EXPECT_EQ(g->rt.commands().take_pli(taken, 4), 0u);
  remove_flow(v);
  remove_flow(r);
}

// Without an RTCP flow the PLI leaves on the RTP flow itself (rtcp-mux); an RTCP flow with
// no output cannot carry it (drop_pli).
TEST_F(RecordingDp, PliWithoutRtcpFlowUsesTheRtpFlowAndNeedsAnOutput) {
  FlowSpec ws;
  ws.output = true;
  ws.dst_port = 30020;
  const Flow w = add_flow(ws);
  inject(w.port, {make_rtp(1, 0x0a0b0c0d)});
  collect_ctl();
  SrtpOutBurst ob;
  ASSERT_TRUE(inject_pli(dp(), lc(), dp().table.actions()[dp().table.action_of(w.id)], dp().table.dyn(w.id), 0x01010101,
                         false, rte_rdtsc(), &ob));
  flush_all(lc(), dp());
  auto tx = collect_tx();
  ASSERT_EQ(tx.size(), 1u);
  Bytes want(kPliLen);
  build_pli(want.data(), 0x01010101, 0x0a0b0c0d);
  EXPECT_EQ(tx[0].payload, want);
  EXPECT_EQ(tx[0].dst_port, 30020);

  FlowSpec rs;  // TO_CTL RTCP flow without out_dst
  rs.kind = RTPGATE_KIND_RTCP;
  const Flow r = add_flow(rs);
  FlowSpec vs;
  vs.rtcp_flow_id = r.id;
  const Flow v = add_flow(vs);
  const uint64_t drop0 = ctr(RTPGATE_CTR_drop_pli);
  EXPECT_FALSE(inject_pli(dp(), lc(), dp().table.actions()[dp().table.action_of(v.id)], dp().table.dyn(v.id), 0, false,
                          rte_rdtsc(), &ob));
  EXPECT_EQ(ctr(RTPGATE_CTR_drop_pli) - drop0, 1u);
  flush_all(lc(), dp());
  EXPECT_TRUE(collect_tx().empty());
  remove_flow(v);
  remove_flow(r);
  remove_flow(w);
}

// A recorded video flow whose entry asks for keyframes (RTPGATE_REC_F_PLI) sends a PLI with
// its first packet and at an SSRC change (rate-limited); without the flag it never does.
TEST_F(RecordingDp, RecordedVideoAsksForAKeyframeAtStartAndSourceChange) {
  FlowSpec rs;
  rs.kind = RTPGATE_KIND_RTCP;
  rs.output = true;
  rs.dst_port = 30031;
  const Flow r = add_flow(rs);
  const uint32_t e = start_rec(rec_entry(RTPGATE_REC_VIDEO, "vp8", path("video.mjr"), RTPGATE_REC_F_PLI));
  const uint32_t quiet = start_rec(rec_entry(RTPGATE_REC_VIDEO, "vp8", path("video_noflag.mjr")));
  FlowSpec vs;
  vs.rtcp_flow_id = r.id;
  vs.record_slot = e;
  const Flow v = add_flow(vs);
  vs.record_slot = quiet;
  const Flow q = add_flow(vs);
  const uint64_t sent0 = ctr(RTPGATE_CTR_pli_sent), limited0 = ctr(RTPGATE_CTR_pli_rate_limited);

  inject(v.port, {make_rtp(1, 0xa1a1a1a1, 600, 96)});
  auto tx = collect_tx();
  ASSERT_EQ(tx.size(), 1u) << "no PLI at the recording's first packet";
  Bytes want(kPliLen);
  build_pli(want.data(), 0, 0xa1a1a1a1);
  EXPECT_EQ(tx[0].payload, want);
  EXPECT_EQ(tx[0].dst_port, 30031);
  std::vector<Bytes> more;
  for (uint16_t i = 2; i < 8; i++) more.push_back(make_rtp(i, 0xa1a1a1a1, 600, 96));
  inject(v.port, more);
  EXPECT_TRUE(collect_tx().empty()) << "same source: no further PLI";
  inject(v.port, {make_rtp(100, 0xb2b2b2b2, 600, 96)});  // new source right away: limited
  EXPECT_TRUE(collect_tx().empty());
  EXPECT_EQ(ctr(RTPGATE_CTR_pli_sent) - sent0, 1u);
  EXPECT_EQ(ctr(RTPGATE_CTR_pli_rate_limited) - limited0, 1u);

  inject(q.port, rtp_run(1, 3, 0xc3c3c3c3));
  EXPECT_TRUE(collect_tx().empty()) << "PLI without RTPGATE_REC_F_PLI";
  EXPECT_EQ(collect_ctl().size(), 11u);
  poll_recorder();
  remove_flow(v);
  remove_flow(q);
  remove_flow(r);
  stop_rec(e);
  stop_rec(quiet);
  const Mjr m = read_mjr(path("video.mjr"));
  ASSERT_TRUE(m.ok) << m.why;
  EXPECT_EQ(json_str(m.json, "t"), "v");
  EXPECT_EQ(json_str(m.json, "c"), "vp8");
  ASSERT_EQ(m.frames.size(), 8u);
  for (const Bytes& fr : m.frames) EXPECT_EQ(be32(&fr[8]), 0xa1a1a1a1u) << "one SSRC per file";
  EXPECT_EQ(be16(&m.frames[7][2]), 8u) << "the new source continues the numbering";
  EXPECT_EQ(status(e).ssrc_changes, 1u);
}

// SRTP legs are recorded in clear: control's RTP on a flow that protects (record_tx_slot),
// and the same packets turned around to a flow of this data plane that unprotects them
// (record_slot, after unprotect). Last in the suite: once SRTP is in use process_burst takes
// the SRTP path for every packet.
// An AES_CM_128_HMAC_SHA1_80 context (SRTP_SET), one fixed key: a protecting and an
// unprotecting context made here talk to each other.
uint32_t set_ctx(bool protect) {
  const uint32_t idx = g->cc->alloc_srtp().value();
  rtpgate_shm_srtp_entry s{};
  s.profile = RTPGATE_SRTP_AES_CM_128_HMAC_SHA1_80;
  s.direction = protect ? RTPGATE_SRTP_DIR_PROTECT : RTPGATE_SRTP_DIR_UNPROTECT;
  s.key_len = 16;
  s.salt_len = 14;
  for (int i = 0; i < 16; i++) s.key[i] = uint8_t(0x10 + i);
  for (int i = 0; i < 14; i++) s.salt[i] = uint8_t(0x80 + i);
  g->cc->write_srtp(idx, s);
  EXPECT_EQ(finish(g->cc->submit_srtp(RTPGATE_CMD_SRTP_SET, idx)), Errc::Ok);
  return idx;
}

void del_ctx(uint32_t idx) {
  EXPECT_EQ(finish(g->cc->submit_srtp(RTPGATE_CMD_SRTP_DEL, idx)), Errc::Ok);
  g->cc->free_srtp(idx);
}

TEST_F(RecordingDp, SrtpLegsAreRecordedPlain) {
  const uint32_t out = set_ctx(true), in = set_ctx(false);
  const fs::path tx_file = path("srtp_tx.mjr"), rx_file = path("srtp_rx.mjr");
  const uint32_t e_tx = start_rec(rec_entry(RTPGATE_REC_AUDIO, "pcmu", tx_file));
  const uint32_t e_rx = start_rec(rec_entry(RTPGATE_REC_AUDIO, "pcmu", rx_file));
  const std::vector<Bytes> pkts = rtp_run(40000, 20, 0x5a5a5a5a);

  // 1. Toward the peer: protected on the wire, plain in the file.
  FlowSpec ps;
  ps.output = true;
  ps.dst_port = 30040;
  ps.srtp_out = out;
  ps.record_tx_slot = e_tx;
  const Flow p = add_flow(ps);
  send_from_control(p, pkts);
  const auto tx = collect_tx();
  ASSERT_EQ(tx.size(), pkts.size());
  for (size_t i = 0; i < tx.size(); i++) {
    EXPECT_EQ(tx[i].payload.size(), pkts[i].size() + 10) << "SRTP_80 tag";
    EXPECT_NE(Bytes(tx[i].payload.begin() + 12, tx[i].payload.begin() + 40), Bytes(pkts[i].begin() + 12, pkts[i].begin() + 40));
  }

  // 2. Hairpin: A protects toward B on our own address; B unprotects, records and hands over.
  FlowSpec bs;
  bs.srtp_in = in;
  bs.record_slot = e_rx;
  const Flow b = add_flow(bs);
  FlowSpec as;
  as.output = true;
  as.dst = kLocal;
  as.dst_port = b.port;
  as.srtp_out = out;
  const Flow a = add_flow(as);
  process_hairpin(dp(), lc(), rte_rdtsc());  // arms the check, as the worker loop does
  send_from_control(a, pkts);
  EXPECT_EQ(process_hairpin(dp(), lc(), rte_rdtsc()), pkts.size());
  flush_all(lc(), dp());
  EXPECT_TRUE(collect_tx().empty());
  const auto ctl = collect_ctl();
  ASSERT_EQ(ctl.size(), pkts.size());
  for (size_t i = 0; i < ctl.size(); i++) EXPECT_EQ(ctl[i].data, pkts[i]) << i;

  poll_recorder();
  remove_flow(a);
  remove_flow(b);
  remove_flow(p);
  stop_rec(e_tx);
  stop_rec(e_rx);
  for (const fs::path& file : {tx_file, rx_file}) {
    const Mjr m = read_mjr(file);
    ASSERT_TRUE(m.ok) << file << ": " << m.why;
    ASSERT_EQ(m.frames.size(), pkts.size()) << file;
    for (size_t i = 0; i < pkts.size(); i++) EXPECT_EQ(m.frames[i], pkts[i]) << file << " frame " << i;
    EXPECT_EQ(pp_rec_disagrees(file, pkts.size()), "");
  }
  for (uint32_t idx : {out, in}) del_ctx(idx);
}

// A PLI on an SRTP leg leaves as SRTCP: the RTCP flow protects it (12-byte PLI + E|index +
// 80-bit tag = 26 bytes on the wire); sent to a flow of this data plane that unprotects
// SRTCP, it comes out as exactly the plain PLI.
TEST_F(RecordingDp, PliOnAnSrtpLegLeavesAsSrtcp) {
  const uint32_t out = set_ctx(true), in = set_ctx(false);
  FlowSpec bs;  // the receiving end: unprotects SRTCP, hands it to control
  bs.kind = RTPGATE_KIND_RTCP;
  bs.srtp_in = in;
  const Flow b = add_flow(bs);
  FlowSpec rs;  // the video stream's RTCP flow: protects what it sends, toward b
  rs.kind = RTPGATE_KIND_RTCP;
  rs.output = true;
  rs.dst = kLocal;
  rs.dst_port = b.port;
  rs.srtp_out = out;
  const Flow r = add_flow(rs);
  FlowSpec vs;
  vs.output = true;
  vs.dst_port = 30050;
  vs.rtcp_flow_id = r.id;
  const Flow v = add_flow(vs);
  inject(v.port, {make_rtp(7, 0x51505150, 160, 96)});  // the peer's SSRC (media source of the PLI)
  ASSERT_EQ(collect_ctl().size(), 1u);

  const uint64_t prot0 = ctr(RTPGATE_CTR_srtp_protected), unprot0 = ctr(RTPGATE_CTR_srtp_unprotected);
  process_hairpin(dp(), lc(), rte_rdtsc());  // arms the check, as the worker loop does
  SrtpOutBurst ob;
  ASSERT_TRUE(inject_pli(dp(), lc(), *dp().table.action(v.id), dp().table.dyn(v.id), 0x7e7e7e7e, true, rte_rdtsc(),
                         &ob));
  flush_srtp_out(dp(), lc(), ob);
  flush_all(lc(), dp());
  ASSERT_EQ(lc().n_hairpin, 1u);
  ParsedPkt pp{};
  ASSERT_EQ(parse_frame(rte_pktmbuf_mtod(lc().hairpin[0], const uint8_t*), lc().hairpin[0]->data_len, &pp),
            ParseStatus::Ok);
  EXPECT_EQ(pp.payload_len, kPliLen + 4 + 10) << "SRTCP: E|index and the 80-bit tag";
  EXPECT_EQ(ctr(RTPGATE_CTR_srtp_protected) - prot0, 1u);
  EXPECT_EQ(process_hairpin(dp(), lc(), rte_rdtsc()), 1u);
  flush_all(lc(), dp());
  EXPECT_EQ(ctr(RTPGATE_CTR_srtp_unprotected) - unprot0, 1u);
  const auto ctl = collect_ctl();
  ASSERT_EQ(ctl.size(), 1u);
  Bytes want(kPliLen);
  build_pli(want.data(), 0x7e7e7e7e, 0x51505150);
  EXPECT_EQ(ctl[0].flow_id, b.id);
  EXPECT_EQ(ctl[0].data, want);
  EXPECT_TRUE(collect_tx().empty());
  remove_flow(v);
  remove_flow(r);
  remove_flow(b);
  for (uint32_t idx : {out, in}) del_ctx(idx);
}

// create_rec_rings on its own (no Runtime alive: the names are free): recording disabled
// creates nothing; the smallest rec_mbufs the configuration accepts must give a pool.
class RecordingRings : public ::testing::Test {
 protected:
  void SetUp() override {
    if (rte_lcore_count() == 0) GTEST_SKIP() << "no EAL";
  }
};

TEST_F(RecordingRings, DisabledRecordingCreatesNothing) {
  auto d = std::make_unique<DpContext>();
  d->cfg.rec_capacity = 0;
  std::string why;
  ASSERT_TRUE(create_rec_rings(*d, 2, &why)) << why;
  EXPECT_EQ(d->rec.n_threads, 0u);
  EXPECT_EQ(d->rec.pool, nullptr);
  EXPECT_EQ(d->rec.req[0], nullptr);
  EXPECT_EQ(d->rec.in[0][0], nullptr);
  free_rec_rings(*d, 2);
}

TEST_F(RecordingRings, OneRingPerWorkerAndThread) {
  auto d = std::make_unique<DpContext>();
  d->cfg.rec_capacity = 8;
  d->cfg.rec_threads = 3;
  d->cfg.rec_ring = 128;
  d->cfg.rec_mbufs = 1023;
  std::string why;
  ASSERT_TRUE(create_rec_rings(*d, 2, &why)) << why;
  EXPECT_EQ(d->rec.n_threads, 3u);
  for (uint32_t t = 0; t < 3; t++) {
    EXPECT_NE(d->rec.req[t], nullptr);
    for (uint32_t w = 0; w < 2; w++) EXPECT_NE(d->rec.in[w][t], nullptr);
    EXPECT_EQ(d->rec.in[2][t], nullptr);
  }
  EXPECT_EQ(d->rec.thread_of(7), 1u);  // entry 7 -> thread 7 % 3
  free_rec_rings(*d, 2);
  EXPECT_EQ(d->rec.pool, nullptr);
  EXPECT_EQ(d->rec.n_threads, 0u);
}

// config.cc accepts rec_mbufs down to 255, but the pool is created with a per-lcore cache of
// 256 and DPDK refuses a cache larger than n / 1.5. DISABLED until fixed (see the report).
TEST_F(RecordingRings, SmallestAcceptedRecMbufsCreatesThePool) {
  auto d = std::make_unique<DpContext>();
  d->cfg.rec_capacity = 8;
  d->cfg.rec_threads = 1;
  d->cfg.rec_ring = 64;
  d->cfg.rec_mbufs = 255;
  std::string why;
  EXPECT_TRUE(create_rec_rings(*d, 1, &why)) << why;
  free_rec_rings(*d, 1);
}

}  // namespace
}  // namespace rtpgate::dp
