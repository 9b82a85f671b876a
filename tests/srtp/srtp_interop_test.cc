// Cross-implementation tests: rtpgate's batched SRTP/SRTCP (intel-ipsec-mb) against libsrtp2,
// packet for packet in both directions, for every profile. Single-threaded test binary.
#include <gtest/gtest.h>
#include <srtp2/srtp.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <random>
#include <vector>

#include "srtp/srtp_batch.h"
#include "srtp/srtp_context.h"
#include "libsrtp_policy.h"

namespace rtpgate::dp::srtp {
namespace {

using test::set_lib_policy;

struct Pkt {
  std::array<uint8_t, 1600> b{};
  uint32_t len = 0;
  bool operator==(const Pkt& o) const {
    return len == o.len && std::memcmp(b.data(), o.b.data(), len) == 0;
  }
};

constexpr uint32_t kSsrc = 0x11223344;

Pkt make_rtp(uint16_t seq, uint32_t payload_len = 160, bool csrc_ext = false) {
  Pkt p;
  uint8_t* b = p.b.data();
  uint32_t h = 12;
  b[0] = 0x80;
  b[1] = 0x00;  // PT 0
  b[2] = static_cast<uint8_t>(seq >> 8);
  b[3] = static_cast<uint8_t>(seq);
  const uint32_t ts = 160U * seq;
  for (int i = 0; i < 4; ++i) b[4 + i] = static_cast<uint8_t>(ts >> (24 - 8 * i));
  for (int i = 0; i < 4; ++i) b[8 + i] = static_cast<uint8_t>(kSsrc >> (24 - 8 * i));
  if (csrc_ext) {
    b[0] |= 0x10 | 0x02;  // X, CC=2
    for (int i = 0; i < 8; ++i) b[h++] = static_cast<uint8_t>(0xa0 + i);
    b[h++] = 0xbe;
    b[h++] = 0xde;
    b[h++] = 0x00;
    b[h++] = 0x01;  // one word
    b[h++] = 0x10;
    b[h++] = 0x55;
    b[h++] = 0x00;
    b[h++] = 0x00;
  }
  for (uint32_t i = 0; i < payload_len; ++i) b[h + i] = static_cast<uint8_t>(seq * 7 + i);
  p.len = h + payload_len;
  return p;
}

Pkt make_rtcp(uint32_t n) {
  Pkt p;
  uint8_t* b = p.b.data();
  // SR with one report block: 28 + 24 = 52 bytes, length field 12.
  b[0] = 0x81;
  b[1] = 200;
  b[2] = 0;
  b[3] = 12;
  for (int i = 0; i < 4; ++i) b[4 + i] = static_cast<uint8_t>(kSsrc >> (24 - 8 * i));
  for (uint32_t i = 8; i < 52; ++i) b[i] = static_cast<uint8_t>(n * 13 + i);
  p.len = 52;
  return p;
}

struct ProfileCase {
  SrtpProfile profile;
  const char* name;
};


class SrtpInterop : public ::testing::TestWithParam<ProfileCase> {
 protected:
  static void SetUpTestSuite() { ASSERT_EQ(srtp_init(), srtp_err_status_ok); }

  void SetUp() override {
    const SrtpProfileInfo& info = srtp_profile_info(GetParam().profile);
    std::mt19937 rng(1234 + static_cast<int>(GetParam().profile));
    key_len_ = info.master_key_len;
    salt_len_ = info.master_salt_len;
    for (auto& x : key_salt_) x = static_cast<uint8_t>(rng());
    ASSERT_TRUE(batch_.ok());
    reset();
  }
  void TearDown() override {
    if (lib_tx_ != nullptr) srtp_dealloc(lib_tx_);
    if (lib_rx_ != nullptr) srtp_dealloc(lib_rx_);
  }

  void reset() {
    const SrtpProfile p = GetParam().profile;
    ASSERT_TRUE(tx_.init(p, SrtpDirection::kProtect, key_salt_.data(), key_len_,
                         key_salt_.data() + key_len_, salt_len_));
    ASSERT_TRUE(rx_.init(p, SrtpDirection::kUnprotect, key_salt_.data(), key_len_,
                         key_salt_.data() + key_len_, salt_len_));
    if (lib_tx_ != nullptr) srtp_dealloc(lib_tx_);
    if (lib_rx_ != nullptr) srtp_dealloc(lib_rx_);
    lib_tx_ = make_lib(ssrc_any_outbound);
    lib_rx_ = make_lib(ssrc_any_inbound);
  }

