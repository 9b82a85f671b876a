// Creating (data plane) and attaching to (control, rtpgatectl) the shared region.
// Pure layout computation and header validation are separate so tests pin them.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "rtpgate/result.h"
#include "rtpgate/shm/layout_asserts.h"
#include "rtpgate/shm/region.h"
#include "rtpgate/shm/spsc_ring.h"

namespace rtpgate::shm {

struct RegionConfig {
  std::string name = "/rtpgate";   // shm_open name
  std::string group;               // owning group of the region ("" = process group)
  uint32_t flow_capacity = 65536;
  uint32_t srtp_capacity = 1024;   // SRTP key entries (entry 0 is never used)
  uint32_t rec_capacity = 1024;    // recording entries (entry 0 is never used)
  std::vector<rtpgate_shm_addr> addrs;
  uint16_t port_min = 20000;
  uint16_t port_max = 39999;
  uint32_t n_lcore_stats = 4;
  uint32_t cmd_ring_capacity = 4096;
  uint32_t cpl_ring_capacity = 8192;
  uint32_t evt_ring_capacity = 8192;
  uint32_t n_pkt_rings_to_ctl = 1;
  uint32_t n_pkt_rings_to_dp = 4;
  uint32_t pkt_ring_capacity = 1024;
  uint32_t heartbeat_interval_ms = 100;
};

struct Layout {
  uint64_t off_flows, off_flow_bitmap, off_port_bitmap, port_words_per_addr;
  uint64_t off_cmd_ring, off_cpl_ring, off_evt_ring, off_lcore_stats;
  uint64_t off_srtp, off_srtp_bitmap;
  uint64_t off_rec, off_rec_bitmap;
  uint64_t off_guard;
  uint64_t off_config;
  uint64_t off_pkt_to_ctl[RTPGATE_SHM_MAX_PKT_RINGS];
  uint64_t off_pkt_to_dp[RTPGATE_SHM_MAX_PKT_RINGS];
  uint64_t total;
};

// Checks counts and capacities; fills *why on failure.
bool validate_config(const RegionConfig& c, std::string* why);
Layout compute_layout(const RegionConfig& c);
// Fills a header (identity, sizes, offsets) for a region laid out as `l`.
void init_header(rtpgate_shm_header* h, const RegionConfig& c, const Layout& l);
// Checks identity, version, size table and offsets against the mapped size.
bool validate_header(const rtpgate_shm_header& h, uint64_t mapped_size, std::string* why);

class Region {
 public:
  Region() = default;
  ~Region();
  Region(Region&& o) noexcept;
  Region& operator=(Region&& o) noexcept;
  Region(const Region&) = delete;
  Region& operator=(const Region&) = delete;

  // Data plane: replaces any stale region of that name, mode 0660.
  static Result<Region> create(const RegionConfig& c, std::string* why);
  // Control: maps an existing region read/write after validating it.
  static Result<Region> attach(const std::string& name, std::string* why);

  bool mapped() const noexcept { return base_ != nullptr; }
  rtpgate_shm_header* hdr() const noexcept { return static_cast<rtpgate_shm_header*>(base_); }
  uint64_t size() const noexcept { return size_; }
  int fd() const noexcept { return fd_; }
  const std::string& name() const noexcept { return name_; }
  // The file behind the name still is the one we mapped (false after a data-plane restart).
  bool still_current() const noexcept;

  rtpgate_shm_flow_slot* flows() const noexcept { return at<rtpgate_shm_flow_slot>(hdr()->off_flows); }
  rtpgate_shm_flow_slot& flow(uint32_t id) const noexcept { return flows()[id]; }
  uint64_t* flow_bitmap() const noexcept { return at<uint64_t>(hdr()->off_flow_bitmap); }
  rtpgate_shm_srtp_entry& srtp(uint32_t idx) const noexcept { return at<rtpgate_shm_srtp_entry>(hdr()->off_srtp)[idx]; }
  uint64_t* srtp_bitmap() const noexcept { return at<uint64_t>(hdr()->off_srtp_bitmap); }
  rtpgate_shm_rec_entry& rec(uint32_t idx) const noexcept { return at<rtpgate_shm_rec_entry>(hdr()->off_rec)[idx]; }
  uint64_t* rec_bitmap() const noexcept { return at<uint64_t>(hdr()->off_rec_bitmap); }
  rtpgate_shm_guard_block& guard() const noexcept { return *at<rtpgate_shm_guard_block>(hdr()->off_guard); }
  rtpgate_shm_config_block& config() const noexcept { return *at<rtpgate_shm_config_block>(hdr()->off_config); }
  uint64_t* port_bitmap(uint32_t addr_idx) const noexcept {
    return at<uint64_t>(hdr()->off_port_bitmap) + addr_idx * hdr()->port_bitmap_words_per_addr;
  }
  SpscRing<rtpgate_shm_cmd> cmd_ring() const noexcept {
    return SpscRing<rtpgate_shm_cmd>(at<rtpgate_shm_ring_hdr>(hdr()->off_cmd_ring));
  }
  SpscRing<rtpgate_shm_cpl> cpl_ring() const noexcept {
    return SpscRing<rtpgate_shm_cpl>(at<rtpgate_shm_ring_hdr>(hdr()->off_cpl_ring));
  }
  SpscRing<rtpgate_shm_cpl> evt_ring() const noexcept {
    return SpscRing<rtpgate_shm_cpl>(at<rtpgate_shm_ring_hdr>(hdr()->off_evt_ring));
  }
  SpscRing<rtpgate_shm_pkt_slot> pkt_ring_to_ctl(uint32_t i) const noexcept {
    return SpscRing<rtpgate_shm_pkt_slot>(at<rtpgate_shm_ring_hdr>(hdr()->off_pkt_rings_to_ctl[i]));
  }
  SpscRing<rtpgate_shm_pkt_slot> pkt_ring_to_dp(uint32_t i) const noexcept {
    return SpscRing<rtpgate_shm_pkt_slot>(at<rtpgate_shm_ring_hdr>(hdr()->off_pkt_rings_to_dp[i]));
  }
  rtpgate_shm_lcore_stats& lcore_stats(uint32_t i) const noexcept {
    return at<rtpgate_shm_lcore_stats>(hdr()->off_lcore_stats)[i];
  }

  // Removes the name (data plane on clean shutdown). The mapping stays valid.
  void unlink() const noexcept;

 private:
  template <typename T>
  T* at(uint64_t off) const noexcept {
    return reinterpret_cast<T*>(static_cast<uint8_t*>(base_) + off);
  }
  void reset() noexcept;

  void* base_ = nullptr;
  uint64_t size_ = 0;
  int fd_ = -1;
  uint64_t ino_ = 0;
  std::string name_;
};

// Index of `a` among the region's media addresses, or -1.
int find_media_addr(const rtpgate_shm_header& h, const rtpgate_shm_addr& a) noexcept;

// CLOCK_MONOTONIC in nanoseconds (the clock of heartbeat_ns and last_seen_ns).
uint64_t monotonic_ns() noexcept;
// CLOCK_REALTIME in nanoseconds (generation numbers, load and attempt times).
uint64_t realtime_ns() noexcept;

}  // namespace rtpgate::shm
