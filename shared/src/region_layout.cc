// Pure layout computation and header validation for the shared region (no I/O).
#include <cstring>

#include "rtpgate/shm/region_map.h"

namespace rtpgate::shm {
namespace {

constexpr uint64_t kAlign = 4096;
constexpr uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }
constexpr bool is_pow2(uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }

void fill_size_table(uint32_t* t) {
  std::memset(t, 0, sizeof(uint32_t) * RTPGATE_SHM_SZ_TABLE_LEN);
  t[RTPGATE_SHM_SZ_HEADER] = sizeof(rtpgate_shm_header);
  t[RTPGATE_SHM_SZ_ADDR] = sizeof(rtpgate_shm_addr);
  t[RTPGATE_SHM_SZ_FLOW_PARAMS] = sizeof(rtpgate_shm_flow_params);
  t[RTPGATE_SHM_SZ_FLOW_COUNTERS] = sizeof(rtpgate_shm_flow_counters);
  t[RTPGATE_SHM_SZ_FLOW_SLOT] = sizeof(rtpgate_shm_flow_slot);
  t[RTPGATE_SHM_SZ_RING_HDR] = sizeof(rtpgate_shm_ring_hdr);
  t[RTPGATE_SHM_SZ_CMD] = sizeof(rtpgate_shm_cmd);
  t[RTPGATE_SHM_SZ_CPL] = sizeof(rtpgate_shm_cpl);
  t[RTPGATE_SHM_SZ_LCORE_STATS] = sizeof(rtpgate_shm_lcore_stats);
  t[RTPGATE_SHM_SZ_PKT_SLOT] = sizeof(rtpgate_shm_pkt_slot);
  t[RTPGATE_SHM_SZ_SRTP_ENTRY] = sizeof(rtpgate_shm_srtp_entry);
  t[RTPGATE_SHM_SZ_REC_ENTRY] = sizeof(rtpgate_shm_rec_entry);
  t[RTPGATE_SHM_SZ_GUARD_BLOCK] = sizeof(rtpgate_shm_guard_block);
  t[RTPGATE_SHM_SZ_CONFIG_BLOCK] = sizeof(rtpgate_shm_config_block);
}

bool fail(std::string* why, std::string msg) {
  if (why != nullptr) *why = std::move(msg);
  return false;
}

}  // namespace

int find_media_addr(const rtpgate_shm_header& h, const rtpgate_shm_addr& a) noexcept {
  const size_t n = a.family == 4 ? 4 : 16;
  for (uint32_t i = 0; i < h.n_addrs; i++)
    if (h.addrs[i].family == a.family && std::memcmp(h.addrs[i].addr, a.addr, n) == 0)
      return static_cast<int>(i);
  return -1;
}

bool validate_config(const RegionConfig& c, std::string* why) {
  if (c.flow_capacity == 0 || c.flow_capacity > (1u << 24))
    return fail(why, "flow_capacity must be 1..16777216");
  if (c.srtp_capacity > (1u << 24)) return fail(why, "srtp_capacity must be 0..16777216");
  if (c.rec_capacity > (1u << 24)) return fail(why, "rec_capacity must be 0..16777216");
  if (c.addrs.empty() || c.addrs.size() > RTPGATE_SHM_MAX_ADDRS)
    return fail(why, "need 1.." + std::to_string(RTPGATE_SHM_MAX_ADDRS) + " media addresses");
  for (const auto& a : c.addrs)
    if (a.family != 4 && a.family != 6) return fail(why, "media address with unknown family");
  if (c.port_min == 0 || c.port_min > c.port_max || (c.port_min & 1) != 0)
    return fail(why, "port range must be an even first port <= last port");
  if (c.n_lcore_stats == 0 || c.n_lcore_stats > RTPGATE_SHM_MAX_LCORES)
    return fail(why, "lcore count must be 1.." + std::to_string(RTPGATE_SHM_MAX_LCORES));
  if (!is_pow2(c.cmd_ring_capacity) || !is_pow2(c.cpl_ring_capacity) || !is_pow2(c.evt_ring_capacity) ||
      !is_pow2(c.pkt_ring_capacity))
    return fail(why, "ring capacities must be powers of two");
  if (c.n_pkt_rings_to_ctl > RTPGATE_SHM_MAX_PKT_RINGS || c.n_pkt_rings_to_dp > RTPGATE_SHM_MAX_PKT_RINGS)
    return fail(why, "too many packet rings (max " + std::to_string(RTPGATE_SHM_MAX_PKT_RINGS) + ")");
  return true;
}

