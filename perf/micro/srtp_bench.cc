// rtpgate-srtp-bench: SRTP protect/unprotect packets/s on one core for 172-byte RTP, per profile,
// bursts of 32 over 1,000 contexts (round-robin), next to the raw intel-ipsec-mb burst rate for the
// same cipher+auth on the same buffers (ceiling) and Debian libsrtp2 per packet (status quo).
// Usage: rtpgate-srtp-bench [seconds-per-cell, default 0.5] [contexts, default 1000]
//        [rounds of ours/raw, best kept, default 3]
#include <srtp2/srtp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "srtp/srtp_batch.h"
#include "srtp/srtp_context.h"
#include "../../tests/srtp/libsrtp_policy.h"
#include "../srtp/raw_job.h"

namespace {

using rtpgate::dp::srtp::SrtpBatch;
using rtpgate::dp::srtp::SrtpContext;
using rtpgate::dp::srtp::SrtpDirection;
using rtpgate::dp::srtp::SrtpPacket;
using rtpgate::dp::srtp::SrtpProfile;
using rtpgate::dp::srtp::SrtpProfileInfo;
using rtpgate::dp::srtp::SrtpResult;
using rtpgate::dp::srtp::srtp_profile_info;
using rtpgate::dp::srtp::test::set_lib_policy;
using Clock = std::chrono::steady_clock;

constexpr uint32_t kBurst = 32;
constexpr uint32_t kPktLen = 172;  // 12 header + 160 payload
constexpr uint32_t kStride = 256;
constexpr uint32_t kMaxLibSessions = 1000;

struct Cell {
  double mpps = 0;
  uint64_t errors = 0;
};

void make_rtp(uint8_t* b, uint32_t ssrc, uint16_t seq) {
  b[0] = 0x80;
  b[1] = 0;
  b[2] = static_cast<uint8_t>(seq >> 8);
  b[3] = static_cast<uint8_t>(seq);
  std::memset(b + 4, 0, 4);
  for (int i = 0; i < 4; ++i) b[8 + i] = static_cast<uint8_t>(ssrc >> (24 - 8 * i));
  for (uint32_t i = 12; i < kPktLen; ++i) b[i] = static_cast<uint8_t>(i * 31 + seq);
}


class ProfileBench {
 public:
  ProfileBench(SrtpProfile p, uint32_t n_ctx, double secs)
      : profile_(p), info_(srtp_profile_info(p)), n_(n_ctx), secs_(secs),
        seq_per_ctx_(std::max<uint32_t>(2, std::min<uint32_t>(64, 64000 / n_ctx))),
        tx_(new SrtpContext[n_ctx]), rx_(new SrtpContext[n_ctx]),
        keys_(static_cast<size_t>(n_ctx) * 46), plain_(static_cast<size_t>(n_ctx) * kStride),
        prot_(static_cast<size_t>(n_ctx) * seq_per_ctx_ * kStride), prot_len_(n_ctx),
        seq_(n_ctx, 0), work_(kBurst * kStride) {
    std::mt19937 rng(42);
    for (auto& k : keys_) k = static_cast<uint8_t>(rng());
    for (uint32_t i = 0; i < n_; ++i) {
      init_ctx(tx_[i], i, SrtpDirection::kProtect);
      init_ctx(rx_[i], i, SrtpDirection::kUnprotect);
      make_rtp(&plain_[i * kStride], 0x10000 + i, 0);
    }
    // Pre-protect seq_per_ctx_ packets per context (seq 0..63) with our path (verified against
    // libsrtp2 by rtpgate_srtp_test).
    SrtpContext* tmp = new SrtpContext[n_];
    for (uint32_t i = 0; i < n_; ++i) init_ctx(tmp[i], i, SrtpDirection::kProtect);
    std::vector<SrtpPacket> v(seq_per_ctx_);
    std::vector<SrtpResult> r(seq_per_ctx_);
    uint64_t bad = 0;
    for (uint32_t i = 0; i < n_; ++i) {
      for (uint32_t s = 0; s < seq_per_ctx_; ++s) {
        uint8_t* b = &prot_[(static_cast<size_t>(i) * seq_per_ctx_ + s) * kStride];
        make_rtp(b, 0x10000 + i, static_cast<uint16_t>(s));
        v[s] = {b, kPktLen, kStride, &tmp[i]};
      }
      batch_.protect_rtp(v.data(), r.data(), seq_per_ctx_);
      prot_len_[i] = v[0].len;
      for (auto x : r) bad += x != SrtpResult::kOk;
    }
    if (bad != 0) std::fprintf(stderr, "template protect failures: %lu\n", static_cast<unsigned long>(bad));
    delete[] tmp;
  }

