// The SIP guard's verdict for a burst's SIP datagrams on one worker: scan each datagram
// (sip_scanner.h), then the highest action decides; ratelimit hits take a token from the
// source's bucket of that rule. Counts per action and per rule into the worker's guard
// block. No allocation, no locks; worker lcores (and tests, benchmarks, fuzzers).
#pragma once
#include <cstdint>

#include "rtpgate/shm/guard_block.h"
#include "sipguard/guard_db.h"
#include "sipguard/sip_datagram.h"
#include "sipguard/source_buckets.h"

namespace rtpgate::dp::sipguard {

enum class Verdict : uint8_t { Pass, Drop, RateLimited };

// One worker's guard state. Built at start-up; written by its worker only.
class GuardLcore {
 public:
  // `stats`: the worker's block in the shared region; nullptr = a private one (tests).
  GuardLcore(uint32_t worker, uint32_t sources, rtpgate_shm_guard_lcore* stats);
  GuardLcore(const GuardLcore&) = delete;
  GuardLcore& operator=(const GuardLcore&) = delete;

  uint32_t worker() const noexcept { return worker_; }
  rtpgate_shm_guard_lcore& stats() noexcept { return *stats_; }
  const SourceBuckets& buckets() const noexcept { return buckets_; }

  // Screens n datagrams with `db`; out[i] is datagram i's verdict.
  void screen_burst(const GuardDb& db, const SipDatagram* d, uint32_t n, Verdict* out, uint64_t now_tsc,
                    uint64_t tsc_hz) noexcept;

 private:
  // First datagram screened with a new rule set: its rule counters start from zero.
  void adopt(const GuardDb& db) noexcept;
  Verdict decide(const GuardDb& db, const SipDatagram& d, uint64_t now_tsc, uint64_t tsc_hz) noexcept;

  uint32_t worker_;
  uint64_t gen_ = 0;
  bool adopted_ = false;
  uint32_t bucket_gen_ = 0;
  SourceBuckets buckets_;
  rtpgate_shm_guard_lcore* stats_;
  rtpgate_shm_guard_lcore own_{};
};

}  // namespace rtpgate::dp::sipguard
