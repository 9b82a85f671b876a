// Raw intel-ipsec-mb and libsrtp2 reference rates (see raw_ceiling.h).
#include "raw_ceiling.h"
#include "raw_job.h"

#include <intel-ipsec-mb.h>
#include <rte_cycles.h>
#include <srtp2/srtp.h>

#include <cstring>

#include "../../tests/srtp/libsrtp_policy.h"

namespace rtpgate::perf {
namespace {

constexpr uint32_t kBurst = 32;
constexpr uint32_t kLen = 172;
constexpr uint32_t kStride = 256;
constexpr uint32_t kSessions = 1000;

struct Mgr {
  IMB_MGR* m = alloc_mb_mgr(0);
  IMB_ARCH arch = IMB_ARCH_NONE;
  Mgr() {
    if (m != nullptr) init_mb_mgr_auto(m, &arch);
  }
  ~Mgr() {
    if (m != nullptr) free_mb_mgr(m);
  }
};
Mgr& mgr() {
  static Mgr g;
  return g;
}

void make_rtp(uint8_t* b, uint32_t ssrc, uint16_t seq) {
  b[0] = 0x80;
  b[1] = 0;
  b[2] = uint8_t(seq >> 8);
  b[3] = uint8_t(seq);
  std::memset(b + 4, 0, 4);
  for (int i = 0; i < 4; i++) b[8 + i] = uint8_t(ssrc >> (24 - 8 * i));
  for (uint32_t i = 12; i < kLen; i++) b[i] = uint8_t(i * 31 + seq);
}

}  // namespace

const char* raw_arch_name() {
  static const char* kArch[] = {"none", "noaesni", "sse", "avx", "avx2", "avx512"};
  const int a = static_cast<int>(mgr().arch);
  return a >= 0 && a < 6 ? kArch[a] : "?";
}

double raw_ceiling_mpps(dp::srtp::SrtpProfile p, const std::vector<const dp::srtp::SrtpStreamKeys*>& keys,
                        bool decrypt, double seconds) {
  const auto& info = dp::srtp::srtp_profile_info(p);
  IMB_MGR* m = mgr().m;
  alignas(64) static uint8_t work[kBurst * kStride];
  alignas(16) uint8_t iv[kBurst][16] = {};
  alignas(16) uint8_t tag[kBurst][16];
  for (uint32_t j = 0; j < kBurst; j++) make_rtp(&work[j * kStride], j, 0);
  const uint64_t budget = static_cast<uint64_t>(seconds * double(rte_get_tsc_hz()));
  uint64_t tsc = 0, pkts = 0;
  size_t rr = 0;
  while (tsc < budget) {
    const uint64_t t0 = rte_rdtsc();
    for (uint32_t j = 0; j < kBurst; j++) {
      const dp::srtp::SrtpStreamKeys& k = *keys[rr];
      rr = rr + 1 == keys.size() ? 0 : rr + 1;
      uint8_t* b = &work[j * kStride];
      IMB_JOB* job = IMB_GET_NEXT_JOB(m);
      set_raw_srtp_job(job, info, k, b, kLen, iv[j], tag[j], decrypt);
      IMB_JOB* d = IMB_SUBMIT_JOB(m);
      while (d != nullptr) d = m->get_completed_job(m);
    }
    while (IMB_FLUSH_JOB(m) != nullptr) {
    }
    tsc += rte_rdtsc() - t0;
    pkts += kBurst;
  }
  return double(pkts) * double(rte_get_tsc_hz()) / double(tsc) / 1e6;
}

double libsrtp_mpps(dp::srtp::SrtpProfile p, bool unprotect, double seconds) {
  const uint32_t seqs = 64;
  std::vector<uint8_t> keys(size_t{kSessions} * 46);
  for (size_t i = 0; i < keys.size(); i++) keys[i] = uint8_t(i * 131 + 7);
  auto sessions = [&](srtp_ssrc_type_t type) {
    std::vector<srtp_t> v(kSessions);
    for (uint32_t i = 0; i < kSessions; i++) {
      srtp_policy_t pol;
      std::memset(&pol, 0, sizeof(pol));
      dp::srtp::test::set_lib_policy(p, pol);
      pol.ssrc.type = type;
      pol.key = &keys[size_t{i} * 46];
      pol.window_size = 128;
      srtp_create(&v[i], &pol);
    }
    return v;
  };
  std::vector<uint8_t> pkts(size_t{kSessions} * seqs * kStride);
  std::vector<int> lens(size_t{kSessions} * seqs, kLen);
  for (uint32_t s = 0; s < seqs; s++)
    for (uint32_t i = 0; i < kSessions; i++) make_rtp(&pkts[(size_t{s} * kSessions + i) * kStride], 0x1000 + i, uint16_t(s));
  if (unprotect) {
    std::vector<srtp_t> tx = sessions(ssrc_any_outbound);
    for (uint32_t s = 0; s < seqs; s++)
      for (uint32_t i = 0; i < kSessions; i++) srtp_protect(tx[i], &pkts[(size_t{s} * kSessions + i) * kStride], &lens[size_t{s} * kSessions + i]);
    for (auto x : tx) srtp_dealloc(x);
  }
  const uint64_t budget = static_cast<uint64_t>(seconds * double(rte_get_tsc_hz()));
  uint64_t tsc = 0, n = 0;
  alignas(64) static uint8_t work[kBurst * kStride];
  std::vector<uint16_t> seq(kSessions, 0);
  while (tsc < budget) {
    std::vector<srtp_t> v = sessions(unprotect ? ssrc_any_inbound : ssrc_any_outbound);
    for (size_t pos = 0; pos + kBurst <= lens.size() && tsc < budget; pos += kBurst) {
      int len[kBurst];
      for (uint32_t j = 0; j < kBurst; j++) {
        std::memcpy(&work[j * kStride], &pkts[(pos + j) * kStride], static_cast<size_t>(lens[pos + j]));
        len[j] = lens[pos + j];
        if (!unprotect) {
          const uint16_t s = seq[(pos + j) % kSessions]++;
          work[j * kStride + 2] = uint8_t(s >> 8);
          work[j * kStride + 3] = uint8_t(s);
        }
      }
      const uint64_t t0 = rte_rdtsc();
      for (uint32_t j = 0; j < kBurst; j++) {
        srtp_t sess = v[(pos + j) % kSessions];
        if (unprotect) srtp_unprotect(sess, &work[j * kStride], &len[j]);
        else srtp_protect(sess, &work[j * kStride], &len[j]);
      }
      tsc += rte_rdtsc() - t0;
      n += kBurst;
    }
    for (auto x : v) srtp_dealloc(x);
  }
  return double(n) * double(rte_get_tsc_hz()) / double(tsc) / 1e6;
}

}  // namespace rtpgate::perf
