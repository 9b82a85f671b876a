// A recorder thread (a DPDK control thread, never a worker): opens and closes the .mjr
// files of the recording entries it serves (entry % rec_threads), drains the workers'
// rings of copies and writes them in batches. The only place the data plane writes files.
// It naps when idle; a slow disk only fills its rings, and workers then drop copies
// (counted per recording), never packets being forwarded. Each file is written out
// rec_flush_ms after its buffer got its first packet (a queue of deadlines, a bounded number
// per pass), so a million open recordings never stall the rings behind one long flush.
#pragma once
#include <pthread.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "lcore/dp_context.h"
#include "record/fd_lru.h"
#include "record/rec_file.h"

namespace rtpgate::dp {

class Recorder {
 public:
  Recorder(DpContext& dp, uint32_t index, uint32_t n_workers, rtpgate_shm_lcore_stats* stats);
  ~Recorder();
  bool start();
  // Finishes: every queued request and copy is handled, every file closed. Call after the
  // workers stopped (their last copies are then in the rings).
  void stop();

  // One pass of the loop (tests drive it without the thread); returns work done.
  uint32_t poll(uint64_t now_mono_ns);
  // How many of its recordings hold a file descriptor at once (default: its share of
  // RLIMIT_NOFILE, see fd_lru.h); tests set a small one.
  void set_fd_budget(uint32_t n) noexcept { fds_.set_budget(n); }
  const rec::FdLru& fds() const noexcept { return fds_; }

 private:
  static void* thread_main(void* self);
  void run();
  uint32_t drain_requests();
  uint32_t drain_copies(uint32_t max_per_ring, uint64_t now_ns);
  uint32_t flush_due(uint64_t now_ns, uint32_t max);
  void open_file(const RecRequest& r);
  void close_file(const RecRequest& r);
  void publish_stats() noexcept;

  struct Open {
    uint32_t gen = 0;
    std::unique_ptr<rec::RecFile> file;  // null: not recording
  };
  // The open recording in entry `slot` with generation `gen`, or null.
  Open* find(uint32_t slot, uint32_t gen) noexcept {
    if (slot >= files_.size() || files_[slot].file == nullptr || files_[slot].gen != gen) return nullptr;
    return &files_[slot];
  }
  void end(Open& o);  // closes the file and frees the entry's slot here
  DpContext& dp_;
  uint32_t index_;
  uint32_t n_workers_;
  rtpgate_shm_lcore_stats* stats_;
  uint64_t ctr_[RTPGATE_SHM_MAX_COUNTERS]{};
  rec::FdLru fds_;  // before files_: outlives them
  uint64_t parked_published_ = 0;
  uint64_t open_failures_ = 0;
  std::vector<Open> files_;  // by recording entry (rec_capacity; this thread's entries used)
  struct Due {
    uint64_t at_ns;  // when the file's buffer is written out
    uint32_t slot, gen;
  };
  std::deque<Due> due_;  // in deadline order (one flush interval for all)
  uint64_t last_publish_ns_ = 0;
  pthread_t tid_{};
  bool running_ = false;
  std::atomic<bool> stop_{false};
};

// Creates the pool and rings of dp.rec for n_workers workers (cfg.rec_*); false + *why.
bool create_rec_rings(DpContext& dp, uint32_t n_workers, std::string* why);
void free_rec_rings(DpContext& dp, uint32_t n_workers);

}  // namespace rtpgate::dp