  Cell ours_protect() {
    SrtpPacket pk[kBurst];
    SrtpResult res[kBurst];
    uint32_t rr = 0;
    return timed([&](uint64_t& errors) {
      for (uint32_t j = 0; j < kBurst; ++j) {
        const uint32_t c = rr;
        rr = rr + 1 == n_ ? 0 : rr + 1;
        uint8_t* b = &work_[j * kStride];
        std::memcpy(b, &plain_[c * kStride], kPktLen);
        const uint16_t s = seq_[c]++;
        b[2] = static_cast<uint8_t>(s >> 8);
        b[3] = static_cast<uint8_t>(s);
        pk[j] = {b, kPktLen, kStride, &tx_[c]};
      }
      batch_.protect_rtp(pk, res, kBurst);
      for (uint32_t j = 0; j < kBurst; ++j) errors += res[j] != SrtpResult::kOk;
    });
  }

  Cell ours_unprotect() {
    SrtpPacket pk[kBurst];
    SrtpResult res[kBurst];
    uint64_t pos = 0;  // (seq, ctx) walk: ctx fastest
    bool fresh = false;  // receiver contexts are re-created (untimed) before the first chunk
    const uint32_t chunk = std::max<uint32_t>(1, std::min<uint32_t>(64, n_ * seq_per_ctx_ / kBurst));
    return timed_with_reset(
        [&](uint64_t& errors) {
          for (uint32_t j = 0; j < kBurst; ++j) {
            const uint32_t c = static_cast<uint32_t>(pos % n_);
            const uint32_t s = static_cast<uint32_t>(pos / n_);
            ++pos;
            uint8_t* b = &work_[j * kStride];
            std::memcpy(b, &prot_[(static_cast<size_t>(c) * seq_per_ctx_ + s) * kStride],
                        prot_len_[c]);
            pk[j] = {b, prot_len_[c], kStride, &rx_[c]};
          }
          batch_.unprotect_rtp(pk, res, kBurst);
          for (uint32_t j = 0; j < kBurst; ++j) errors += res[j] != SrtpResult::kOk;
        },
        [&]() {
          if (fresh && pos + chunk * kBurst <= static_cast<uint64_t>(n_) * seq_per_ctx_) return;
          for (uint32_t i = 0; i < n_; ++i) init_ctx(rx_[i], i, SrtpDirection::kUnprotect);
          pos = 0;
          fresh = true;
        },
        chunk);
  }

  // The ceiling: the same cipher+auth jobs on the same buffers, no SRTP logic.
  Cell raw(bool decrypt) {
    IMB_MGR* mgr = batch_mgr_;
    alignas(16) uint8_t iv[kBurst][16] = {};
    alignas(16) uint8_t tag[kBurst][16];
    uint32_t rr = 0;
    uint64_t pos = 0;  // decrypt: the same (seq, ctx) walk over the same buffers as ours_unprotect
    const bool gcm = info_.gcm;
    const uint32_t tag_len = info_.rtp_tag_len;
    uint32_t ctx_of[kBurst];
    return timed([&](uint64_t& errors) {
      // Same shape as the SRTP path: fill the burst's buffers first, then submit all jobs.
      for (uint32_t j = 0; j < kBurst; ++j) {
        const uint32_t c = rr;
        rr = rr + 1 == n_ ? 0 : rr + 1;
        ctx_of[j] = c;
        uint8_t* b = &work_[j * kStride];
        if (decrypt) {
          const uint64_t s = pos / n_;
          pos = pos + 1 == static_cast<uint64_t>(n_) * seq_per_ctx_ ? 0 : pos + 1;
          std::memcpy(b, &prot_[(static_cast<size_t>(c) * seq_per_ctx_ + s) * kStride],
                      prot_len_[c]);
        } else {
          std::memcpy(b, &plain_[c * kStride], kPktLen);
        }
      }
      for (uint32_t j = 0; j < kBurst; ++j) {
        const uint32_t c = ctx_of[j];
        uint8_t* b = &work_[j * kStride];
        const auto& k = rx_[c].rtp_keys();
        IMB_JOB* job = IMB_GET_NEXT_JOB(mgr);
        rtpgate::perf::set_raw_srtp_job(job, info_, k, b, kPktLen, iv[j], decrypt || !gcm ? tag[j] : b + kPktLen, decrypt);
        IMB_JOB* d = IMB_SUBMIT_JOB(mgr);
        while (d != nullptr) {
          errors += d->status != IMB_STATUS_COMPLETED;
          d = mgr->get_completed_job(mgr);
        }
      }
      IMB_JOB* d;
      while ((d = IMB_FLUSH_JOB(mgr)) != nullptr) errors += d->status != IMB_STATUS_COMPLETED;
      (void)tag_len;
    });
  }

