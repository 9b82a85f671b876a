// The recorder's descriptor budget (see fd_lru.h).
#include "record/fd_lru.h"

#include "record/rec_file.h"

namespace rtpgate::dp::rec {

void FdLru::unlink(RecFile* f) noexcept {
  (f->lru_prev_ != nullptr ? f->lru_prev_->lru_next_ : head_) = f->lru_next_;
  (f->lru_next_ != nullptr ? f->lru_next_->lru_prev_ : tail_) = f->lru_prev_;
  f->lru_prev_ = f->lru_next_ = nullptr;
  f->lru_linked_ = false;
  held_--;
}

void FdLru::park_head() noexcept {
  RecFile* victim = head_;
  unlink(victim);
  victim->park();
  parked_++;
}

void FdLru::trim(const RecFile* keep) noexcept {
  while (held_ > budget_ && head_ != nullptr && head_ != keep) park_head();
}

void FdLru::touch(RecFile* f) noexcept {
  if (f->lru_linked_) unlink(f);
  f->lru_prev_ = tail_;
  f->lru_next_ = nullptr;
  (tail_ != nullptr ? tail_->lru_next_ : head_) = f;
  tail_ = f;
  f->lru_linked_ = true;
  held_++;
  trim(f);
}

void FdLru::forget(RecFile* f) noexcept {
  if (f->lru_linked_) unlink(f);
}

bool FdLru::shed() noexcept {
  if (head_ == nullptr) return false;
  park_head();
  budget_ = held_ != 0 ? held_ : 1;
  return true;
}

void FdLru::set_budget(uint32_t budget) noexcept {
  budget_ = budget != 0 ? budget : 1;
  trim(nullptr);
}

}  // namespace rtpgate::dp::rec