  srtp_t make_lib(srtp_ssrc_type_t type, bool rtcp_auth_only = false) {
    srtp_policy_t pol;
    std::memset(&pol, 0, sizeof(pol));
    set_lib_policy(GetParam().profile, pol);
    if (rtcp_auth_only) pol.rtcp.sec_serv = sec_serv_auth;
    if (type == ssrc_specific) pol.ssrc.value = kSsrc;
    pol.ssrc.type = type;
    pol.key = key_salt_.data();
    pol.window_size = 128;
    pol.allow_repeat_tx = 0;
    srtp_t s = nullptr;
    EXPECT_EQ(srtp_create(&s, &pol), srtp_err_status_ok);
    return s;
  }

  // Runs one burst through `fn` over the given packets; returns results.
  template <typename Fn>
  std::vector<SrtpResult> burst(std::vector<Pkt>& pkts, SrtpContext& ctx, Fn fn) {
    std::vector<SrtpPacket> v;
    for (auto& p : pkts) v.push_back({p.b.data(), p.len, static_cast<uint32_t>(p.b.size()), &ctx});
    std::vector<SrtpResult> r(pkts.size(), SrtpResult::kBadLength);
    (batch_.*fn)(v.data(), r.data(), static_cast<uint32_t>(v.size()));
    for (size_t i = 0; i < pkts.size(); ++i) pkts[i].len = v[i].len;
    return r;
  }

  srtp_err_status_t lib_protect(Pkt& p, bool rtcp = false) {
    int len = static_cast<int>(p.len);
    const auto st = rtcp ? srtp_protect_rtcp(lib_tx_, p.b.data(), &len)
                         : srtp_protect(lib_tx_, p.b.data(), &len);
    p.len = static_cast<uint32_t>(len);
    return st;
  }
  srtp_err_status_t lib_unprotect(Pkt& p, bool rtcp = false) {
    int len = static_cast<int>(p.len);
    const auto st = rtcp ? srtp_unprotect_rtcp(lib_rx_, p.b.data(), &len)
                         : srtp_unprotect(lib_rx_, p.b.data(), &len);
    p.len = static_cast<uint32_t>(len);
    return st;
  }

