// The recorder's budget of open file descriptors. Every recording stays open (its buffer,
// continuity state and counters), but only the `budget` most recently written hold a
// descriptor: when another needs one, the least recently written gives its descriptor back
// ("parked") and reopens its file (O_APPEND) at its next write-out. The number of recordings
// is then bounded by memory, not by RLIMIT_NOFILE (which a container may not be allowed to
// raise); a budget smaller than the busy recordings costs an open() per write-out.
// Not thread-safe: one per recorder thread.
#pragma once
#include <cstdint>

namespace rtpgate::dp::rec {

class RecFile;

class FdLru {
 public:
  explicit FdLru(uint32_t budget) noexcept : budget_(budget != 0 ? budget : 1) {}
  FdLru(const FdLru&) = delete;
  FdLru& operator=(const FdLru&) = delete;

  // `f` holds a descriptor and has just used it: it becomes the most recent, and the least
  // recent ones are parked while more than `budget` hold one.
  void touch(RecFile* f) noexcept;
  // `f` closed its descriptor (closed or failed recording).
  void forget(RecFile* f) noexcept;
  void set_budget(uint32_t budget) noexcept;
  // The process ran out of descriptors (EMFILE/ENFILE) below the budget: the least recent
  // holder gives its descriptor back and the budget drops to what is held now. False when
  // nothing holds one.
  bool shed() noexcept;

  uint32_t budget() const noexcept { return budget_; }
  uint32_t held() const noexcept { return held_; }
  uint64_t parked() const noexcept { return parked_; }  // descriptors given back so far

 private:
  void unlink(RecFile* f) noexcept;
  void park_head() noexcept;  // the least recent holder gives its descriptor back
  void trim(const RecFile* keep) noexcept;

  RecFile* head_ = nullptr;  // least recently used
  RecFile* tail_ = nullptr;  // most recently used
  uint32_t budget_;
  uint32_t held_ = 0;
  uint64_t parked_ = 0;
};

}  // namespace rtpgate::dp::rec
