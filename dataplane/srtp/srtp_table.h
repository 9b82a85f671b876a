// The data plane's private SRTP contexts, one per entry of the region's SRTP key table,
// and one SrtpBatch (intel-ipsec-mb manager) per worker. Contexts are built from the
// region's key entries by the command lcore (SRTP_SET), read by workers through
// get(), retired by SRTP_DEL and wiped after a QSBR grace period. Keys never leave it.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "rtpgate/errc.h"
#include "rtpgate/shm/srtp_entry.h"
#include "srtp/srtp_batch.h"
#include "srtp/srtp_context.h"

namespace rtpgate::dp::srtp {

class SrtpTable {
 public:
  static constexpr uint32_t kMaxWorkers = 16;

  SrtpTable() = default;
  ~SrtpTable();
  SrtpTable(const SrtpTable&) = delete;
  SrtpTable& operator=(const SrtpTable&) = delete;

  // Preallocates `capacity` contexts (entry 0 unused) and one batch per worker.
  bool init(uint32_t capacity, uint32_t n_workers, int socket_id, std::string* why);
  uint32_t capacity() const noexcept { return capacity_; }
  uint32_t live() const noexcept { return n_live_; }
  // Sticky: some context was set or some flow named one. Until then workers skip the SRTP
  // stage entirely (one relaxed load per burst).
  bool used() const noexcept { return __atomic_load_n(&used_, __ATOMIC_RELAXED); }
  void mark_used() noexcept { __atomic_store_n(&used_, true, __ATOMIC_RELAXED); }
  // An index flow params may name (0 and RTPGATE_SRTP_NONE are "no context").
  static bool is_index(uint32_t idx) noexcept { return idx != 0 && idx != RTPGATE_SRTP_NONE; }

  // Workers: the context behind `idx` if it is set, else nullptr.
  [[gnu::always_inline]] SrtpContext* get(uint32_t idx) const noexcept {
    if (idx >= capacity_ || __atomic_load_n(&live_[idx], __ATOMIC_ACQUIRE) == 0) return nullptr;
    return &ctx_[idx];
  }
  SrtpBatch* batch(uint32_t worker) const noexcept { return worker < n_batches_ ? batches_[worker].get() : nullptr; }

  // Command lcore. Builds the context of entry `idx` (KDF, key expansion). Fails with
  // FlowExists when the index is live (rekeying uses a new entry), BadParam on a bad
  // profile/direction/length.
  Errc set(uint32_t idx, const rtpgate_shm_srtp_entry& e) noexcept;
  // Unpublishes the context; wipe() it once no worker can still hold it.
  Errc retire(uint32_t idx) noexcept;
  void wipe(uint32_t idx) noexcept;
  // Direction of a live context (build_action checks flows name the right kind).
  bool is_direction(uint32_t idx, SrtpDirection d) const noexcept {
    const SrtpContext* c = get(idx);
    return c != nullptr && c->direction() == d;
  }

 private:
  SrtpContext* ctx_ = nullptr;   // capacity_ contexts (rte_zmalloc)
  uint8_t* live_ = nullptr;      // 1 = published (writer: command lcore)
  uint32_t capacity_ = 0;
  uint32_t n_live_ = 0;
  bool used_ = false;
  std::unique_ptr<SrtpBatch> batches_[kMaxWorkers];
  uint32_t n_batches_ = 0;
};

}  // namespace rtpgate::dp::srtp
