// Compile-time pins of the shared layout: sizes, key offsets, trivially copyable.
// A failure here means the contract changed: bump the layout version.
#pragma once
#include <cstddef>
#include <type_traits>

#include "rtpgate/shm/region.h"

namespace rtpgate::shm {

static_assert(sizeof(rtpgate_shm_addr) == 20);
static_assert(sizeof(rtpgate_shm_flow_params) == 192);
static_assert(offsetof(rtpgate_shm_flow_params, local_port) == 14);
static_assert(offsetof(rtpgate_shm_flow_params, local) == 16);
static_assert(offsetof(rtpgate_shm_flow_params, out_dst) == 84);
static_assert(sizeof(rtpgate_shm_flow_counters) == 176);
static_assert(offsetof(rtpgate_shm_flow_counters, rx_pkts) == 48);
static_assert(offsetof(rtpgate_shm_flow_params, srtp_slot) == 132);
static_assert(offsetof(rtpgate_shm_flow_params, srtp_out_slot) == 144);
static_assert(sizeof(rtpgate_shm_fwd) == 20);
static_assert(offsetof(rtpgate_shm_flow_params, fwd) == 148);
static_assert(sizeof(rtpgate_shm_flow_slot) == 368);
static_assert(sizeof(rtpgate_shm_srtp_entry) == 128);
static_assert(offsetof(rtpgate_shm_srtp_entry, key) == 16);
static_assert(offsetof(rtpgate_shm_srtp_entry, salt) == 48);
static_assert(offsetof(rtpgate_shm_header, srtp_capacity) == offsetof(rtpgate_shm_header, off_evt_ring) + 8);
static_assert(sizeof(rtpgate_shm_ring_hdr) == 192);
static_assert(offsetof(rtpgate_shm_ring_hdr, tail) == 64);
static_assert(sizeof(rtpgate_shm_cmd) == 64);
static_assert(sizeof(rtpgate_shm_cpl) == 64);
static_assert(sizeof(rtpgate_shm_lcore_stats) == 1088);
static_assert(sizeof(rtpgate_shm_rec_entry) == 768);
static_assert(offsetof(rtpgate_shm_rec_entry, path) == 160);
static_assert(offsetof(rtpgate_shm_flow_params, record_tx_slot) == 168);
static_assert(offsetof(rtpgate_shm_header, rec_capacity) == offsetof(rtpgate_shm_header, off_srtp_bitmap) + 8);
static_assert(offsetof(rtpgate_shm_header, off_guard) == offsetof(rtpgate_shm_header, off_rec_bitmap) + 8);
static_assert(sizeof(rtpgate_shm_guard_rule) == 64);
static_assert(sizeof(rtpgate_shm_guard_lcore) == 4224);
static_assert(offsetof(rtpgate_shm_guard_lcore, hits) == 128);
static_assert(offsetof(rtpgate_shm_guard_block, rules) == 1024);
static_assert(offsetof(rtpgate_shm_guard_block, lcore) == 1024 + 64 * RTPGATE_GUARD_MAX_RULES);
static_assert(sizeof(rtpgate_shm_guard_block) == 84992);
static_assert(offsetof(rtpgate_shm_header, off_config) == offsetof(rtpgate_shm_header, off_guard) + 8);  // 1.7
static_assert(sizeof(rtpgate_shm_live_settings) == 128);
static_assert(offsetof(rtpgate_shm_config_block, live) == 72);
static_assert(offsetof(rtpgate_shm_config_block, path) == 200);
static_assert(sizeof(rtpgate_shm_config_block) == 2048);
static_assert(offsetof(rtpgate_shm_lcore_stats, ctr) == 64);
static_assert(sizeof(rtpgate_shm_pkt_slot) == 1536);
static_assert(offsetof(rtpgate_shm_pkt_slot, data) == 64);
static_assert(RTPGATE_CTR_COUNT <= RTPGATE_SHM_MAX_COUNTERS);
static_assert(std::is_trivially_copyable_v<rtpgate_shm_header>);
static_assert(std::is_trivially_copyable_v<rtpgate_shm_flow_slot>);
static_assert(std::is_trivially_copyable_v<rtpgate_shm_cmd>);
static_assert(std::is_trivially_copyable_v<rtpgate_shm_cpl>);
static_assert(std::is_trivially_copyable_v<rtpgate_shm_pkt_slot>);
static_assert(std::is_trivially_copyable_v<rtpgate_shm_srtp_entry>);
static_assert(std::is_trivially_copyable_v<rtpgate_shm_rec_entry>);
static_assert(std::is_trivially_copyable_v<rtpgate_shm_guard_block>);
static_assert(std::is_trivially_copyable_v<rtpgate_shm_config_block>);

}  // namespace rtpgate::shm
