// SRTP through the worker's batch path (process_burst / drain_ctl_rings) against libsrtp2:
// contexts programmed through the region and the command ring exactly as control does it,
// packets as frames on a net_ring port (what the worker transmits comes back on its RX),
// every profile, RTP and RTCP, ROC rollover, reordering, replay, tampering, unknown
// contexts, rekeying one direction and the receive-side re-synchronisation rule.
// Needs EAL (--no-huge): one Runtime for the whole binary.
#include <gtest/gtest.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <srtp2/srtp.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "../dataplane/dp_test_env.h"
#include "lcore/ctl_tx.h"
#include "libsrtp_policy.h"
#include "net/checksum.h"
#include "rtpgate/shm/control_client.h"
#include "runtime.h"

namespace rtpgate::dp {
namespace {

using test::Bytes;
using srtp::SrtpProfile;

constexpr uint8_t kLocal[4] = {10, 99, 0, 1};
constexpr uint8_t kPeer[4] = {10, 99, 0, 2};

using Env = test::DpEnv;
Env* g = nullptr;

LcoreCtx& lc() { return g->rt.lcore(0); }
DpContext& dp() { return g->rt.dp(); }
uint64_t ctr(int id) { return lc().ctr[id]; }

using test::addr4;
Errc finish(Result<uint64_t> seq) { return test::finish(*g, seq); }

// A master key + salt per test context (46 bytes: up to 32 key + 14 salt).
struct Key {
  SrtpProfile profile;
  uint8_t km[46];
};

Key make_key(SrtpProfile p, uint32_t seed) {
  Key k{p, {}};
  std::mt19937 rng(seed);
  for (auto& b : k.km) b = uint8_t(rng());
  return k;
}

// Programs an SRTP entry and SRTP_SET; returns its index (0 on failure).
uint32_t set_ctx(const Key& k, bool protect) {
  auto idx = g->cc->alloc_srtp();
  if (!idx) return 0;
  const auto& info = srtp::srtp_profile_info(k.profile);
  rtpgate_shm_srtp_entry e{};
  e.profile = static_cast<uint8_t>(k.profile);
  e.direction = protect ? RTPGATE_SRTP_DIR_PROTECT : RTPGATE_SRTP_DIR_UNPROTECT;
  e.key_len = info.master_key_len;
  e.salt_len = info.master_salt_len;
  std::memcpy(e.key, k.km, e.key_len);
  std::memcpy(e.salt, k.km + e.key_len, e.salt_len);
  g->cc->write_srtp(idx.value(), e);
  if (finish(g->cc->submit_srtp(RTPGATE_CMD_SRTP_SET, idx.value())) != Errc::Ok) return 0;
  return idx.value();
}

Errc del_ctx(uint32_t idx) {
  const Errc e = finish(g->cc->submit_srtp(RTPGATE_CMD_SRTP_DEL, idx));
  if (e == Errc::Ok) g->cc->free_srtp(idx);
  return e;
}

struct FlowSpec {
  bool rtcp = false;
  uint8_t action = RTPGATE_ACT_TO_CTL;
  uint32_t srtp_in = RTPGATE_SRTP_NONE;
  uint32_t srtp_out = 0;
  bool rewrite = false;
  uint32_t rtcp_mux = UINT32_MAX;  // RTCP flow for RFC 5761 demux on this RTP flow
  const uint8_t* dst = kPeer;      // out_dst (kLocal: another leg of this data plane)
  uint16_t dst_port = 30000;
};

struct Flow {
  uint32_t id;
  uint16_t port;
  rtpgate_shm_flow_params p;
};

Flow add_flow(const FlowSpec& s) {
  Flow f{};
  f.id = g->cc->alloc_flow().value();
  f.port = g->next_port++;
  EXPECT_TRUE(g->cc->claim_port(0, f.port));
  rtpgate_shm_flow_params& p = f.p;
  p.kind = s.rtcp ? RTPGATE_KIND_RTCP : RTPGATE_KIND_RTP;
  p.action = s.action;
  p.local = addr4(kLocal);
  p.local_port = f.port;
  p.out_src = addr4(kLocal);
  p.out_src_port = f.port;
  p.out_dst = addr4(s.dst);
  p.out_dst_port = s.dst_port;
  p.rtcp_flow_id = p.reverse_flow_id = UINT32_MAX;
  p.record_slot = UINT32_MAX;
  p.srtp_slot = s.srtp_in;
  p.srtp_out_slot = s.srtp_out;
  p.flags = s.rewrite ? RTPGATE_FLOW_F_REWRITE : 0;
  if (s.rtcp_mux != UINT32_MAX) {
    p.rtcp_flow_id = s.rtcp_mux;
    p.flags |= RTPGATE_FLOW_F_RTCP_MUX;
  }
  g->cc->write_params(f.id, p);
  EXPECT_EQ(finish(g->cc->submit(RTPGATE_CMD_FLOW_INSTALL, f.id)), Errc::Ok);
  return f;
}

Errc modify_flow(Flow& f) { return test::modify_flow(*g, f.id, f.p); }
void remove_flow(const Flow& f) { test::remove_flow(*g, f.id, f.port); }
using test::make_rtp;

Bytes make_rtcp(uint32_t n, uint32_t ssrc) {
  Bytes b(52);
  b[0] = 0x81;
  b[1] = 200;
  b[3] = 12;
  for (int i = 0; i < 4; i++) b[4 + i] = uint8_t(ssrc >> (24 - 8 * i));
  for (uint32_t i = 8; i < 52; i++) b[i] = uint8_t(n * 13 + i);
  return b;
}

// An independent libsrtp2 session (the peer).
class LibSession {
 public:
  LibSession(const Key& k, bool sender) {
    srtp_policy_t pol;
    std::memset(&pol, 0, sizeof(pol));
    srtp::test::set_lib_policy(k.profile, pol);
    pol.ssrc.type = sender ? ssrc_any_outbound : ssrc_any_inbound;
    pol.key = const_cast<uint8_t*>(k.km);
    pol.window_size = 128;
    pol.allow_repeat_tx = 1;
    ok_ = srtp_create(&s_, &pol) == srtp_err_status_ok;
  }
  ~LibSession() {
    if (ok_) srtp_dealloc(s_);
  }
  bool ok() const { return ok_; }
  Bytes protect(const Bytes& in, bool rtcp) {
    Bytes b(in);
    b.resize(in.size() + 64);
    int len = static_cast<int>(in.size());
    const auto st = rtcp ? srtp_protect_rtcp(s_, b.data(), &len) : srtp_protect(s_, b.data(), &len);
    EXPECT_EQ(st, srtp_err_status_ok);
    b.resize(static_cast<size_t>(len));
    return b;
  }
  // Empty on failure.
  Bytes unprotect(const Bytes& in, bool rtcp) {
    Bytes b(in);
    int len = static_cast<int>(in.size());
    const auto st = rtcp ? srtp_unprotect_rtcp(s_, b.data(), &len) : srtp_unprotect(s_, b.data(), &len);
    if (st != srtp_err_status_ok) return {};
    b.resize(static_cast<size_t>(len));
    return b;
  }

