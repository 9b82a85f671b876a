// What workers, the command lcore and recorder threads share for recording: the copy
// buffers' pool, worker -> recorder rings of copies, and command -> recorder request rings.
// Recording entry `slot` is served by recorder thread slot % n_threads, so one file is only
// ever written by one thread and its requests and copies stay in order.
#pragma once
#include <rte_mempool.h>
#include <rte_ring.h>

#include <cstdint>

#include "rtpgate/shm/rec_entry.h"

namespace rtpgate::dp {

constexpr uint32_t kMaxRecThreads = 8;
constexpr uint32_t kRecMaxWorkers = 16;
constexpr uint32_t kRecMaxPacket = 1500;  // janus-pp-rec skips longer RTP (mjr-format.md §5)

// Prepended to each copy in its mbuf.
struct RecCopyHdr {
  uint32_t slot;    // recording entry
  uint32_t gen;     // the entry's version when the flow was programmed
  uint64_t rx_ns;   // CLOCK_MONOTONIC arrival (or send) time
  uint32_t flow_id; // the flow copied (lost copies are counted on it)
  uint32_t tx;      // 1: control's packet sent on the flow, 0: received on it
};

// Command lcore -> recorder thread (by value: the entry may be reused once REC_STOP completed).
enum class RecOp : uint32_t { Open = 1, Close = 2 };
struct RecRequest {
  RecOp op;
  uint32_t slot;
  uint32_t gen;
  uint8_t medium;           // RTPGATE_REC_AUDIO / _VIDEO
  uint8_t video_orient_ext;
  uint8_t pad[2];
  uint32_t clock_hz;
  char codec[RTPGATE_REC_CODEC_MAX];
  char fmtp[RTPGATE_REC_FMTP_MAX];
  char path[RTPGATE_REC_PATH_MAX];
};
static_assert(sizeof(RecRequest) % 4 == 0, "rte_ring elements are multiples of 4 bytes");

struct RecRings {
  uint32_t n_threads = 0;                        // 0 = recording disabled (rec_capacity 0)
  rte_mempool* pool = nullptr;                   // copies
  rte_ring* in[kRecMaxWorkers][kMaxRecThreads]{}; // worker -> recorder (SP/SC, mbuf pointers)
  rte_ring* req[kMaxRecThreads]{};                // command lcore -> recorder (RecRequest)
  uint32_t thread_of(uint32_t slot) const noexcept { return slot % n_threads; }
};

}  // namespace rtpgate::dp