  Cell lib_protect() {
    std::vector<srtp_t> sess = lib_sessions(ssrc_any_outbound);
    const uint32_t nl = n_lib();
    std::vector<uint16_t> seq(nl, 0);
    uint32_t rr = 0;
    Cell c = timed([&](uint64_t& errors) {
      for (uint32_t j = 0; j < kBurst; ++j) {
        const uint32_t i = rr;
        rr = rr + 1 == nl ? 0 : rr + 1;
        uint8_t* b = &work_[j * kStride];
        std::memcpy(b, &plain_[i * kStride], kPktLen);
        const uint16_t s = seq[i]++;
        b[2] = static_cast<uint8_t>(s >> 8);
        b[3] = static_cast<uint8_t>(s);
        int len = kPktLen;
        errors += srtp_protect(sess[i], b, &len) != srtp_err_status_ok;
      }
    });
    for (auto s : sess) srtp_dealloc(s);
    return c;
  }

  Cell lib_unprotect() {
    std::vector<srtp_t> sess = lib_sessions(ssrc_any_inbound);
    const uint32_t nl = n_lib();
    const uint32_t chunk = std::max<uint32_t>(1, std::min<uint32_t>(64, nl * seq_per_ctx_ / kBurst));
    uint64_t pos = 0;
    Cell c = timed_with_reset(
        [&](uint64_t& errors) {
          for (uint32_t j = 0; j < kBurst; ++j) {
            const uint32_t i = static_cast<uint32_t>(pos % nl);
            const uint32_t s = static_cast<uint32_t>(pos / nl);
            ++pos;
            uint8_t* b = &work_[j * kStride];
            std::memcpy(b, &prot_[(static_cast<size_t>(i) * seq_per_ctx_ + s) * kStride],
                        prot_len_[i]);
            int len = static_cast<int>(prot_len_[i]);
            errors += srtp_unprotect(sess[i], b, &len) != srtp_err_status_ok;
          }
        },
        [&]() {
          if (pos + chunk * kBurst <= static_cast<uint64_t>(nl) * seq_per_ctx_) return;
          for (auto s : sess) srtp_dealloc(s);
          sess = lib_sessions(ssrc_any_inbound);
          pos = 0;
        },
        chunk);
    for (auto s : sess) srtp_dealloc(s);
    return c;
  }

  void set_mgr(IMB_MGR* m) { batch_mgr_ = m; }

 private:
  void init_ctx(SrtpContext& c, uint32_t i, SrtpDirection d) {
    const uint8_t* k = &keys_[static_cast<size_t>(i) * 46];
    if (!c.init(profile_, d, k, info_.master_key_len, k + info_.master_key_len,
                info_.master_salt_len)) {
      std::fprintf(stderr, "context init failed\n");
      std::exit(1);
    }
  }

  // libsrtp2 on NSS creates sessions slowly (PK11_ImportSymKey): at most kMaxLibSessions.
  uint32_t n_lib() const { return std::min(n_, kMaxLibSessions); }

  std::vector<srtp_t> lib_sessions(srtp_ssrc_type_t type) {
    std::vector<srtp_t> v(n_lib());
    for (uint32_t i = 0; i < n_lib(); ++i) {
      srtp_policy_t pol;
      std::memset(&pol, 0, sizeof(pol));
      set_lib_policy(profile_, pol);
      pol.ssrc.type = type;
      pol.key = &keys_[static_cast<size_t>(i) * 46];
      pol.window_size = 128;
      if (srtp_create(&v[i], &pol) != srtp_err_status_ok) {
        std::fprintf(stderr, "srtp_create failed\n");
        std::exit(1);
      }
    }
    return v;
  }

  template <typename F>
  Cell timed(F&& burst) {
    return timed_with_reset(burst, [] {});
  }