 private:
  srtp_t s_{};
  bool ok_ = false;
};

void inject(uint16_t port, const std::vector<Bytes>& payloads) { test::inject(*g, port, payloads); }

// UDP payloads the worker transmitted (net_ring loops them back), checksums verified.
std::vector<Bytes> collect_tx() {
  std::vector<Bytes> out;
  test::for_each_tx_ipv4(*g, [&](const uint8_t* p, const ParsedPkt& pp) {
    const uint8_t* ip = p + pp.l3_off;
    const uint8_t* udp = p + pp.l4_off;
    EXPECT_EQ(uint16_t(ip[10] << 8 | ip[11]), ipv4_header_csum(ip, 20));
    EXPECT_EQ(uint32_t(ip[2] << 8 | ip[3]), 20u + 8u + pp.payload_len);
    Bytes u(udp, udp + 8 + pp.payload_len);
    u[6] = u[7] = 0;
    uint16_t c = udp_full_csum(4, ip + 12, ip + 16, u.data(), static_cast<uint32_t>(u.size()));
    if (c == 0) c = 0xffff;
    const uint16_t got = uint16_t(udp[6] << 8 | udp[7]);
    if (kSrtpIpv4UdpChecksum || got != 0) {  // 0: none (RFC 768), what the SRTP stage sends
      EXPECT_EQ(got, c) << "UDP checksum";
    }
    out.emplace_back(p + pp.payload_off, p + pp.payload_off + pp.payload_len);
  });
  return out;
}

// Payloads handed to control's packet ring 0.
std::vector<Bytes> collect_ctl() {
  std::vector<Bytes> out;
  auto ring = dp().region.pkt_ring_to_ctl(0);
  rtpgate_shm_pkt_slot s;
  while (ring.pop(s)) out.emplace_back(s.data, s.data + s.len);
  return out;
}

void send_from_control(const Flow& f, const std::vector<Bytes>& payloads, bool rtcp) {
  test::send_from_control(*g, f.id, payloads, rtcp);
}

class SrtpStage : public ::testing::TestWithParam<SrtpProfile> {
 protected:
  void SetUp() override {
    if (g == nullptr) GTEST_SKIP() << "no EAL";
    collect_tx();
    collect_ctl();
  }
  Key key(uint32_t salt) { return make_key(GetParam(), salt * 8 + static_cast<uint32_t>(GetParam())); }
};

// Peer (libsrtp2) -> unprotect in the worker -> control ring, across the ROC rollover, with
// reordering and replays; RTP and RTCP.
TEST_P(SrtpStage, UnprotectToControlAcrossRolloverReorderedAndReplayed) {
  for (bool rtcp : {false, true}) {
    const Key k = key(1 + rtcp);
    LibSession peer(k, true);
    ASSERT_TRUE(peer.ok());
    const uint32_t ctx = set_ctx(k, false);
    ASSERT_NE(ctx, 0u);
    FlowSpec fs;
    fs.rtcp = rtcp;
    fs.srtp_in = ctx;
    const Flow f = add_flow(fs);
    std::vector<Bytes> plain, wire;
    for (uint32_t i = 0; i < 96; i++) {
      plain.push_back(rtcp ? make_rtcp(i, 0x1234) : make_rtp(static_cast<uint16_t>(65500 + i), 0x1234));
      wire.push_back(peer.protect(plain.back(), rtcp));
    }
    // Reorder inside groups of 8 (well within the replay window), then replay 5 packets.
    std::mt19937 rng(7);
    std::vector<size_t> order(wire.size());
    for (size_t i = 0; i < order.size(); i++) order[i] = i;
    for (size_t i = 0; i < order.size(); i += 8) std::shuffle(order.begin() + i, order.begin() + i + 8, rng);
    std::vector<Bytes> in;
    for (size_t i : order) in.push_back(wire[i]);
    for (size_t i : {3, 40, 41, 70, 95}) in.push_back(wire[i]);
    const uint64_t ok0 = ctr(RTPGATE_CTR_srtp_unprotected), rep0 = ctr(RTPGATE_CTR_drop_srtp_replay);
    inject(f.port, in);
    const auto got = collect_ctl();
    ASSERT_EQ(got.size(), wire.size()) << (rtcp ? "RTCP" : "RTP");
    for (size_t j = 0; j < got.size(); j++) EXPECT_EQ(got[j], plain[order[j]]) << j;
    EXPECT_EQ(ctr(RTPGATE_CTR_srtp_unprotected) - ok0, wire.size());
    EXPECT_EQ(ctr(RTPGATE_CTR_drop_srtp_replay) - rep0, 5u);
    EXPECT_EQ(dp().table.dyn(f.id).c.srtp_replay_fail, 5u);
    remove_flow(f);
    EXPECT_EQ(del_ctx(ctx), Errc::Ok);
  }
}

// Control -> protect in the worker -> peer (libsrtp2), across the ROC rollover; RTP and RTCP.
TEST_P(SrtpStage, ProtectFromControlIsReadByLibsrtp) {
  for (bool rtcp : {false, true}) {
    const Key k = key(3 + rtcp);
    LibSession peer(k, false);
    ASSERT_TRUE(peer.ok());
    const uint32_t ctx = set_ctx(k, true);
    ASSERT_NE(ctx, 0u);
    FlowSpec fs;
    fs.rtcp = rtcp;
    fs.srtp_out = ctx;
    const Flow f = add_flow(fs);
    std::vector<Bytes> plain;
    for (uint32_t i = 0; i < 80; i++)
      plain.push_back(rtcp ? make_rtcp(i, 0xabcd) : make_rtp(static_cast<uint16_t>(65510 + i), 0xabcd));
    const uint64_t p0 = ctr(RTPGATE_CTR_srtp_protected);
    send_from_control(f, plain, rtcp);
    const auto got = collect_tx();
    ASSERT_EQ(got.size(), plain.size());
    for (size_t j = 0; j < got.size(); j++) EXPECT_EQ(peer.unprotect(got[j], rtcp), plain[j]) << j;
    EXPECT_EQ(ctr(RTPGATE_CTR_srtp_protected) - p0, plain.size());
    remove_flow(f);
    EXPECT_EQ(del_ctx(ctx), Errc::Ok);
  }
}

// Peer A (key 1) -> worker unprotects, rewrites, protects with key 2 -> peer B (transcryption).
TEST_P(SrtpStage, ForwardTranscryptsBetweenTwoKeys) {
  for (bool rtcp : {false, true}) {
    const Key ka = key(5 + rtcp), kb = key(7 + rtcp);
    LibSession a(ka, true), b(kb, false);
    const uint32_t in = set_ctx(ka, false), out = set_ctx(kb, true);
    ASSERT_NE(in, 0u);
    ASSERT_NE(out, 0u);
    FlowSpec fs;
    fs.rtcp = rtcp;
    fs.action = RTPGATE_ACT_FORWARD;
    fs.srtp_in = in;
    fs.srtp_out = out;
    const Flow f = add_flow(fs);
    std::vector<Bytes> plain, wire;
    for (uint32_t i = 0; i < 70; i++) {
      plain.push_back(rtcp ? make_rtcp(i, 0x55) : make_rtp(static_cast<uint16_t>(65500 + i), 0x55));
      wire.push_back(a.protect(plain.back(), rtcp));
    }
    inject(f.port, wire);
    const auto got = collect_tx();
    ASSERT_EQ(got.size(), plain.size());
    for (size_t j = 0; j < got.size(); j++) EXPECT_EQ(b.unprotect(got[j], rtcp), plain[j]) << j;
    remove_flow(f);
    EXPECT_EQ(del_ctx(in), Errc::Ok);
    EXPECT_EQ(del_ctx(out), Errc::Ok);
  }
}

// Two legs of this data plane calling each other (two plugin accounts, each leg the other's
// peer): control's packets on leg A go to leg B's relay port on our own address, are turned
// around inside the worker (nothing on the wire), unprotected with B's context and handed to
// control as B's media.
TEST_P(SrtpStage, HairpinBetweenTwoLegsOfThisDataPlane) {
  const Key k = key(21);
  const uint32_t out = set_ctx(k, true), in = set_ctx(k, false);
  ASSERT_NE(out, 0u);
  ASSERT_NE(in, 0u);
  FlowSpec fb;
  fb.srtp_in = in;
  const Flow b = add_flow(fb);
  FlowSpec fa;
  fa.srtp_out = out;
  fa.dst = kLocal;
  fa.dst_port = b.port;
  const Flow a = add_flow(fa);
  EXPECT_EQ(process_hairpin(dp(), lc(), rte_rdtsc()), 0u);  // arms the check, as the worker loop does
  std::vector<Bytes> plain;
  for (uint16_t i = 0; i < 40; i++) plain.push_back(make_rtp(static_cast<uint16_t>(100 + i), 0x99));
  const uint64_t h0 = ctr(RTPGATE_CTR_hairpin_pkts), p0 = ctr(RTPGATE_CTR_srtp_protected);
  send_from_control(a, plain, false);
  EXPECT_TRUE(collect_tx().empty()) << "a hairpinned packet left on the wire";
  EXPECT_EQ(ctr(RTPGATE_CTR_hairpin_pkts) - h0, plain.size());
  EXPECT_EQ(ctr(RTPGATE_CTR_srtp_protected) - p0, plain.size());
  EXPECT_EQ(process_hairpin(dp(), lc(), rte_rdtsc()), plain.size());
  flush_all(lc(), dp());
  EXPECT_EQ(collect_ctl(), plain);
  EXPECT_EQ(dp().table.dyn(b.id).c.srtp_auth_fail, 0u);
  remove_flow(a);
  remove_flow(b);
  EXPECT_EQ(del_ctx(out), Errc::Ok);
  EXPECT_EQ(del_ctx(in), Errc::Ok);
}

// SRTP in, plain out (FORWARD without srtp_out): decrypted payload, valid checksums.
TEST_P(SrtpStage, ForwardUnprotectedLeavesPlainWithValidChecksums) {
  const Key k = key(9);
  LibSession a(k, true);
  const uint32_t in = set_ctx(k, false);
  FlowSpec fs;
  fs.action = RTPGATE_ACT_FORWARD;
  fs.srtp_in = in;
  const Flow f = add_flow(fs);
  std::vector<Bytes> plain, wire;
  for (uint16_t i = 0; i < 40; i++) {
    plain.push_back(make_rtp(i, 0x77));
    wire.push_back(a.protect(plain.back(), false));
  }
  inject(f.port, wire);
  EXPECT_EQ(collect_tx(), plain);
  remove_flow(f);
  EXPECT_EQ(del_ctx(in), Errc::Ok);
}

// A tampered packet fails authentication (counted), the stream continues; a flow naming a
// context that was never set drops with drop_srtp_no_ctx.
TEST_P(SrtpStage, TamperedPacketIsCountedAndTheFlowContinues) {
  const Key k = key(11);
  LibSession a(k, true);
  const uint32_t in = set_ctx(k, false);
  FlowSpec fs;
  fs.srtp_in = in;
  const Flow f = add_flow(fs);
  std::vector<Bytes> wire;
  for (uint16_t i = 0; i < 10; i++) wire.push_back(a.protect(make_rtp(i, 0x99), false));
  wire[4][20] ^= 0x01;
  const uint64_t auth0 = ctr(RTPGATE_CTR_drop_srtp_auth);
  inject(f.port, wire);
  EXPECT_EQ(collect_ctl().size(), 9u);
  EXPECT_EQ(ctr(RTPGATE_CTR_drop_srtp_auth) - auth0, 1u);
  EXPECT_EQ(dp().table.dyn(f.id).c.srtp_auth_fail, 1u);
  inject(f.port, {a.protect(make_rtp(10, 0x99), false)});
  EXPECT_EQ(collect_ctl().size(), 1u);
  remove_flow(f);

  // Unknown context: an index inside the table that was never SRTP_SET.
  const uint32_t unknown = g->cc->alloc_srtp().value();
  FlowSpec fu;
  fu.srtp_in = unknown;
  const Flow u = add_flow(fu);
  const uint64_t nc0 = ctr(RTPGATE_CTR_drop_srtp_no_ctx);
  inject(u.port, {a.protect(make_rtp(11, 0x99), false)});
  EXPECT_TRUE(collect_ctl().empty());
  EXPECT_EQ(ctr(RTPGATE_CTR_drop_srtp_no_ctx) - nc0, 1u);
  EXPECT_EQ(dp().table.dyn(u.id).c.srtp_no_ctx, 1u);
  remove_flow(u);
  g->cc->free_srtp(unknown);
  EXPECT_EQ(del_ctx(in), Errc::Ok);
}

// Rekeying the inbound direction (new entry, FLOW_MODIFY, old entry deleted) leaves the
// outbound context and its state (ROC) untouched.
TEST_P(SrtpStage, RekeyOfOneDirectionLeavesTheOtherUntouched) {
  const Key k_in = key(13), k_in2 = key(14), k_out = key(15);
  LibSession peer_tx(k_in, true), peer_tx2(k_in2, true), peer_rx(k_out, false);
  const uint32_t in = set_ctx(k_in, false), out = set_ctx(k_out, true);
  FlowSpec fs;
  fs.srtp_in = in;
  fs.srtp_out = out;
  Flow f = add_flow(fs);
  auto round = [&](LibSession& tx, uint16_t seq0, uint16_t n) {
    std::vector<Bytes> plain, wire, back;
    for (uint16_t i = 0; i < n; i++) {
      plain.push_back(make_rtp(static_cast<uint16_t>(seq0 + i), 0x42));
      wire.push_back(tx.protect(plain.back(), false));
      back.push_back(make_rtp(static_cast<uint16_t>(seq0 + i), 0x4242));
    }
    inject(f.port, wire);
    send_from_control(f, back, false);
    const auto in_got = collect_ctl();
    const auto out_got = collect_tx();
    size_t ok_in = 0, ok_out = 0;
    for (size_t j = 0; j < in_got.size() && j < plain.size(); j++) ok_in += in_got[j] == plain[j];
    for (size_t j = 0; j < out_got.size() && j < back.size(); j++) ok_out += peer_rx.unprotect(out_got[j], false) == back[j];
    return std::pair<size_t, size_t>{ok_in, ok_out};
  };
  EXPECT_EQ(round(peer_tx, 65530, 10), (std::pair<size_t, size_t>{10, 10}));  // outbound ROC 1 now
  f.p.srtp_slot = set_ctx(k_in2, false);
  ASSERT_NE(f.p.srtp_slot, 0u);
  ASSERT_EQ(modify_flow(f), Errc::Ok);
  EXPECT_EQ(del_ctx(in), Errc::Ok);
  // The old inbound key no longer authenticates; the new one does; outbound continues.
  const uint64_t auth0 = ctr(RTPGATE_CTR_drop_srtp_auth);
  EXPECT_EQ(round(peer_tx, 4, 3).first, 0u);
  EXPECT_EQ(ctr(RTPGATE_CTR_drop_srtp_auth) - auth0, 3u);
  EXPECT_EQ(round(peer_tx2, 100, 10), (std::pair<size_t, size_t>{10, 10}));
  remove_flow(f);
  EXPECT_EQ(del_ctx(f.p.srtp_slot), Errc::Ok);
  EXPECT_EQ(del_ctx(out), Errc::Ok);
}

// After a peer restart the inbound stream recovers instead of being dropped as replayed:
//  kBehind:  same SSRC, sequence numbers restart far behind (ROC unchanged);
//  kNewSsrc: a new SSRC starting at ROC 0 while the old stream had ROC 1;
//  kRocBack: same SSRC, ROC back to 0 (authentication fails until ROC 0 is probed).
// Duplicates stay refused afterwards.
enum class Restart { kBehind, kNewSsrc, kRocBack };

TEST_P(SrtpStage, StreamRecoversAfterPeerRestart) {
  constexpr uint32_t kN = srtp::SrtpContext::kResyncAfter;
  for (Restart r : {Restart::kBehind, Restart::kNewSsrc, Restart::kRocBack}) {
    const Key k = key(17 + static_cast<uint32_t>(r));
    const uint32_t in = set_ctx(k, false);
    FlowSpec fs;
    fs.srtp_in = in;
    const Flow f = add_flow(fs);
    {
      LibSession before(k, true);
      const uint16_t first = r == Restart::kBehind ? 20000 : 65400;  // 65400: crosses into ROC 1
      std::vector<Bytes> w;
      for (uint32_t i = 0; i < 300; i++) w.push_back(before.protect(make_rtp(static_cast<uint16_t>(first + i), 0x10), false));
      inject(f.port, w);
      EXPECT_EQ(collect_ctl().size(), 300u);
    }
    LibSession after(k, true);  // restarted peer: ROC 0
    const uint32_t ssrc = r == Restart::kNewSsrc ? 0x20 : 0x10;
    const uint16_t seq0 = r == Restart::kNewSsrc ? 10 : 1000;
    const uint32_t total = r == Restart::kRocBack ? 100 : 40;
    std::vector<Bytes> plain, w;
    for (uint16_t i = 0; i < total; i++) {
      plain.push_back(make_rtp(static_cast<uint16_t>(seq0 + i), ssrc));
      w.push_back(after.protect(plain.back(), false));
    }
    const uint64_t rs0 = ctr(RTPGATE_CTR_srtp_resync);
    inject(f.port, w);
    const auto got = collect_ctl();
    if (r == Restart::kRocBack) {
      ASSERT_GE(got.size(), 40u);  // the stream is back well before the end
    } else {
      ASSERT_EQ(got.size(), total - (kN - 1));  // the first kN - 1 candidates are dropped
    }
    // Whatever got through is the tail of the new stream, in order.
    for (size_t j = 0; j < 20; j++) EXPECT_EQ(got[got.size() - 20 + j], plain[total - 20 + j]) << j;
    EXPECT_EQ(ctr(RTPGATE_CTR_srtp_resync) - rs0, 1u);
    EXPECT_EQ(dp().table.dyn(f.id).c.srtp_resync, 1u);
    inject(f.port, {w[total - 5]});  // still a replay after the resync
    EXPECT_TRUE(collect_ctl().empty());
    remove_flow(f);
    EXPECT_EQ(del_ctx(in), Errc::Ok);
  }
}

// The plugin's shape: an RTP flow with rtcp-mux and its RTCP flow share one inbound and one
// outbound context. SRTCP arriving on the RTP port is unprotected with the RTCP keys and
// handed over as RTCP; what control sends on either flow is read by one libsrtp2 session.
TEST_P(SrtpStage, RtcpMuxSharesTheStreamsContexts) {
  const Key kin = key(21), kout = key(22);
  LibSession peer_tx(kin, true), peer_rx(kout, false);
  const uint32_t in = set_ctx(kin, false), out = set_ctx(kout, true);
  FlowSpec rs;
  rs.rtcp = true;
  rs.srtp_in = in;
  rs.srtp_out = out;
  const Flow rtcp = add_flow(rs);
  FlowSpec fs;
  fs.srtp_in = in;
  fs.srtp_out = out;
  fs.rtcp_mux = rtcp.id;
  const Flow rtp = add_flow(fs);
  std::vector<Bytes> plain, wire;
  for (uint32_t i = 0; i < 12; i++) {
    const bool is_rtcp = i % 3 == 2;
    plain.push_back(is_rtcp ? make_rtcp(i, 0x66) : make_rtp(static_cast<uint16_t>(100 + i), 0x66));
    wire.push_back(peer_tx.protect(plain.back(), is_rtcp));
  }
  inject(rtp.port, wire);  // everything on the RTP port
  // Within a burst RTP and RTCP are separate submits: order is kept per kind (per flow).
  std::vector<Bytes> want[2], got_k[2];
  for (size_t i = 0; i < plain.size(); i++) want[i % 3 == 2].push_back(plain[i]);
  auto ring = dp().region.pkt_ring_to_ctl(0);
  rtpgate_shm_pkt_slot sl;
  while (ring.pop(sl)) {
    EXPECT_EQ(sl.flow_id, sl.is_rtcp ? rtcp.id : rtp.id);
    got_k[sl.is_rtcp != 0].emplace_back(sl.data, sl.data + sl.len);
  }
  EXPECT_EQ(got_k[0], want[0]);
  EXPECT_EQ(got_k[1], want[1]);
  send_from_control(rtp, {make_rtp(7, 0x77), make_rtp(8, 0x77)}, false);
  send_from_control(rtcp, {make_rtcp(1, 0x77)}, true);
  const auto got = collect_tx();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(peer_rx.unprotect(got[0], false), make_rtp(7, 0x77));
  EXPECT_EQ(peer_rx.unprotect(got[1], false), make_rtp(8, 0x77));
  EXPECT_EQ(peer_rx.unprotect(got[2], true), make_rtcp(1, 0x77));
  remove_flow(rtp);
  remove_flow(rtcp);
  EXPECT_EQ(del_ctx(in), Errc::Ok);
  EXPECT_EQ(del_ctx(out), Errc::Ok);
}

TEST_P(SrtpStage, SetRefusesBadEntriesAndLiveIndexes) {
  const Key k = key(19);
  const uint32_t idx = set_ctx(k, false);
  ASSERT_NE(idx, 0u);
  EXPECT_EQ(finish(g->cc->submit_srtp(RTPGATE_CMD_SRTP_SET, idx)), Errc::FlowExists);
  const uint32_t bad = g->cc->alloc_srtp().value();
  rtpgate_shm_srtp_entry e{};
  e.profile = 3;  // not a profile
  g->cc->write_srtp(bad, e);
  EXPECT_EQ(finish(g->cc->submit_srtp(RTPGATE_CMD_SRTP_SET, bad)), Errc::BadParam);
  g->cc->free_srtp(bad);
  // A flow may not name an unprotect context as its protect context.
  auto id = g->cc->alloc_flow().value();
  rtpgate_shm_flow_params p{};
  p.kind = RTPGATE_KIND_RTP;
  p.action = RTPGATE_ACT_TO_CTL;
  p.local = addr4(kLocal);
  p.local_port = g->next_port++;
  p.rtcp_flow_id = p.reverse_flow_id = p.record_slot = UINT32_MAX;
  p.srtp_slot = RTPGATE_SRTP_NONE;
  p.srtp_out_slot = idx;
  g->cc->write_params(id, p);
  EXPECT_EQ(finish(g->cc->submit(RTPGATE_CMD_FLOW_INSTALL, id)), Errc::BadParam);
  g->cc->free_flow(id);
  EXPECT_EQ(del_ctx(idx), Errc::Ok);
  EXPECT_EQ(finish(g->cc->submit_srtp(RTPGATE_CMD_SRTP_DEL, idx)), Errc::NoSuchFlow);
  // Control wiped the entry's key material when it freed it.
  const auto& en = dp().region.srtp(idx);
  EXPECT_EQ(std::count(en.key, en.key + 32, 0), 32);
}

INSTANTIATE_TEST_SUITE_P(Profiles, SrtpStage,
                         ::testing::Values(SrtpProfile::kAesCm128HmacSha1_80, SrtpProfile::kAesCm128HmacSha1_32,
                                           SrtpProfile::kAeadAes128Gcm, SrtpProfile::kAeadAes256Gcm),
                         [](const auto& info) {
                           switch (info.param) {
                             case SrtpProfile::kAesCm128HmacSha1_80: return std::string("AES_CM_128_HMAC_SHA1_80");
                             case SrtpProfile::kAesCm128HmacSha1_32: return std::string("AES_CM_128_HMAC_SHA1_32");
                             case SrtpProfile::kAeadAes128Gcm: return std::string("AEAD_AES_128_GCM");
                             default: return std::string("AEAD_AES_256_GCM");
                           }
                         });

}  // namespace
}  // namespace rtpgate::dp

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  const std::string prefix = "--file-prefix=srtpstage" + std::to_string(getpid());
  const char* eal[] = {"srtp_stage_test", "-l", "0", "--no-huge", "-m", "256", "--no-shconf", "--no-pci",
                       "--vdev=net_ring0", "--log-level=lib.*:error", prefix.c_str()};
  if (rte_eal_init(static_cast<int>(std::size(eal)), const_cast<char**>(eal)) < 0) {
    std::fprintf(stderr, "EAL init failed (needs root): skipping\n");
    return 77;
  }
  if (srtp_init() != srtp_err_status_ok) return 1;
  int rc = 1;
  {
    auto env = std::make_unique<rtpgate::dp::Env>();
    std::memcpy(env->local, rtpgate::dp::kLocal, 4);
    std::memcpy(env->peer, rtpgate::dp::kPeer, 4);
    rtpgate::dp::Config c =
        rtpgate::dp::test::base_config(*env, "/rtpgate-srtpstage-" + std::to_string(getpid()), 0);
    c.srtp_capacity = 256;
    c.mbufs = 4095;
    std::string why;
    if (!rtpgate::dp::validate_config(c, &why) || !env->rt.init(c, &why)) {
      std::fprintf(stderr, "runtime init failed: %s\n", why.c_str());
      return 1;
    }
    auto cc = rtpgate::shm::ControlClient::open(c.shm_name, &why);
    if (!cc) {
      std::fprintf(stderr, "control attach failed: %s\n", why.c_str());
      return 1;
    }
    env->cc.emplace(std::move(cc.value()));
    env->pool = rte_pktmbuf_pool_create("srtpstage_in", 2047, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
    rtpgate::dp::g = env.get();
    rc = RUN_ALL_TESTS();
    rtpgate::dp::g = nullptr;
    env->rt.shutdown();
  }
  srtp_shutdown();
  const std::string runtime_dir = rte_eal_get_runtime_dir();  // EAL leaves it behind
  rte_eal_cleanup();
  std::error_code ec;
  std::filesystem::remove_all(runtime_dir, ec);
  return rc;
}
