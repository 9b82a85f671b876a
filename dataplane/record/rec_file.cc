// One .mjr recording (see rec_file.h).
#include "record/rec_file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace rtpgate::dp::rec {
namespace {

constexpr size_t kInitialBuffer = 1024;  // first allocation; doubles up to the spec's buffer_bytes

// mkdir -p of the directory part of `path` (0755).
int make_parents(const std::string& path) {
  for (size_t pos = path.find('/', 1); pos != std::string::npos; pos = path.find('/', pos + 1)) {
    const std::string dir = path.substr(0, pos);
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return errno;
  }
  return 0;
}

bool write_all(int fd, const uint8_t* p, size_t n, int* err) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      *err = errno;
      return false;
    }
    if (w == 0) return *err = ENOSPC, false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

void RecFile::publish() noexcept {
  __atomic_store_n(&st_->frames, frames_, __ATOMIC_RELAXED);
  __atomic_store_n(&st_->bytes, durable_ + used_, __ATOMIC_RELAXED);
  __atomic_store_n(&st_->drops_write, drops_, __ATOMIC_RELAXED);
  __atomic_store_n(&st_->ssrc_changes, ssrc_changes_, __ATOMIC_RELAXED);
}

bool RecFile::drop() noexcept {
  drops_++;
  publish();
  return false;
}

void RecFile::fail(int err) {
  failed_ = true;
  if (__atomic_load_n(&st_->err, __ATOMIC_RELAXED) == 0) __atomic_store_n(&st_->err, err, __ATOMIC_RELAXED);
  __atomic_store_n(&st_->state, RTPGATE_REC_ST_FAILED, __ATOMIC_RELEASE);
}

void RecFile::close_fd() noexcept {
  if (fds_ != nullptr) fds_->forget(this);
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  parked_ = false;
}

void RecFile::park() noexcept {
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
  parked_ = true;
}

int RecFile::open_fd(int flags) {
  int fd;
  // Out of descriptors below the budget (others opened meanwhile): shed one and retry.
  while ((fd = ::open(spec_.path.c_str(), flags, 0644)) < 0 && (errno == EMFILE || errno == ENFILE) &&
         fds_ != nullptr && fds_->shed()) {
  }
  return fd;
}

bool RecFile::reopen() {
  fd_ = open_fd(O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd_ < 0) return false;
  parked_ = false;
  if (fds_ != nullptr) fds_->touch(this);
  return true;
}

bool RecFile::open(const RecFileSpec& spec, uint64_t now_real_us) {
  spec_ = spec;
  std::memset(st_, 0, sizeof *st_);
  clock_ = spec.clock_hz != 0 ? spec.clock_hz : mjr_default_clock(spec.codec);
  created_us_ = now_real_us;
  MjrMedium m;
  if (!mjr_codec_medium(spec.codec, &m) || m != spec.medium) return fail(EINVAL), false;
  // Directories are made only when the file cannot be created without them (a system call
  // per path component per recording adds up over a million recordings).
  constexpr int kCreate = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
  fd_ = open_fd(kCreate);
  if (fd_ < 0 && errno == ENOENT) {
    if (const int e = make_parents(spec.path); e != 0) return fail(e), false;
    fd_ = open_fd(kCreate);
  }
  if (fd_ < 0) return fail(errno), false;
  // The buffer is allocated on the first packet and grows with what a flush interval brings:
  // a quiet recording holds about one frame's worth, so many open files stay cheap.
  cap_ = spec.buffer_bytes < 4096 ? 4096 : spec.buffer_bytes;
  alloc_ = 0;
  buf_.reset();
  // The magic is in the file from the start (an empty recording is just these 8 bytes).
  uint8_t magic[kMjrMagicLen];
  mjr_write_magic(magic);
  int err = 0;
  if (!write_all(fd_, magic, sizeof magic, &err)) {
    ::close(fd_);
    fd_ = -1;
    return fail(err), false;
  }
  if (fds_ != nullptr) fds_->touch(this);
  durable_ = sizeof magic;
  __atomic_store_n(&st_->state, RTPGATE_REC_ST_OPEN, __ATOMIC_RELEASE);
  publish();
  return true;
}