Layout compute_layout(const RegionConfig& c) {
  Layout l{};
  uint64_t off = align_up(sizeof(rtpgate_shm_header), kAlign);
  l.off_flows = off;
  off = align_up(off + uint64_t{c.flow_capacity} * sizeof(rtpgate_shm_flow_slot), kAlign);
  l.off_flow_bitmap = off;
  off = align_up(off + (uint64_t{c.flow_capacity} + 63) / 64 * 8, 64);
  const uint64_t n_ports = uint64_t{c.port_max} - c.port_min + 1;
  l.port_words_per_addr = (n_ports + 63) / 64;
  l.off_port_bitmap = off;
  off = align_up(off + l.port_words_per_addr * 8 * c.addrs.size(), kAlign);
  l.off_srtp = off;
  off = align_up(off + uint64_t{c.srtp_capacity} * sizeof(rtpgate_shm_srtp_entry), kAlign);
  l.off_srtp_bitmap = off;
  off = align_up(off + (uint64_t{c.srtp_capacity} + 63) / 64 * 8, kAlign);
  l.off_rec = off;
  off = align_up(off + uint64_t{c.rec_capacity} * sizeof(rtpgate_shm_rec_entry), kAlign);
  l.off_rec_bitmap = off;
  off = align_up(off + (uint64_t{c.rec_capacity} + 63) / 64 * 8, kAlign);
  l.off_guard = off;
  off = align_up(off + sizeof(rtpgate_shm_guard_block), kAlign);
  l.off_config = off;
  off = align_up(off + sizeof(rtpgate_shm_config_block), kAlign);
  l.off_cmd_ring = off;
  off = align_up(off + SpscRing<rtpgate_shm_cmd>::bytes_for(c.cmd_ring_capacity), kAlign);
  l.off_cpl_ring = off;
  off = align_up(off + SpscRing<rtpgate_shm_cpl>::bytes_for(c.cpl_ring_capacity), kAlign);
  l.off_evt_ring = off;
  off = align_up(off + SpscRing<rtpgate_shm_cpl>::bytes_for(c.evt_ring_capacity), kAlign);
  l.off_lcore_stats = off;
  off = align_up(off + uint64_t{c.n_lcore_stats} * sizeof(rtpgate_shm_lcore_stats), kAlign);
  for (uint32_t i = 0; i < c.n_pkt_rings_to_ctl; i++) {
    l.off_pkt_to_ctl[i] = off;
    off = align_up(off + SpscRing<rtpgate_shm_pkt_slot>::bytes_for(c.pkt_ring_capacity), kAlign);
  }
  for (uint32_t i = 0; i < c.n_pkt_rings_to_dp; i++) {
    l.off_pkt_to_dp[i] = off;
    off = align_up(off + SpscRing<rtpgate_shm_pkt_slot>::bytes_for(c.pkt_ring_capacity), kAlign);
  }
  l.total = off;
  return l;
}

