// libFuzzer target: validate_header on arbitrary bytes as a region header.
// Byte 0 selects the mode: bit 0 set = XOR the rest onto a valid header (to reach the
// checks behind magic/version/size table), clear = the rest is the header itself;
// bit 1 set = mapped size is the header's total_size, clear = total_size XOR bytes 1..8.
// Whatever validate_header accepts, Region's accessors will dereference: every table
// it accepts must lie inside the mapped size.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "fuzz_check.h"
#include "rtpgate/shm/region_map.h"

namespace {

using namespace rtpgate::shm;

const rtpgate_shm_header& valid_header() {
  static const rtpgate_shm_header h = [] {
    RegionConfig c;
    c.flow_capacity = 100;
    rtpgate_shm_addr a{};
    a.family = 4;
    a.addr[0] = 10;
    c.addrs.push_back(a);
    c.port_min = 40000;
    c.port_max = 40099;
    c.n_lcore_stats = 2;
    c.cmd_ring_capacity = 16;
    c.cpl_ring_capacity = 16;
    c.evt_ring_capacity = 16;
    c.n_pkt_rings_to_ctl = 1;
    c.n_pkt_rings_to_dp = 2;
    c.pkt_ring_capacity = 4;
    rtpgate_shm_header v{};
    init_header(&v, c, compute_layout(c));
    return v;
  }();
  return h;
}

// off + n * elem inside [0, mapped], computed without wrapping.
bool inside(uint64_t off, uint64_t n, uint64_t elem, uint64_t mapped) {
  if (off > mapped) return false;
  if (elem != 0 && n > (mapped - off) / elem) return false;
  return true;
}

bool pow2(uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t mode = data[0];
  data++;
  size--;
  rtpgate_shm_header h;
  if (mode & 1) {
    h = valid_header();
    auto* hb = reinterpret_cast<uint8_t*>(&h);
    for (size_t i = 0; i < size && i < sizeof(h); i++) hb[i] ^= data[i];
  } else {
    std::memset(&h, 0, sizeof(h));
    std::memcpy(&h, data, size < sizeof(h) ? size : sizeof(h));
  }
  uint64_t mapped = h.total_size;
  if (!(mode & 2)) {
    mapped = 0;
    for (size_t i = 0; i < 8 && i < size; i++) mapped |= uint64_t{data[i]} << (8 * i);
    mapped ^= h.total_size;  // small deltas around the header's own idea of the size
  }
  std::string why;
  if (!validate_header(h, mapped, &why)) {
    FUZZ_CHECK(!why.empty());
    return 0;
  }
  FUZZ_CHECK(mapped >= sizeof(rtpgate_shm_header));
  FUZZ_CHECK(inside(h.off_flows, h.flow_capacity, sizeof(rtpgate_shm_flow_slot), mapped));
  FUZZ_CHECK(inside(h.off_flow_bitmap, (uint64_t{h.flow_capacity} + 63) / 64, 8, mapped));
  FUZZ_CHECK(h.port_min <= h.port_max);
  const uint64_t port_words = (uint64_t{h.port_max} - h.port_min + 1 + 63) / 64;
  FUZZ_CHECK(h.port_bitmap_words_per_addr >= port_words);
  FUZZ_CHECK(inside(h.off_port_bitmap, uint64_t{h.n_addrs} * h.port_bitmap_words_per_addr, 8, mapped));
  // SpscRing indexes with capacity - 1 as a mask.
  FUZZ_CHECK(pow2(h.cmd_ring_capacity) && pow2(h.cpl_ring_capacity) && pow2(h.evt_ring_capacity));
  FUZZ_CHECK(inside(h.off_cmd_ring, 1, SpscRing<rtpgate_shm_cmd>::bytes_for(h.cmd_ring_capacity), mapped));
  FUZZ_CHECK(inside(h.off_cpl_ring, 1, SpscRing<rtpgate_shm_cpl>::bytes_for(h.cpl_ring_capacity), mapped));
  FUZZ_CHECK(inside(h.off_evt_ring, 1, SpscRing<rtpgate_shm_cpl>::bytes_for(h.evt_ring_capacity), mapped));
  FUZZ_CHECK(inside(h.off_lcore_stats, h.n_lcore_stats, sizeof(rtpgate_shm_lcore_stats), mapped));
  const uint64_t pkt_ring_bytes = SpscRing<rtpgate_shm_pkt_slot>::bytes_for(h.pkt_ring_capacity);
  if (h.n_pkt_rings_to_ctl + h.n_pkt_rings_to_dp != 0) FUZZ_CHECK(pow2(h.pkt_ring_capacity));
  for (uint32_t i = 0; i < h.n_pkt_rings_to_ctl; i++)
    FUZZ_CHECK(inside(h.off_pkt_rings_to_ctl[i], 1, pkt_ring_bytes, mapped));
  for (uint32_t i = 0; i < h.n_pkt_rings_to_dp; i++)
    FUZZ_CHECK(inside(h.off_pkt_rings_to_dp[i], 1, pkt_ring_bytes, mapped));
  return 0;
}