bool RecFile::room(size_t n) {
  if (used_ + n <= alloc_) return true;
  if (n > cap_) return false;
  if (alloc_ < cap_) {
    size_t want = alloc_ == 0 ? kInitialBuffer : alloc_ * 2;
    while (want < used_ + n && want < cap_) want *= 2;
    want = std::min(want, cap_);
    if (used_ + n <= want) {
      auto grown = std::make_unique<uint8_t[]>(want);
      if (used_ != 0) std::memcpy(grown.get(), buf_.get(), used_);
      buf_ = std::move(grown);
      alloc_ = want;
      return true;
    }
  }
  if (!flush()) return false;
  return room(n);  // empty now, and n <= cap_: fits or grows
}

bool RecFile::put(const uint8_t* p, size_t n) {
  if (!room(n)) return false;
  std::memcpy(buf_.get() + used_, p, n);
  used_ += n;
  return true;
}

bool RecFile::write(uint8_t* rtp, uint32_t len, uint64_t rx_ns, uint64_t now_mono_ns, uint64_t now_real_us) {
  if (!is_open() || len < 12 || len > kMjrMaxPacket || (rtp[0] >> 6) != 2) return drop();
  if (!header_) {
    // "u": the first frame's arrival on the real-time clock.
    const uint64_t age_us = now_mono_ns > rx_ns ? (now_mono_ns - rx_ns) / 1000 : 0;
    MjrInfo info{spec_.medium, spec_.codec, spec_.fmtp, created_us_, now_real_us - age_us, spec_.video_orient_ext};
    uint8_t hdr[2 + kMjrMaxInfoLen];
    const size_t n = mjr_write_info(hdr, sizeof hdr, info);
    if (n == 0) {
      fail(EINVAL);
      close();
      return drop();
    }
    if (!put(hdr, n)) return drop();
    header_ = true;
    first_ns_ = rx_ns;
    __atomic_store_n(&st_->first_frame_us, info.first_frame_us, __ATOMIC_RELAXED);
  }
  const uint32_t in_ssrc = uint32_t{rtp[8]} << 24 | uint32_t{rtp[9]} << 16 | uint32_t{rtp[10]} << 8 | rtp[11];
  if (sw_.started && in_ssrc != last_in_ssrc_) ssrc_changes_++;
  last_in_ssrc_ = in_ssrc;
  rec_switch_apply(sw_, rtp, rx_ns, clock_);
  const uint64_t ms = rx_ns > first_ns_ ? (rx_ns - first_ns_) / 1000000 : 0;
  if (!room(kMjrFrameHdrLen + len)) return drop();
  const size_t n = mjr_write_frame(buf_.get() + used_, alloc_ - used_, static_cast<uint32_t>(ms), rtp,
                                   static_cast<uint16_t>(len));
  if (n == 0) return drop();
  used_ += n;
  frames_in_buf_++;
  frames_++;
  publish();
  return true;
}

bool RecFile::flush() {
  if (!is_open()) return false;
  if (used_ == 0) return true;
  int err = 0;
  bool ok = true;
  if (fd_ < 0) {  // parked: its descriptor went to a more recent recording
    if (!(ok = reopen())) err = errno;
  } else if (fds_ != nullptr) {
    fds_->touch(this);
  }
  if (!ok || !write_all(fd_, buf_.get(), used_, &err)) {
    // Disk full (or any write error): cut the file back to its last complete frame, keep
    // it valid, and stop recording.
    if (fd_ >= 0 && ::ftruncate(fd_, static_cast<off_t>(durable_)) != 0) { /* the error that matters is err */ }
    drops_ += frames_in_buf_;
    frames_ -= frames_in_buf_;
    used_ = 0;
    frames_in_buf_ = 0;
    fail(err);
    publish();
    close_fd();
    return false;
  }
  durable_ += used_;
  used_ = 0;
  frames_in_buf_ = 0;
  publish();
  return true;
}

void RecFile::close() {
  if (!is_open()) return;
  const bool ok = flush();
  close_fd();
  if (ok && !failed_) __atomic_store_n(&st_->state, RTPGATE_REC_ST_CLOSED, __ATOMIC_RELEASE);
  publish();
}

}  // namespace rtpgate::dp::rec
