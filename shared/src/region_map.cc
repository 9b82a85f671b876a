// Maps the shared region: created by the data plane, attached by control.
#include <fcntl.h>
#include <grp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "rtpgate/shm/region_map.h"

namespace rtpgate::shm {
namespace {

bool fail(std::string* why, std::string msg) {
  if (why != nullptr) *why = std::move(msg);
  return false;
}

std::string sys_err(const std::string& what, const std::string& name) {
  return what + " " + name + ": " + std::strerror(errno);
}

}  // namespace

uint64_t monotonic_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

uint64_t realtime_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

Region::~Region() { reset(); }

Region::Region(Region&& o) noexcept { *this = std::move(o); }

Region& Region::operator=(Region&& o) noexcept {
  if (this != &o) {
    reset();
    base_ = o.base_;
    size_ = o.size_;
    fd_ = o.fd_;
    ino_ = o.ino_;
    name_ = std::move(o.name_);
    o.base_ = nullptr;
    o.fd_ = -1;
    o.size_ = 0;
  }
  return *this;
}

void Region::reset() noexcept {
  if (base_ != nullptr) munmap(base_, size_);
  if (fd_ >= 0) close(fd_);
  base_ = nullptr;
  fd_ = -1;
  size_ = 0;
}

Result<Region> Region::create(const RegionConfig& c, std::string* why) {
  if (!validate_config(c, why)) return Errc::BadParam;
  const Layout l = compute_layout(c);
  shm_unlink(c.name.c_str());  // a stale region from a crashed run
  const mode_t old_mask = umask(0);
  int fd = shm_open(c.name.c_str(), O_RDWR | O_CREAT | O_EXCL, 0660);
  umask(old_mask);
  if (fd < 0) return fail(why, sys_err("shm_open", c.name)), Errc::SysError;
  Region r;
  r.fd_ = fd;
  r.name_ = c.name;
  if (!c.group.empty()) {
    const group* g = getgrnam(c.group.c_str());
    if (g == nullptr || fchown(fd, static_cast<uid_t>(-1), g->gr_gid) != 0) {
      fail(why, "shm_group " + c.group + ": no such group or chown failed");
      shm_unlink(c.name.c_str());
      return Errc::BadParam;
    }
  }
  if (ftruncate(fd, static_cast<off_t>(l.total)) != 0) {
    fail(why, sys_err("ftruncate", c.name));
    shm_unlink(c.name.c_str());
    return Errc::SysError;
  }
  void* base = mmap(nullptr, l.total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) {
    fail(why, sys_err("mmap", c.name));
    shm_unlink(c.name.c_str());
    return Errc::SysError;
  }
  r.base_ = base;
  r.size_ = l.total;
  struct stat st{};
  fstat(fd, &st);
  r.ino_ = st.st_ino;
  // ftruncate zero-fills: every slot, bitmap bit and counter starts at 0.
  auto* h = r.hdr();
  init_header(h, c, l);
  SpscRing<rtpgate_shm_cmd>::init(r.at<rtpgate_shm_ring_hdr>(l.off_cmd_ring), c.cmd_ring_capacity);
  SpscRing<rtpgate_shm_cpl>::init(r.at<rtpgate_shm_ring_hdr>(l.off_cpl_ring), c.cpl_ring_capacity);
  SpscRing<rtpgate_shm_cpl>::init(r.at<rtpgate_shm_ring_hdr>(l.off_evt_ring), c.evt_ring_capacity);
  for (uint32_t i = 0; i < c.n_pkt_rings_to_ctl; i++)
    SpscRing<rtpgate_shm_pkt_slot>::init(r.at<rtpgate_shm_ring_hdr>(l.off_pkt_to_ctl[i]), c.pkt_ring_capacity);
  for (uint32_t i = 0; i < c.n_pkt_rings_to_dp; i++)
    SpscRing<rtpgate_shm_pkt_slot>::init(r.at<rtpgate_shm_ring_hdr>(l.off_pkt_to_dp[i]), c.pkt_ring_capacity);
  for (uint32_t i = 0; i < c.n_lcore_stats; i++) r.lcore_stats(i).lcore_id = UINT32_MAX;
  h->generation = realtime_ns();
  h->dp_pid = static_cast<uint32_t>(getpid());
  __atomic_store_n(&h->heartbeat_ns, monotonic_ns(), __ATOMIC_RELEASE);
  return r;
}

Result<Region> Region::attach(const std::string& name, std::string* why) {
  int fd = shm_open(name.c_str(), O_RDWR, 0);
  if (fd < 0) {
    fail(why, errno == ENOENT ? "no shared region " + name + " (is rtpgate-dataplane running?)"
                              : sys_err("shm_open", name));
    return errno == ENOENT ? Errc::NotAttached : Errc::SysError;
  }
  Region r;
  r.fd_ = fd;
  r.name_ = name;
  struct stat st{};
  if (fstat(fd, &st) != 0) return fail(why, sys_err("fstat", name)), Errc::SysError;
  r.ino_ = st.st_ino;
  const auto size = static_cast<uint64_t>(st.st_size);
  if (size < sizeof(rtpgate_shm_header)) {
    fail(why, "shared region " + name + " is " + std::to_string(size) + " bytes: not initialised");
    return Errc::LayoutMismatch;
  }
  void* base = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) return fail(why, sys_err("mmap", name)), Errc::SysError;
  r.base_ = base;
  r.size_ = size;
  std::string detail;
  if (!validate_header(*r.hdr(), size, &detail)) {
    fail(why, "cannot attach to " + name + ": " + detail);
    return Errc::LayoutMismatch;
  }
  // The rings use the capacity in their own headers: it must agree with the region's.
  const auto* h = r.hdr();
  auto ring_ok = [&](uint64_t off, uint32_t cap, uint32_t elem) {
    const auto* rh = r.at<rtpgate_shm_ring_hdr>(off);
    return rh->capacity == cap && rh->elem_size == elem;
  };
  bool rings = ring_ok(h->off_cmd_ring, h->cmd_ring_capacity, sizeof(rtpgate_shm_cmd)) &&
               ring_ok(h->off_cpl_ring, h->cpl_ring_capacity, sizeof(rtpgate_shm_cpl)) &&
               ring_ok(h->off_evt_ring, h->evt_ring_capacity, sizeof(rtpgate_shm_cpl));
  for (uint32_t i = 0; rings && i < h->n_pkt_rings_to_ctl; i++)
    rings = ring_ok(h->off_pkt_rings_to_ctl[i], h->pkt_ring_capacity, sizeof(rtpgate_shm_pkt_slot));
  for (uint32_t i = 0; rings && i < h->n_pkt_rings_to_dp; i++)
    rings = ring_ok(h->off_pkt_rings_to_dp[i], h->pkt_ring_capacity, sizeof(rtpgate_shm_pkt_slot));
  if (!rings) {
    fail(why, "cannot attach to " + name + ": a ring header disagrees with the region header");
    return Errc::LayoutMismatch;
  }
  return r;
}

bool Region::still_current() const noexcept {
  if (base_ == nullptr) return false;
  int fd = shm_open(name_.c_str(), O_RDONLY, 0);
  if (fd < 0) return false;
  struct stat st{};
  const bool same = fstat(fd, &st) == 0 && st.st_ino == ino_;
  close(fd);
  return same;
}

void Region::unlink() const noexcept {
  if (!name_.empty()) shm_unlink(name_.c_str());
}

}  // namespace rtpgate::shm