void init_header(rtpgate_shm_header* h, const RegionConfig& c, const Layout& l) {
  std::memset(h, 0, sizeof(*h));
  h->magic = RTPGATE_SHM_MAGIC;
  h->layout_major = RTPGATE_SHM_LAYOUT_MAJOR;
  h->layout_minor = RTPGATE_SHM_LAYOUT_MINOR;
  h->header_size = sizeof(rtpgate_shm_header);
  h->total_size = l.total;
  fill_size_table(h->size_table);
  h->heartbeat_interval_ms = c.heartbeat_interval_ms;
  h->dp_state = RTPGATE_DP_STARTING;
  h->n_addrs = static_cast<uint32_t>(c.addrs.size());
  for (size_t i = 0; i < c.addrs.size(); i++) h->addrs[i] = c.addrs[i];
  h->port_min = c.port_min;
  h->port_max = c.port_max;
  h->flow_capacity = c.flow_capacity;
  h->n_lcore_stats = c.n_lcore_stats;
  h->n_pkt_rings_to_ctl = c.n_pkt_rings_to_ctl;
  h->n_pkt_rings_to_dp = c.n_pkt_rings_to_dp;
  h->off_flows = l.off_flows;
  h->off_flow_bitmap = l.off_flow_bitmap;
  h->off_port_bitmap = l.off_port_bitmap;
  h->port_bitmap_words_per_addr = l.port_words_per_addr;
  h->off_cmd_ring = l.off_cmd_ring;
  h->off_cpl_ring = l.off_cpl_ring;
  h->off_lcore_stats = l.off_lcore_stats;
  for (uint32_t i = 0; i < RTPGATE_SHM_MAX_PKT_RINGS; i++) {
    h->off_pkt_rings_to_ctl[i] = l.off_pkt_to_ctl[i];
    h->off_pkt_rings_to_dp[i] = l.off_pkt_to_dp[i];
  }
  h->cmd_ring_capacity = c.cmd_ring_capacity;
  h->cpl_ring_capacity = c.cpl_ring_capacity;
  h->evt_ring_capacity = c.evt_ring_capacity;
  h->off_evt_ring = l.off_evt_ring;
  h->pkt_ring_capacity = c.pkt_ring_capacity;
  h->srtp_capacity = c.srtp_capacity;
  h->off_srtp = l.off_srtp;
  h->off_srtp_bitmap = l.off_srtp_bitmap;
  h->rec_capacity = c.rec_capacity;
  h->off_rec = l.off_rec;
  h->off_rec_bitmap = l.off_rec_bitmap;
  h->off_guard = l.off_guard;
  h->off_config = l.off_config;
}