  std::array<uint8_t, 46> key_salt_{};
  size_t key_len_ = 0;
  size_t salt_len_ = 0;
  SrtpContext tx_;
  SrtpContext rx_;
  srtp_t lib_tx_ = nullptr;
  srtp_t lib_rx_ = nullptr;
  SrtpBatch batch_;
};

using Fn = void (SrtpBatch::*)(SrtpPacket*, SrtpResult*, uint32_t);
constexpr Fn kProtect = &SrtpBatch::protect_rtp;
constexpr Fn kUnprotect = &SrtpBatch::unprotect_rtp;
constexpr Fn kProtectRtcp = &SrtpBatch::protect_rtcp;
constexpr Fn kUnprotectRtcp = &SrtpBatch::unprotect_rtcp;

std::vector<uint16_t> rollover_seqs() {
  std::vector<uint16_t> s;
  for (uint32_t i = 65530; i <= 65540; ++i) s.push_back(static_cast<uint16_t>(i));
  return s;
}

TEST_P(SrtpInterop, RtpOursToLibsrtpAcrossRollover) {
  std::vector<Pkt> plain, pk;
  for (uint16_t s : rollover_seqs()) plain.push_back(make_rtp(s));
  pk = plain;
  // First packet alone (initialises the sender), the rest as one burst across the rollover.
  std::vector<Pkt> first{pk[0]};
  ASSERT_EQ(burst(first, tx_, kProtect)[0], SrtpResult::kOk);
  std::vector<Pkt> rest(pk.begin() + 1, pk.end());
  for (auto r : burst(rest, tx_, kProtect)) ASSERT_EQ(r, SrtpResult::kOk);
  pk[0] = first[0];
  std::copy(rest.begin(), rest.end(), pk.begin() + 1);
  EXPECT_EQ(tx_.roc(), 1U);
  for (size_t i = 0; i < pk.size(); ++i) {
    EXPECT_EQ(pk[i].len, plain[i].len + srtp_profile_info(GetParam().profile).rtp_tag_len);
    ASSERT_EQ(lib_unprotect(pk[i]), srtp_err_status_ok) << "packet " << i;
    EXPECT_EQ(pk[i], plain[i]) << "packet " << i;
  }
}

TEST_P(SrtpInterop, RtpLibsrtpToOursAcrossRollover) {
  std::vector<Pkt> plain, pk;
  for (uint16_t s : rollover_seqs()) plain.push_back(make_rtp(s));
  pk = plain;
  for (auto& p : pk) ASSERT_EQ(lib_protect(p), srtp_err_status_ok);
  std::vector<Pkt> first{pk[0]};
  ASSERT_EQ(burst(first, rx_, kUnprotect)[0], SrtpResult::kOk);
  EXPECT_EQ(first[0], plain[0]);
  std::vector<Pkt> rest(pk.begin() + 1, pk.end());
  const auto r = burst(rest, rx_, kUnprotect);
  for (size_t i = 0; i < rest.size(); ++i) {
    EXPECT_EQ(r[i], SrtpResult::kOk) << "packet " << i + 1;
    EXPECT_EQ(rest[i], plain[i + 1]) << "packet " << i + 1;
  }
  EXPECT_EQ(rx_.roc(), 1U);
}

TEST_P(SrtpInterop, RtpSequentialBurstsBothWays) {
  // 300 packets from seq 65000 in bursts of 32: ours → libsrtp and libsrtp → ours.
  for (int dir = 0; dir < 2; ++dir) {
    uint32_t seq = 65000;
    for (int b = 0; b < 10; ++b) {
      std::vector<Pkt> plain, pk;
      for (int i = 0; i < 32; ++i) plain.push_back(make_rtp(static_cast<uint16_t>(seq++), 100 + i));
      pk = plain;
      if (dir == 0) {
        for (auto r : burst(pk, tx_, kProtect)) ASSERT_EQ(r, SrtpResult::kOk);
        for (size_t i = 0; i < pk.size(); ++i) {
          ASSERT_EQ(lib_unprotect(pk[i]), srtp_err_status_ok) << b << "/" << i;
          ASSERT_EQ(pk[i], plain[i]);
        }
      } else {
        for (auto& p : pk) ASSERT_EQ(lib_protect(p), srtp_err_status_ok);
        const auto r = burst(pk, rx_, kUnprotect);
        for (size_t i = 0; i < pk.size(); ++i) {
          ASSERT_EQ(r[i], SrtpResult::kOk) << b << "/" << i;
          ASSERT_EQ(pk[i], plain[i]);
        }
      }
    }
  }
}

TEST_P(SrtpInterop, RtpCsrcAndExtensionHeader) {
  Pkt plain = make_rtp(1000, 77, true);
  Pkt a = plain;
  std::vector<Pkt> v{a};
  ASSERT_EQ(burst(v, tx_, kProtect)[0], SrtpResult::kOk);
  ASSERT_EQ(lib_unprotect(v[0]), srtp_err_status_ok);
  EXPECT_EQ(v[0], plain);
  Pkt b = make_rtp(2000, 77, true);
  const Pkt plain_b = b;
  ASSERT_EQ(lib_protect(b), srtp_err_status_ok);
  std::vector<Pkt> w{b};
  ASSERT_EQ(burst(w, rx_, kUnprotect)[0], SrtpResult::kOk);
  EXPECT_EQ(w[0], plain_b);
}

TEST_P(SrtpInterop, RtpReorderedBothWays) {
  std::vector<Pkt> plain, pk;
  for (uint32_t s = 65520; s < 65560; ++s) plain.push_back(make_rtp(static_cast<uint16_t>(s)));
  // libsrtp → ours: first packet in order, then the rest shuffled within one burst.
  pk = plain;
  for (auto& p : pk) ASSERT_EQ(lib_protect(p), srtp_err_status_ok);
  std::vector<size_t> order(pk.size() - 1);
  for (size_t i = 0; i < order.size(); ++i) order[i] = i + 1;
  std::shuffle(order.begin(), order.end(), std::mt19937(7));
  std::vector<Pkt> first{pk[0]}, shuffled;
  ASSERT_EQ(burst(first, rx_, kUnprotect)[0], SrtpResult::kOk);
  for (size_t i : order) shuffled.push_back(pk[i]);
  // Deliver in bursts of 8 so later bursts see the ROC moved by earlier ones.
  for (size_t off = 0; off < shuffled.size(); off += 8) {
    std::vector<Pkt> sub(shuffled.begin() + off,
                         shuffled.begin() + std::min(off + 8, shuffled.size()));
    const auto r = burst(sub, rx_, kUnprotect);
    for (size_t i = 0; i < sub.size(); ++i) {
      EXPECT_EQ(r[i], SrtpResult::kOk) << "shuffled " << off + i;
      EXPECT_EQ(sub[i], plain[order[off + i]]);
    }
  }
  // ours → libsrtp: protect in order, deliver to libsrtp in the shuffled order.
  pk = plain;
  for (auto r : burst(pk, tx_, kProtect)) ASSERT_EQ(r, SrtpResult::kOk);
  ASSERT_EQ(lib_unprotect(pk[0]), srtp_err_status_ok);
  for (size_t i : order) {
    ASSERT_EQ(lib_unprotect(pk[i]), srtp_err_status_ok) << i;
    EXPECT_EQ(pk[i], plain[i]);
  }
}

TEST_P(SrtpInterop, RtpReplayRejectedByBoth) {
  std::vector<Pkt> plain, pk;
  for (uint16_t s = 10; s < 14; ++s) plain.push_back(make_rtp(s));
  pk = plain;
  for (auto r : burst(pk, tx_, kProtect)) ASSERT_EQ(r, SrtpResult::kOk);
  std::vector<Pkt> copy = pk;
  for (auto& p : copy) ASSERT_EQ(lib_unprotect(p), srtp_err_status_ok);
  Pkt again = pk[1];
  EXPECT_EQ(lib_unprotect(again), srtp_err_status_replay_fail);
  // Ours: libsrtp-protected packets, one replayed in a later burst and one twice in a burst.
  std::vector<Pkt> lp = plain;
  for (auto& p : lp) ASSERT_EQ(lib_protect(p), srtp_err_status_ok);
  std::vector<Pkt> b1{lp[0], lp[1], lp[1], lp[2]};
  const auto r1 = burst(b1, rx_, kUnprotect);
  EXPECT_EQ(r1[0], SrtpResult::kOk);
  EXPECT_EQ(r1[1], SrtpResult::kOk);
  EXPECT_EQ(r1[2], SrtpResult::kReplayFail);
  EXPECT_EQ(r1[3], SrtpResult::kOk);
  std::vector<Pkt> b2{lp[0], lp[3]};
  const auto r2 = burst(b2, rx_, kUnprotect);
  EXPECT_EQ(r2[0], SrtpResult::kReplayFail);
  EXPECT_EQ(r2[1], SrtpResult::kOk);
  EXPECT_EQ(b2[1], plain[3]);
}

TEST_P(SrtpInterop, RtpTamperedIsAuthFailAndFlowContinues) {
  std::vector<Pkt> plain, pk;
  for (uint16_t s = 100; s < 103; ++s) plain.push_back(make_rtp(s));
  pk = plain;
  for (auto& p : pk) ASSERT_EQ(lib_protect(p), srtp_err_status_ok);
  std::vector<Pkt> b{pk[0], pk[1], pk[2]};
  b[1].b[40] ^= 0x01;
  Pkt lib_copy = b[1];
  const auto r = burst(b, rx_, kUnprotect);
  EXPECT_EQ(r[0], SrtpResult::kOk);
  EXPECT_EQ(r[1], SrtpResult::kAuthFail);
  EXPECT_EQ(r[2], SrtpResult::kOk);
  EXPECT_EQ(b[2], plain[2]);
  // The untampered packet still authenticates afterwards (a failure does not touch the window).
  std::vector<Pkt> retry{pk[1]};
  EXPECT_EQ(burst(retry, rx_, kUnprotect)[0], SrtpResult::kOk);
  // libsrtp agrees on the tampered packet and on a tampered tag from our side.
  EXPECT_EQ(lib_unprotect(lib_copy), srtp_err_status_auth_fail);
  std::vector<Pkt> ours{make_rtp(200)};
  ASSERT_EQ(burst(ours, tx_, kProtect)[0], SrtpResult::kOk);
  ours[0].b[ours[0].len - 1] ^= 0x80;
  EXPECT_EQ(lib_unprotect(ours[0]), srtp_err_status_auth_fail);
  // Truncated packet.
  std::vector<Pkt> tiny{make_rtp(300, 0)};
  tiny[0].len = 12 + srtp_profile_info(GetParam().profile).rtp_tag_len - 1;
  EXPECT_EQ(burst(tiny, rx_, kUnprotect)[0], SrtpResult::kBadLength);
}

TEST_P(SrtpInterop, RtpLargeBurstChunks) {
  std::vector<Pkt> plain, pk;
  for (uint16_t s = 0; s < 150; ++s) plain.push_back(make_rtp(s, 20 + s));
  pk = plain;
  for (auto r : burst(pk, tx_, kProtect)) ASSERT_EQ(r, SrtpResult::kOk);
  std::vector<Pkt> back = pk;
  for (auto r : burst(back, rx_, kUnprotect)) ASSERT_EQ(r, SrtpResult::kOk);
  for (size_t i = 0; i < pk.size(); ++i) {
    ASSERT_EQ(back[i], plain[i]);
    ASSERT_EQ(lib_unprotect(pk[i]), srtp_err_status_ok);
    ASSERT_EQ(pk[i], plain[i]);
  }
}

TEST_P(SrtpInterop, RtcpBothWays) {
  std::vector<Pkt> plain;
  for (uint32_t i = 0; i < 20; ++i) plain.push_back(make_rtcp(i));
  std::vector<Pkt> pk = plain;
  for (auto r : burst(pk, tx_, kProtectRtcp)) ASSERT_EQ(r, SrtpResult::kOk);
  for (size_t i = 0; i < pk.size(); ++i) {
    EXPECT_EQ(pk[i].len, plain[i].len + 4 + srtp_profile_info(GetParam().profile).rtcp_tag_len);
    ASSERT_EQ(lib_unprotect(pk[i], true), srtp_err_status_ok) << i;
    EXPECT_EQ(pk[i], plain[i]);
  }
  std::vector<Pkt> lp = plain;
  for (auto& p : lp) ASSERT_EQ(lib_protect(p, true), srtp_err_status_ok);
  // Reordered delivery to ours.
  std::vector<Pkt> rev(lp.rbegin(), lp.rend());
  const auto r = burst(rev, rx_, kUnprotectRtcp);
  for (size_t i = 0; i < rev.size(); ++i) {
    EXPECT_EQ(r[i], SrtpResult::kOk) << i;
    EXPECT_EQ(rev[i], plain[plain.size() - 1 - i]);
  }
}

TEST_P(SrtpInterop, RtcpReplayAndTamper) {
  std::vector<Pkt> lp{make_rtcp(1), make_rtcp(2), make_rtcp(3)};
  for (auto& p : lp) ASSERT_EQ(lib_protect(p, true), srtp_err_status_ok);
  std::vector<Pkt> b{lp[0], lp[0], lp[1], lp[2]};
  b[3].b[20] ^= 0x04;
  const auto r = burst(b, rx_, kUnprotectRtcp);
  EXPECT_EQ(r[0], SrtpResult::kOk);
  EXPECT_EQ(r[1], SrtpResult::kReplayFail);
  EXPECT_EQ(r[2], SrtpResult::kOk);
  EXPECT_EQ(r[3], SrtpResult::kAuthFail);
  // libsrtp rejects a replay and a tamper of ours.
  std::vector<Pkt> ours{make_rtcp(5), make_rtcp(6)};
  ASSERT_EQ(burst(ours, tx_, kProtectRtcp)[0], SrtpResult::kOk);
  Pkt a = ours[0];
  ASSERT_EQ(lib_unprotect(a, true), srtp_err_status_ok);
  a = ours[0];
  EXPECT_EQ(lib_unprotect(a, true), srtp_err_status_replay_fail);
  ours[1].b[10] ^= 0x40;
  EXPECT_EQ(lib_unprotect(ours[1], true), srtp_err_status_auth_fail);
}

TEST_P(SrtpInterop, RtcpUnencryptedEBitZeroFromLibsrtp) {
  // libsrtp sends SRTCP with confidentiality off (E=0, auth only); we must authenticate it.
  srtp_dealloc(lib_tx_);
  lib_tx_ = make_lib(ssrc_any_outbound, true);
  std::vector<Pkt> plain{make_rtcp(1), make_rtcp(2)};
  std::vector<Pkt> lp = plain;
  for (auto& p : lp) ASSERT_EQ(lib_protect(p, true), srtp_err_status_ok);
  // Payload is in clear and the E bit is 0.
  EXPECT_EQ(std::memcmp(lp[0].b.data(), plain[0].b.data(), plain[0].len), 0);
  EXPECT_EQ(lp[0].b[plain[0].len] & 0x80, 0);
  const auto r = burst(lp, rx_, kUnprotectRtcp);
  EXPECT_EQ(r[0], SrtpResult::kOk);
  EXPECT_EQ(r[1], SrtpResult::kOk);
  EXPECT_EQ(lp[0], plain[0]);
  EXPECT_EQ(lp[1], plain[1]);
}

TEST_P(SrtpInterop, EmptyPayloadsBothWays) {
  // RTP with no payload and an 8-byte RTCP RR (RC=0): zero-length cipher regions.
  Pkt rtp = make_rtp(500, 0);
  Pkt rr = make_rtcp(0);
  rr.b[0] = 0x80;
  rr.b[1] = 201;
  rr.b[3] = 1;
  rr.len = 8;
  const Pkt plain_rtp = rtp, plain_rr = rr;
  std::vector<Pkt> a{rtp}, c{rr};
  ASSERT_EQ(burst(a, tx_, kProtect)[0], SrtpResult::kOk);
  ASSERT_EQ(burst(c, tx_, kProtectRtcp)[0], SrtpResult::kOk);
  ASSERT_EQ(lib_unprotect(a[0]), srtp_err_status_ok);
  ASSERT_EQ(lib_unprotect(c[0], true), srtp_err_status_ok);
  EXPECT_EQ(a[0], plain_rtp);
  EXPECT_EQ(c[0], plain_rr);
  ASSERT_EQ(lib_protect(rtp), srtp_err_status_ok);
  ASSERT_EQ(lib_protect(rr, true), srtp_err_status_ok);
  std::vector<Pkt> b{rtp}, d{rr};
  ASSERT_EQ(burst(b, rx_, kUnprotect)[0], SrtpResult::kOk);
  ASSERT_EQ(burst(d, rx_, kUnprotectRtcp)[0], SrtpResult::kOk);
  EXPECT_EQ(b[0], plain_rtp);
  EXPECT_EQ(d[0], plain_rr);
}

TEST_P(SrtpInterop, SenderRocSetExplicitly) {
  // Sender resumes at ROC 5 (e.g. after a rekey carrying the ROC); libsrtp receiver told the same.
  tx_.set_roc(5, 100);
  srtp_dealloc(lib_rx_);
  lib_rx_ = make_lib(ssrc_specific);
  ASSERT_EQ(srtp_set_stream_roc(lib_rx_, kSsrc, 5), srtp_err_status_ok);
  std::vector<Pkt> plain{make_rtp(101), make_rtp(102)};
  std::vector<Pkt> pk = plain;
  for (auto r : burst(pk, tx_, kProtect)) ASSERT_EQ(r, SrtpResult::kOk);
  for (size_t i = 0; i < pk.size(); ++i) {
    ASSERT_EQ(lib_unprotect(pk[i]), srtp_err_status_ok);
    EXPECT_EQ(pk[i], plain[i]);
  }
  // And the other way: libsrtp sender at ROC 7, our receiver told ROC 7.
  srtp_dealloc(lib_tx_);
  lib_tx_ = make_lib(ssrc_specific);
  ASSERT_EQ(srtp_set_stream_roc(lib_tx_, kSsrc, 7), srtp_err_status_ok);
  rx_.set_roc(7, 300);
  Pkt p = make_rtp(301);
  const Pkt plain_p = p;
  ASSERT_EQ(lib_protect(p), srtp_err_status_ok);
  std::vector<Pkt> v{p};
  ASSERT_EQ(burst(v, rx_, kUnprotect)[0], SrtpResult::kOk);
  EXPECT_EQ(v[0], plain_p);
  EXPECT_EQ(rx_.roc(), 7U);
}

TEST_P(SrtpInterop, WipeZeroesKeys) {
  auto all_zero = [](const SrtpStreamKeys& k) {
    const auto* p = reinterpret_cast<const uint8_t*>(&k);
    return std::all_of(p, p + sizeof(k), [](uint8_t x) { return x == 0; });
  };
  EXPECT_FALSE(all_zero(tx_.rtp_keys()));
  tx_.wipe();
  EXPECT_TRUE(all_zero(tx_.rtp_keys()));
  EXPECT_TRUE(all_zero(tx_.rtcp_keys()));
  EXPECT_FALSE(tx_.valid());
}

INSTANTIATE_TEST_SUITE_P(
    Profiles, SrtpInterop,
    ::testing::Values(ProfileCase{SrtpProfile::kAesCm128HmacSha1_80, "AES_CM_128_HMAC_SHA1_80"},
                      ProfileCase{SrtpProfile::kAesCm128HmacSha1_32, "AES_CM_128_HMAC_SHA1_32"},
                      ProfileCase{SrtpProfile::kAeadAes128Gcm, "AEAD_AES_128_GCM"},
                      ProfileCase{SrtpProfile::kAeadAes256Gcm, "AEAD_AES_256_GCM"}),
    [](const ::testing::TestParamInfo<ProfileCase>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace rtpgate::dp::srtp
