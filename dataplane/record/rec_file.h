// One .mjr recording being written by a recorder thread: the file, its write buffer, the
// RTP continuity state and the status block control reads. Only complete frames ever reach
// the file, so a recording closed at any point (stop, hangup, shutdown, disk full) or cut
// by a kill is a valid .mjr. POSIX only (no DPDK): the recorder thread and unit tests.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "record/fd_lru.h"
#include "record/mjr_format.h"
#include "record/rec_switch.h"
#include "rtpgate/shm/rec_entry.h"

namespace rtpgate::dp::rec {

struct RecFileSpec {
  std::string path;          // absolute; missing directories are created (0755)
  std::string codec;
  std::string fmtp;
  MjrMedium medium = MjrMedium::Audio;
  uint32_t clock_hz = 0;     // 0 = the codec's usual clock
  int video_orient_ext = 0;
  size_t buffer_bytes = 32 * 1024;  // the most a file buffers (it starts small and grows)
};

class RecFile {
 public:
  // `status`: where the state and counters are published (may be a private block); `fds`:
  // the descriptor budget this file shares (none: it keeps its descriptor while open).
  explicit RecFile(rtpgate_shm_rec_status* status, FdLru* fds = nullptr) noexcept : st_(status), fds_(fds) {}
  ~RecFile() { close(); }
  RecFile(const RecFile&) = delete;
  RecFile& operator=(const RecFile&) = delete;

  // Creates the file and writes the magic; false (state FAILED, err = errno) otherwise.
  bool open(const RecFileSpec& spec, uint64_t now_real_us);
  // One plain RTP packet arriving at rx_ns (CLOCK_MONOTONIC); its seq/ts/SSRC are rewritten
  // in place for continuity. False when it was not recorded (counted in drops_write).
  bool write(uint8_t* rtp, uint32_t len, uint64_t rx_ns, uint64_t now_mono_ns, uint64_t now_real_us);
  // Resume after a pause: the next packet continues the numbering.
  void rebase() noexcept { rec_switch_request_rebase(sw_); }
  // Writes the buffer out. On failure (disk full) the file is cut back to its last complete
  // frame and closed (state FAILED); false.
  bool flush();
  bool dirty() const noexcept { return used_ != 0; }
  void close();
  bool is_open() const noexcept { return fd_ >= 0 || parked_; }
  bool holds_fd() const noexcept { return fd_ >= 0; }
  size_t buffer_bytes() const noexcept { return alloc_; }  // allocated so far

 private:
  bool put(const uint8_t* p, size_t n);
  // Room for n more bytes: grows the buffer (doubling, up to cap_) or flushes it; false when
  // neither makes room.
  bool room(size_t n);
  void fail(int err);
  bool drop() noexcept;  // counts and publishes a packet not recorded; false
  void publish() noexcept;
  // Gives the descriptor back (FdLru); the recording stays open and reopens at its next write-out.
  void park() noexcept;
  bool reopen();
  int open_fd(int flags);
  void close_fd() noexcept;
  friend class FdLru;

  rtpgate_shm_rec_status* st_;
  FdLru* fds_;
  RecFile* lru_prev_ = nullptr;
  RecFile* lru_next_ = nullptr;
  bool lru_linked_ = false;
  bool parked_ = false;
  int fd_ = -1;
  std::unique_ptr<uint8_t[]> buf_;
  size_t cap_ = 0, alloc_ = 0, used_ = 0;  // most, allocated, in use
  uint64_t durable_ = 0;          // bytes in the file, always at a frame boundary
  uint32_t frames_in_buf_ = 0;
  RecSwitch sw_;
  RecFileSpec spec_;
  uint32_t clock_ = 0;
  uint64_t created_us_ = 0;
  uint64_t first_ns_ = 0;
  bool header_ = false;
  bool failed_ = false;
  uint64_t frames_ = 0, drops_ = 0;
  uint32_t last_in_ssrc_ = 0;
  uint64_t ssrc_changes_ = 0;
};

}  // namespace rtpgate::dp::rec