bool validate_header(const rtpgate_shm_header& h, uint64_t mapped_size, std::string* why) {
  if (mapped_size < sizeof(rtpgate_shm_header))
    return fail(why, "region too small to hold a header (" + std::to_string(mapped_size) + " bytes)");
  if (h.magic != RTPGATE_SHM_MAGIC) return fail(why, "bad magic: not an rtpgate region");
  if (h.layout_major != RTPGATE_SHM_LAYOUT_MAJOR || int{h.layout_minor} - RTPGATE_SHM_LAYOUT_MINOR < 0)
    return fail(why, "layout version " + std::to_string(h.layout_major) + "." +
                         std::to_string(h.layout_minor) + " but this build needs " +
                         std::to_string(RTPGATE_SHM_LAYOUT_MAJOR) + "." +
                         std::to_string(RTPGATE_SHM_LAYOUT_MINOR) + " (upgrade both sides together)");
  uint32_t want[RTPGATE_SHM_SZ_TABLE_LEN];
  fill_size_table(want);
  for (int i = 0; i < RTPGATE_SHM_SZ_COUNT; i++)
    if (h.size_table[i] != want[i])
      return fail(why, "struct size mismatch at table index " + std::to_string(i) + ": region has " +
                           std::to_string(h.size_table[i]) + ", this build " + std::to_string(want[i]));
  if (h.total_size != mapped_size)
    return fail(why, "region size " + std::to_string(mapped_size) + " differs from header's " +
                         std::to_string(h.total_size));
  if (h.n_addrs == 0 || h.n_addrs > RTPGATE_SHM_MAX_ADDRS || h.n_lcore_stats > RTPGATE_SHM_MAX_LCORES ||
      h.n_pkt_rings_to_ctl > RTPGATE_SHM_MAX_PKT_RINGS || h.n_pkt_rings_to_dp > RTPGATE_SHM_MAX_PKT_RINGS)
    return fail(why, "header counts out of range");
  if (h.flow_capacity == 0 || h.port_min == 0 || h.port_min > h.port_max || h.srtp_capacity > (1u << 24) ||
      h.rec_capacity > (1u << 24))
    return fail(why, "header flow capacity or port range invalid");
  if (!is_pow2(h.cmd_ring_capacity) || !is_pow2(h.cpl_ring_capacity) || !is_pow2(h.evt_ring_capacity) ||
      (h.n_pkt_rings_to_ctl + h.n_pkt_rings_to_dp != 0 && !is_pow2(h.pkt_ring_capacity)))
    return fail(why, "header ring capacities are not powers of two");
  if (h.port_bitmap_words_per_addr != (uint64_t{h.port_max} - h.port_min + 64) / 64)
    return fail(why, "header port bitmap size does not match the port range");
  // Every table must lie after the header and inside the mapping (overflow-safe).
  auto inside = [&](uint64_t off, uint64_t len) {
    return off >= sizeof(rtpgate_shm_header) && off <= mapped_size && len <= mapped_size - off;
  };
  const uint64_t cmd_len = SpscRing<rtpgate_shm_cmd>::bytes_for(h.cmd_ring_capacity);
  const uint64_t cpl_len = SpscRing<rtpgate_shm_cpl>::bytes_for(h.cpl_ring_capacity);
  const uint64_t evt_len = SpscRing<rtpgate_shm_cpl>::bytes_for(h.evt_ring_capacity);
  const uint64_t pkt_len = SpscRing<rtpgate_shm_pkt_slot>::bytes_for(h.pkt_ring_capacity);
  bool ok = inside(h.off_flows, uint64_t{h.flow_capacity} * sizeof(rtpgate_shm_flow_slot)) &&
            inside(h.off_flow_bitmap, (uint64_t{h.flow_capacity} + 63) / 64 * 8) &&
            inside(h.off_port_bitmap, h.port_bitmap_words_per_addr * 8 * h.n_addrs) &&
            inside(h.off_cmd_ring, cmd_len) && inside(h.off_cpl_ring, cpl_len) && inside(h.off_evt_ring, evt_len) &&
            inside(h.off_lcore_stats, uint64_t{h.n_lcore_stats} * sizeof(rtpgate_shm_lcore_stats)) &&
            (h.srtp_capacity == 0 ||
             (inside(h.off_srtp, uint64_t{h.srtp_capacity} * sizeof(rtpgate_shm_srtp_entry)) &&
              inside(h.off_srtp_bitmap, (uint64_t{h.srtp_capacity} + 63) / 64 * 8))) &&
            (h.rec_capacity == 0 ||
             (inside(h.off_rec, uint64_t{h.rec_capacity} * sizeof(rtpgate_shm_rec_entry)) &&
              inside(h.off_rec_bitmap, (uint64_t{h.rec_capacity} + 63) / 64 * 8))) &&
            inside(h.off_guard, sizeof(rtpgate_shm_guard_block)) &&
            inside(h.off_config, sizeof(rtpgate_shm_config_block));
  for (uint32_t i = 0; ok && i < h.n_pkt_rings_to_ctl; i++) ok = inside(h.off_pkt_rings_to_ctl[i], pkt_len);
  for (uint32_t i = 0; ok && i < h.n_pkt_rings_to_dp; i++) ok = inside(h.off_pkt_rings_to_dp[i], pkt_len);
  if (!ok) return fail(why, "header offsets point outside the region");
  return true;
}

}  // namespace rtpgate::shm
