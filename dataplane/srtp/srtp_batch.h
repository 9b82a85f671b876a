// Burst SRTP/SRTCP protect and unprotect on one intel-ipsec-mb manager (one per lcore).
// Every packet of a burst becomes one job; all jobs are submitted, then the manager is flushed.
#pragma once

#include <intel-ipsec-mb.h>

#include <cstdint>

#include "srtp/srtp_context.h"

namespace rtpgate::dp::srtp {

// In-place packet: len grows on protect (tag, SRTCP index) and shrinks on unprotect.
struct SrtpPacket {
  uint8_t* buf;
  uint32_t len;
  uint32_t capacity;
  SrtpContext* ctx;
};

// kResynced: accepted, and the receive state was re-synchronised on this packet (see
// SrtpContext): the caller treats it as kOk and counts it.
enum class SrtpResult : uint8_t { kOk, kAuthFail, kReplayFail, kBadLength, kResynced };

// Extra bytes past len that protect needs (tag + SRTCP trailer + room for the ROC during HMAC).
inline constexpr uint32_t kSrtpMaxTrailer = 32;

class SrtpBatch {
 public:
  static constexpr uint32_t kMaxBurst = 64;

  SrtpBatch();  // allocates and initialises the manager (best arch: AVX512/AVX2/...)
  ~SrtpBatch();
  SrtpBatch(const SrtpBatch&) = delete;
  SrtpBatch& operator=(const SrtpBatch&) = delete;

  bool ok() const { return mgr_ != nullptr; }
  IMB_ARCH arch() const { return arch_; }

  // Any n; processed in chunks of kMaxBurst. res[i] is written for every packet. On a failed
  // unprotect the packet's bytes are undefined (it must be dropped); len is left unchanged.
  void protect_rtp(SrtpPacket* pkts, SrtpResult* res, uint32_t n);
  void unprotect_rtp(SrtpPacket* pkts, SrtpResult* res, uint32_t n);
  void protect_rtcp(SrtpPacket* pkts, SrtpResult* res, uint32_t n);
  void unprotect_rtcp(SrtpPacket* pkts, SrtpResult* res, uint32_t n);

  enum class Op : uint8_t { kProtectRtp, kUnprotectRtp, kProtectRtcp, kUnprotectRtcp };

 private:
  struct alignas(64) Slot {
    alignas(16) uint8_t iv[16];
    alignas(16) uint8_t tag[16];   // computed tag (HMAC 12-byte output or GCM 16)
    alignas(16) uint8_t rtag[16];  // received tag (unprotect)
    alignas(16) uint8_t aad[16];   // SRTCP-GCM AAD (header || E+index)
    uint64_t index;
    uint32_t new_len;
    uint32_t ssrc;
    uint8_t tag_len;
    bool candidate;  // unprotect: authenticated as a re-synchronisation candidate
    bool pending;  // job submitted
    bool job_ok;   // job completed without error
  };

  template <Op kOp>
  void run(SrtpPacket* pkts, SrtpResult* res, uint32_t n);
  template <Op kOp>
  bool prepare(SrtpPacket& p, Slot& s, IMB_JOB* job, SrtpResult& r);
  template <Op kOp>
  bool prepare_rtp(SrtpPacket& p, Slot& s, IMB_JOB* job, SrtpResult& r);
  template <Op kOp>
  bool prepare_rtcp(SrtpPacket& p, Slot& s, IMB_JOB* job, SrtpResult& r);
  template <Op kOp>
  void finish(SrtpPacket& p, Slot& s, SrtpResult& r);
  void mark(IMB_JOB* job);

  IMB_MGR* mgr_ = nullptr;
  IMB_ARCH arch_ = IMB_ARCH_NONE;
  Slot slots_[kMaxBurst];
};

}  // namespace rtpgate::dp::srtp