  // Runs `burst` until secs_ of measured time. `reset` runs untimed between chunks of 64 bursts
  // and refills state (fresh receiver contexts/sessions) when a chunk could run out of packets.
  template <typename F, typename R>
  Cell timed_with_reset(F&& burst, R&& reset, uint32_t chunk = 64) {
    uint64_t errors = 0;
    uint64_t pkts = 0;
    Clock::duration spent{};
    const auto budget = std::chrono::duration<double>(secs_);
    while (spent < budget) {
      reset();
      const auto t0 = Clock::now();
      for (uint32_t k = 0; k < chunk; ++k) burst(errors);
      pkts += static_cast<uint64_t>(chunk) * kBurst;
      spent += Clock::now() - t0;
    }
    return {static_cast<double>(pkts) / std::chrono::duration<double>(spent).count() / 1e6,
            errors};
  }

  SrtpProfile profile_;
  const SrtpProfileInfo& info_;
  uint32_t n_;
  double secs_;
  uint32_t seq_per_ctx_;  // pre-protected packets per context for unprotect runs
  std::unique_ptr<SrtpContext[]> tx_;
  std::unique_ptr<SrtpContext[]> rx_;
  std::vector<uint8_t> keys_;
  std::vector<uint8_t> plain_;
  std::vector<uint8_t> prot_;
  std::vector<uint32_t> prot_len_;
  std::vector<uint16_t> seq_;
  std::vector<uint8_t> work_;
  SrtpBatch batch_;
  IMB_MGR* batch_mgr_ = nullptr;
};

}  // namespace

int main(int argc, char** argv) {
  const double secs = argc > 1 ? std::atof(argv[1]) : 0.5;
  const uint32_t n_ctx = argc > 2 ? static_cast<uint32_t>(std::atoi(argv[2])) : 1000;
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 3;
  if (srtp_init() != srtp_err_status_ok) return 1;
  IMB_MGR* raw_mgr = alloc_mb_mgr(0);
  IMB_ARCH arch = IMB_ARCH_NONE;
  init_mb_mgr_auto(raw_mgr, &arch);
  static const char* kArch[] = {"none", "noaesni", "sse", "avx", "avx2", "avx512"};
  std::printf("rtpgate-srtp-bench: 172-byte RTP, bursts of %u, %u contexts round-robin, "
              "%.2f s per cell, best of %d, ipsec-mb %s arch %s, libsrtp2 %s (%u sessions)\n",
              kBurst, n_ctx, secs, rounds, imb_get_version_str(), kArch[arch], srtp_get_version_string(),
              std::min(n_ctx, kMaxLibSessions));
  std::printf("%-24s %-10s %10s %10s %10s %9s %9s %s\n", "profile", "op", "ours_Mpps",
              "raw_Mpps", "libsrtp", "ours/raw", "ours/lib", "errors(ours,raw,lib)");
  std::fflush(stdout);
  const struct {
    SrtpProfile p;
    const char* name;
  } profiles[] = {{SrtpProfile::kAesCm128HmacSha1_80, "AES_CM_128_HMAC_SHA1_80"},
                  {SrtpProfile::kAesCm128HmacSha1_32, "AES_CM_128_HMAC_SHA1_32"},
                  {SrtpProfile::kAeadAes128Gcm, "AEAD_AES_128_GCM"},
                  {SrtpProfile::kAeadAes256Gcm, "AEAD_AES_256_GCM"}};
  for (const auto& pr : profiles) {
    ProfileBench b(pr.p, n_ctx, secs);
    b.set_mgr(raw_mgr);
    for (int op = 0; op < 2; ++op) {
      // Ours and the ceiling alternate `rounds` times; the best of each is kept (shared machine).
      Cell ours, raw;
      for (int r = 0; r < rounds; ++r) {
        const Cell o = op == 0 ? b.ours_protect() : b.ours_unprotect();
        const Cell w = b.raw(op == 1);
        if (o.mpps > ours.mpps) ours.mpps = o.mpps;
        if (w.mpps > raw.mpps) raw.mpps = w.mpps;
        ours.errors += o.errors;
        raw.errors += w.errors;
      }
      const Cell lib = op == 0 ? b.lib_protect() : b.lib_unprotect();
      std::printf("%-24s %-10s %10.3f %10.3f %10.3f %8.1f%% %8.1fx %lu,%lu,%lu\n", pr.name,
                  op == 0 ? "protect" : "unprotect", ours.mpps, raw.mpps, lib.mpps,
                  100.0 * ours.mpps / raw.mpps, ours.mpps / lib.mpps,
                  static_cast<unsigned long>(ours.errors), static_cast<unsigned long>(raw.errors),
                  static_cast<unsigned long>(lib.errors));
      std::fflush(stdout);
    }
  }
  free_mb_mgr(raw_mgr);
  return 0;
}
