// rtpgate-perf: what the generator sent, per flow, for the SRTP runs. A pre-protected SRTP
// packet cannot carry the send time (changing a byte breaks its tag), and a packet the data
// plane protects hides the stamp from the sink; so the generator notes (sequence, trial, TSC)
// of every packet in a small ring per flow, and the sink rebuilds the stamp from the flow
// (its address and port) and the RTP sequence number. record() runs on the generator's lcore
// at send, lookup() there at receive.
#pragma once
#include <cstdint>
#include <vector>

#include "stamp.h"

namespace rtpgate::perf {

class SendLog {
 public:
  // Ring slots per flow: a power of two, 256 for small flow counts, fewer (at least 16) as
  // the flows grow (about 4 M slots in all); a packet later than that many sends of its
  // flow is not matched.
  explicit SendLog(uint32_t n_flows) : n_flows_(n_flows) {
    uint32_t slots = 256;
    while (slots > 16 && uint64_t{slots} * n_flows > (uint64_t{1} << 22)) slots /= 2;
    mask_ = slots - 1;
    ring_.resize(size_t{n_flows} * slots);
    rx_next_.assign(n_flows, 0);
  }

  [[gnu::always_inline]] void record(uint32_t flow, uint32_t seq, uint32_t epoch, uint64_t tsc) noexcept {
    ring_[(size_t{flow} << shift()) + (seq & mask_)] = Entry{seq, epoch, tsc};
  }

  // The stamp of flow `flow`'s packet with RTP sequence number `seq16` (extended to 32 bits
  // around the flow's highest sequence received so far); false when the ring no longer (or
  // never) held it.
  [[gnu::always_inline]] bool lookup(uint32_t flow, uint16_t seq16, Stamp* s) noexcept {
    if (flow >= n_flows_) [[unlikely]] return false;
    uint32_t& next = rx_next_[flow];
    const uint32_t seq = next + static_cast<uint32_t>(static_cast<int16_t>(static_cast<uint16_t>(seq16 - next)));
    const Entry& e = ring_[(size_t{flow} << shift()) + (seq & mask_)];
    if (e.seq != seq || e.tsc == 0) return false;
    if (static_cast<int32_t>(seq - next) >= 0) next = seq + 1;
    *s = Stamp{kStampMagic, flow, seq, e.epoch, e.tsc};
    return true;
  }

  uint32_t slots() const noexcept { return mask_ + 1; }

 private:
  struct Entry {
    uint32_t seq = 0;
    uint32_t epoch = 0;
    uint64_t tsc = 0;
  };
  uint32_t shift() const noexcept { return static_cast<uint32_t>(__builtin_ctz(mask_ + 1)); }
  uint32_t n_flows_;
  uint32_t mask_;
  std::vector<Entry> ring_;
  std::vector<uint32_t> rx_next_;  // per flow: highest sequence received + 1
};

}  // namespace rtpgate::perf
