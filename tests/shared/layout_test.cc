// Pins the shared-memory contract: struct sizes and offsets, header validation and the
// region layout. A failure here means the layout changed: bump the layout version in
// shared/include/rtpgate/shm/layout_version.h and update these numbers together.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "rtpgate/shm/region_map.h"

namespace rtpgate::shm {
namespace {

#define EXPECT_CONTAINS(str, sub)                                            \
  EXPECT_NE(std::string(str).find(sub), std::string::npos)                  \
      << "message \"" << (str) << "\" lacks \"" << (sub) << "\""

RegionConfig small_config(uint32_t flows = 1024) {
  RegionConfig c;
  c.name = "/rtpgate-layout-test";
  c.flow_capacity = flows;
  rtpgate_shm_addr a{};
  a.family = 4;
  a.addr[0] = 192;
  a.addr[1] = 0;
  a.addr[2] = 2;
  a.addr[3] = 1;
  c.addrs.push_back(a);
  a.addr[3] = 2;
  c.addrs.push_back(a);
  return c;
}

struct GoodHeader {
  RegionConfig cfg = small_config();
  Layout layout = compute_layout(cfg);
  rtpgate_shm_header h{};
  GoodHeader() { init_header(&h, cfg, layout); }
};

TEST(Layout, AddrSizeAndOffsets) {
  EXPECT_EQ(sizeof(rtpgate_shm_addr), 20u);
  EXPECT_EQ(offsetof(rtpgate_shm_addr, family), 0u);
  EXPECT_EQ(offsetof(rtpgate_shm_addr, addr), 4u);
}

TEST(Layout, FlowParamsSizeAndOffsets) {
  EXPECT_EQ(sizeof(rtpgate_shm_flow_params), 192u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_params, version), 0u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_params, cookie), 4u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_params, kind), 8u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_params, direction), 9u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_params, action), 10u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_params, dscp), 11u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_params, flags), 12u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_params, local_port), 14u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_params, local), 16u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_params, expect_src), 36u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_params, expect_src_port), 56u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_params, out_src_port), 58u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_params, out_dst_port), 60u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_params, out_src), 64u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_params, out_dst), 84u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_params, expect_ssrc), 104u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_params, out_ssrc), 108u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_params, ts_step), 112u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_params, latch_window_ms), 116u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_params, idle_timeout_ms), 120u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_params, rtcp_flow_id), 124u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_params, ctl_ring), 128u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_params, srtp_slot), 132u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_params, record_slot), 136u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_params, reverse_flow_id), 140u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_params, srtp_out_slot), 144u);  // layout 1.2
  EXPECT_EQ(offsetof(rtpgate_shm_flow_params, fwd), 148u);           // layout 1.3
  EXPECT_EQ(offsetof(rtpgate_shm_flow_params, record_tx_slot), 168u);  // layout 1.4
  EXPECT_EQ(offsetof(rtpgate_shm_flow_params, reserved), 172u);
}

TEST(Layout, ForwarderFieldsSizeAndOffsets) {  // layout 1.3
  EXPECT_EQ(sizeof(rtpgate_shm_fwd), 20u);
  EXPECT_EQ(offsetof(rtpgate_shm_fwd, rx_head), 0u);
  EXPECT_EQ(offsetof(rtpgate_shm_fwd, tx_head), 4u);
  EXPECT_EQ(offsetof(rtpgate_shm_fwd, next), 8u);
  EXPECT_EQ(offsetof(rtpgate_shm_fwd, ssrc), 12u);
  EXPECT_EQ(offsetof(rtpgate_shm_fwd, flags), 16u);
  EXPECT_EQ(offsetof(rtpgate_shm_fwd, pt), 17u);
  EXPECT_EQ(RTPGATE_FWD_F_RX, 0x01u);
  EXPECT_EQ(RTPGATE_FWD_F_TX, 0x02u);
  EXPECT_EQ(RTPGATE_FWD_F_NEXT, 0x04u);
  EXPECT_EQ(RTPGATE_FWD_F_SSRC, 0x08u);
  EXPECT_EQ(RTPGATE_FWD_F_PT, 0x10u);
  EXPECT_EQ(RTPGATE_FWD_MAX_CHAIN, 16);
}

TEST(Layout, SrtpEntrySizeAndOffsets) {  // layout 1.2
  EXPECT_EQ(sizeof(rtpgate_shm_srtp_entry), 128u);
  EXPECT_EQ(offsetof(rtpgate_shm_srtp_entry, version), 0u);
  EXPECT_EQ(offsetof(rtpgate_shm_srtp_entry, cookie), 4u);
  EXPECT_EQ(offsetof(rtpgate_shm_srtp_entry, profile), 8u);
  EXPECT_EQ(offsetof(rtpgate_shm_srtp_entry, direction), 9u);
  EXPECT_EQ(offsetof(rtpgate_shm_srtp_entry, key_len), 10u);
  EXPECT_EQ(offsetof(rtpgate_shm_srtp_entry, salt_len), 11u);
  EXPECT_EQ(offsetof(rtpgate_shm_srtp_entry, key), 16u);
  EXPECT_EQ(offsetof(rtpgate_shm_srtp_entry, salt), 48u);
  EXPECT_EQ(RTPGATE_SRTP_AES_CM_128_HMAC_SHA1_80, 1);
  EXPECT_EQ(RTPGATE_SRTP_AES_CM_128_HMAC_SHA1_32, 2);
  EXPECT_EQ(RTPGATE_SRTP_AEAD_AES_128_GCM, 7);
  EXPECT_EQ(RTPGATE_SRTP_AEAD_AES_256_GCM, 8);
  EXPECT_EQ(RTPGATE_CMD_SRTP_SET, 4);
  EXPECT_EQ(RTPGATE_CMD_SRTP_DEL, 5);
}

TEST(Layout, FlowCountersAndSlotSizeAndOffsets) {
  EXPECT_EQ(sizeof(rtpgate_shm_flow_counters), 176u);  // layout 1.2: + 4 SRTP counters; 1.4: + rec_lost_rx/tx
  EXPECT_EQ(offsetof(rtpgate_shm_flow_counters, publish_seq), 0u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_counters, state), 8u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_counters, last_in_ssrc), 12u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_counters, last_seen_ns), 16u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_counters, cur_dst), 24u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_counters, cur_dst_port), 44u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_counters, rx_pkts), 48u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_counters, ssrc_changes), 120u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_counters, srtp_auth_fail), 128u);  // layout 1.2
  EXPECT_EQ(offsetof(rtpgate_shm_flow_counters, srtp_resync), 152u);     // layout 1.2
  EXPECT_EQ(sizeof(rtpgate_shm_flow_slot), 368u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_slot, params), 0u);
  EXPECT_EQ(offsetof(rtpgate_shm_flow_slot, counters), 192u);
}

TEST(Layout, RingRecordsSizeAndOffsets) {
  EXPECT_EQ(sizeof(rtpgate_shm_ring_hdr), 192u);
  EXPECT_EQ(offsetof(rtpgate_shm_ring_hdr, head), 0u);
  EXPECT_EQ(offsetof(rtpgate_shm_ring_hdr, tail), 64u);
  EXPECT_EQ(offsetof(rtpgate_shm_ring_hdr, capacity), 128u);
  EXPECT_EQ(offsetof(rtpgate_shm_ring_hdr, elem_size), 132u);

  EXPECT_EQ(sizeof(rtpgate_shm_cmd), 64u);
  EXPECT_EQ(offsetof(rtpgate_shm_cmd, seq), 0u);
  EXPECT_EQ(offsetof(rtpgate_shm_cmd, op), 8u);
  EXPECT_EQ(offsetof(rtpgate_shm_cmd, flags), 10u);
  EXPECT_EQ(offsetof(rtpgate_shm_cmd, flow_id), 12u);
  EXPECT_EQ(offsetof(rtpgate_shm_cmd, flow_version), 16u);
  EXPECT_EQ(offsetof(rtpgate_shm_cmd, payload), 24u);

  EXPECT_EQ(sizeof(rtpgate_shm_cpl), 64u);
  EXPECT_EQ(offsetof(rtpgate_shm_cpl, seq), 0u);
  EXPECT_EQ(offsetof(rtpgate_shm_cpl, op), 8u);
  EXPECT_EQ(offsetof(rtpgate_shm_cpl, errc), 10u);
  EXPECT_EQ(offsetof(rtpgate_shm_cpl, flow_id), 12u);
  EXPECT_EQ(offsetof(rtpgate_shm_cpl, flow_version), 16u);
  EXPECT_EQ(offsetof(rtpgate_shm_cpl, aux), 20u);
  EXPECT_EQ(offsetof(rtpgate_shm_cpl, generation), 24u);
}

TEST(Layout, LcoreStatsSizeAndOffsets) {
  EXPECT_EQ(sizeof(rtpgate_shm_lcore_stats), 1088u);  // layout 1.4: 128 counters
  EXPECT_EQ(offsetof(rtpgate_shm_lcore_stats, lcore_id), 0u);
  EXPECT_EQ(offsetof(rtpgate_shm_lcore_stats, role), 4u);
  EXPECT_EQ(offsetof(rtpgate_shm_lcore_stats, epoch), 8u);
  EXPECT_EQ(offsetof(rtpgate_shm_lcore_stats, loops), 16u);
  EXPECT_EQ(offsetof(rtpgate_shm_lcore_stats, busy_tsc), 24u);
  EXPECT_EQ(offsetof(rtpgate_shm_lcore_stats, ctr), 64u);
  EXPECT_LE(static_cast<int>(RTPGATE_CTR_COUNT), RTPGATE_SHM_MAX_COUNTERS);
  // Counter ids are part of the layout (append only).
  EXPECT_EQ(RTPGATE_CTR_rx_pkts, 0);
  EXPECT_EQ(RTPGATE_CTR_flows_expired, 26);
  EXPECT_GE(RTPGATE_CTR_COUNT, 27);
}

TEST(Layout, PktSlotSizeAndOffsets) {
  EXPECT_EQ(sizeof(rtpgate_shm_pkt_slot), 1536u);
  EXPECT_EQ(offsetof(rtpgate_shm_pkt_slot, flow_id), 0u);
  EXPECT_EQ(offsetof(rtpgate_shm_pkt_slot, len), 4u);
  EXPECT_EQ(offsetof(rtpgate_shm_pkt_slot, is_rtcp), 6u);
  EXPECT_EQ(offsetof(rtpgate_shm_pkt_slot, rx_ns), 8u);
  EXPECT_EQ(offsetof(rtpgate_shm_pkt_slot, remote), 16u);
  EXPECT_EQ(offsetof(rtpgate_shm_pkt_slot, remote.port), 18u);
  EXPECT_EQ(offsetof(rtpgate_shm_pkt_slot, remote.addr), 20u);
  EXPECT_EQ(offsetof(rtpgate_shm_pkt_slot, data), 64u);
  EXPECT_EQ(RTPGATE_PKT_SLOT_DATA, 1472);
}

TEST(Layout, HeaderSizeAndOffsets) {
  EXPECT_EQ(sizeof(rtpgate_shm_header), 2280u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, magic), 0u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, layout_major), 8u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, layout_minor), 10u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, header_size), 12u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, total_size), 16u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, size_table), 24u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, generation), 88u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, heartbeat_ns), 96u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, heartbeat_interval_ms), 104u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, dp_state), 108u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, dp_pid), 112u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, control_heartbeat_ns), 120u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, control_pid), 128u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, n_addrs), 136u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, port_min), 140u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, port_max), 142u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, addrs), 144u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, flow_capacity), 1424u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, n_lcore_stats), 1428u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, n_pkt_rings_to_ctl), 1432u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, n_pkt_rings_to_dp), 1436u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, off_flows), 1440u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, off_flow_bitmap), 1448u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, off_port_bitmap), 1456u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, port_bitmap_words_per_addr), 1464u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, off_cmd_ring), 1472u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, off_cpl_ring), 1480u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, off_lcore_stats), 1488u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, off_pkt_rings_to_ctl), 1496u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, off_pkt_rings_to_dp), 1752u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, cmd_ring_capacity), 2008u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, cpl_ring_capacity), 2012u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, pkt_ring_capacity), 2016u);
  EXPECT_EQ(offsetof(rtpgate_shm_header, evt_ring_capacity), 2020u);  // layout 1.1
  EXPECT_EQ(offsetof(rtpgate_shm_header, off_evt_ring), 2024u);       // layout 1.1
  EXPECT_EQ(offsetof(rtpgate_shm_header, srtp_capacity), 2032u);     // layout 1.2
  EXPECT_EQ(offsetof(rtpgate_shm_header, off_srtp), 2040u);          // layout 1.2
  EXPECT_EQ(offsetof(rtpgate_shm_header, off_srtp_bitmap), 2048u);   // layout 1.2
  EXPECT_EQ(offsetof(rtpgate_shm_header, rec_capacity), 2056u);      // layout 1.4
  EXPECT_EQ(offsetof(rtpgate_shm_header, off_rec), 2064u);           // layout 1.4
  EXPECT_EQ(offsetof(rtpgate_shm_header, off_rec_bitmap), 2072u);    // layout 1.4
  EXPECT_EQ(offsetof(rtpgate_shm_header, off_guard), 2080u);         // layout 1.5
  EXPECT_EQ(offsetof(rtpgate_shm_header, off_config), 2088u);        // layout 1.7
  EXPECT_EQ(offsetof(rtpgate_shm_header, reserved), 2096u);
}

TEST(Layout, ConfigBlockSizeAndOffsets) {  // layout 1.7
  EXPECT_EQ(sizeof(rtpgate_shm_live_settings), 128u);
  EXPECT_EQ(offsetof(rtpgate_shm_live_settings, log_level), 56u);
  EXPECT_EQ(sizeof(rtpgate_shm_config_block), 2048u);
  EXPECT_EQ(offsetof(rtpgate_shm_config_block, seq), 8u);
  EXPECT_EQ(offsetof(rtpgate_shm_config_block, reloads), 32u);
  EXPECT_EQ(offsetof(rtpgate_shm_config_block, last_errc), 56u);
  EXPECT_EQ(offsetof(rtpgate_shm_config_block, live), 72u);
  EXPECT_EQ(offsetof(rtpgate_shm_config_block, path), 200u);
  EXPECT_EQ(offsetof(rtpgate_shm_config_block, last_error), 456u);
  EXPECT_EQ(offsetof(rtpgate_shm_config_block, last_changed), 712u);
  EXPECT_EQ(static_cast<int>(RTPGATE_CMD_CONFIG_RELOAD), 11);
}

TEST(Layout, GuardBlockSizeAndOffsets) {  // layout 1.5
  EXPECT_EQ(sizeof(rtpgate_shm_guard_rule), 64u);
  EXPECT_EQ(offsetof(rtpgate_shm_guard_rule, action), 32u);
  EXPECT_EQ(offsetof(rtpgate_shm_guard_rule, check), 33u);
  EXPECT_EQ(offsetof(rtpgate_shm_guard_rule, line), 36u);
  EXPECT_EQ(offsetof(rtpgate_shm_guard_rule, rate_per_s), 40u);
  EXPECT_EQ(offsetof(rtpgate_shm_guard_rule, limit), 48u);
  EXPECT_EQ(sizeof(rtpgate_shm_guard_lcore), 4224u);
  EXPECT_EQ(offsetof(rtpgate_shm_guard_lcore, screened), 8u);
  EXPECT_EQ(offsetof(rtpgate_shm_guard_lcore, bucket_evictions), 64u);
  EXPECT_EQ(offsetof(rtpgate_shm_guard_lcore, hits), 128u);
  EXPECT_EQ(offsetof(rtpgate_shm_guard_lcore, limited), 128u + 8 * RTPGATE_GUARD_MAX_RULES);
  EXPECT_EQ(offsetof(rtpgate_shm_guard_block, seq), 8u);
  EXPECT_EQ(offsetof(rtpgate_shm_guard_block, ruleset_gen), 24u);
  EXPECT_EQ(offsetof(rtpgate_shm_guard_block, last_errc), 64u);
  EXPECT_EQ(offsetof(rtpgate_shm_guard_block, path), 80u);
  EXPECT_EQ(offsetof(rtpgate_shm_guard_block, last_error), 336u);
  EXPECT_EQ(offsetof(rtpgate_shm_guard_block, rules), 1024u);
  EXPECT_EQ(offsetof(rtpgate_shm_guard_block, lcore), 1024u + 64 * 256);
  EXPECT_EQ(sizeof(rtpgate_shm_guard_block), 84992u);
  EXPECT_EQ(RTPGATE_GUARD_MAX_RULES, 256);
  EXPECT_EQ(RTPGATE_GUARD_MAX_WORKERS, 16);
  EXPECT_EQ(static_cast<int>(RTPGATE_CMD_GUARD_RELOAD), 10);
}

TEST(Layout, RecEntrySizeAndOffsets) {  // layout 1.4
  EXPECT_EQ(sizeof(rtpgate_shm_rec_entry), 768u);
  EXPECT_EQ(offsetof(rtpgate_shm_rec_entry, version), 0u);
  EXPECT_EQ(offsetof(rtpgate_shm_rec_entry, medium), 8u);
  EXPECT_EQ(offsetof(rtpgate_shm_rec_entry, clock_hz), 12u);
  EXPECT_EQ(offsetof(rtpgate_shm_rec_entry, codec), 16u);
  EXPECT_EQ(offsetof(rtpgate_shm_rec_entry, fmtp), 32u);
  EXPECT_EQ(offsetof(rtpgate_shm_rec_entry, path), 160u);
  EXPECT_EQ(offsetof(rtpgate_shm_rec_entry, status), 712u);
  EXPECT_EQ(sizeof(rtpgate_shm_rec_status), 56u);
}

TEST(Layout, VersionAndMagicArePinned) {
  EXPECT_EQ(RTPGATE_SHM_MAGIC, 0x3130455441475052ULL);
  EXPECT_EQ(RTPGATE_SHM_LAYOUT_MAJOR, 1);
  EXPECT_EQ(RTPGATE_SHM_LAYOUT_MINOR, 7);
  EXPECT_EQ(RTPGATE_SHM_SZ_COUNT, 14);
  EXPECT_LE(static_cast<int>(RTPGATE_SHM_SZ_COUNT), static_cast<int>(RTPGATE_SHM_SZ_TABLE_LEN));
}

TEST(Layout, InitHeaderFillsIdentityAndSizeTable) {
  GoodHeader g;
  EXPECT_EQ(g.h.magic, RTPGATE_SHM_MAGIC);
  EXPECT_EQ(g.h.header_size, sizeof(rtpgate_shm_header));
  EXPECT_EQ(g.h.total_size, g.layout.total);
  EXPECT_EQ(g.h.size_table[RTPGATE_SHM_SZ_HEADER], sizeof(rtpgate_shm_header));
  EXPECT_EQ(g.h.size_table[RTPGATE_SHM_SZ_ADDR], sizeof(rtpgate_shm_addr));
  EXPECT_EQ(g.h.size_table[RTPGATE_SHM_SZ_FLOW_PARAMS], sizeof(rtpgate_shm_flow_params));
  EXPECT_EQ(g.h.size_table[RTPGATE_SHM_SZ_FLOW_COUNTERS], sizeof(rtpgate_shm_flow_counters));
  EXPECT_EQ(g.h.size_table[RTPGATE_SHM_SZ_FLOW_SLOT], sizeof(rtpgate_shm_flow_slot));
  EXPECT_EQ(g.h.size_table[RTPGATE_SHM_SZ_RING_HDR], sizeof(rtpgate_shm_ring_hdr));
  EXPECT_EQ(g.h.size_table[RTPGATE_SHM_SZ_CMD], sizeof(rtpgate_shm_cmd));
  EXPECT_EQ(g.h.size_table[RTPGATE_SHM_SZ_CPL], sizeof(rtpgate_shm_cpl));
  EXPECT_EQ(g.h.size_table[RTPGATE_SHM_SZ_LCORE_STATS], sizeof(rtpgate_shm_lcore_stats));
  EXPECT_EQ(g.h.size_table[RTPGATE_SHM_SZ_PKT_SLOT], sizeof(rtpgate_shm_pkt_slot));
  EXPECT_EQ(g.h.size_table[RTPGATE_SHM_SZ_SRTP_ENTRY], sizeof(rtpgate_shm_srtp_entry));
  EXPECT_EQ(g.h.size_table[RTPGATE_SHM_SZ_GUARD_BLOCK], sizeof(rtpgate_shm_guard_block));
  EXPECT_EQ(g.h.size_table[RTPGATE_SHM_SZ_CONFIG_BLOCK], sizeof(rtpgate_shm_config_block));
  for (int i = RTPGATE_SHM_SZ_COUNT; i < RTPGATE_SHM_SZ_TABLE_LEN; i++) EXPECT_EQ(g.h.size_table[i], 0u) << i;
  EXPECT_EQ(g.h.n_addrs, 2u);
  EXPECT_EQ(g.h.flow_capacity, 1024u);
  EXPECT_EQ(g.h.dp_state, static_cast<uint32_t>(RTPGATE_DP_STARTING));
  EXPECT_EQ(g.h.layout_major, RTPGATE_SHM_LAYOUT_MAJOR);
  EXPECT_EQ(g.h.layout_minor, RTPGATE_SHM_LAYOUT_MINOR);
  EXPECT_EQ(g.h.off_evt_ring, g.layout.off_evt_ring);
  EXPECT_EQ(g.h.evt_ring_capacity, g.cfg.evt_ring_capacity);
}

TEST(ValidateHeader, AcceptsGoodHeader) {
  GoodHeader g;
  std::string why;
  EXPECT_TRUE(validate_header(g.h, g.layout.total, &why)) << why;
}

TEST(ValidateHeader, AcceptsNullWhy) {
  GoodHeader g;
  EXPECT_TRUE(validate_header(g.h, g.layout.total, nullptr));
  g.h.magic = 0;
  EXPECT_FALSE(validate_header(g.h, g.layout.total, nullptr));
}

TEST(ValidateHeader, RejectsBadMagic) {
  GoodHeader g;
  g.h.magic ^= 1;
  std::string why;
  EXPECT_FALSE(validate_header(g.h, g.layout.total, &why));
  EXPECT_CONTAINS(why, "bad magic");
}

TEST(ValidateHeader, RejectsWrongMajor) {
  for (int major : {RTPGATE_SHM_LAYOUT_MAJOR - 1, RTPGATE_SHM_LAYOUT_MAJOR + 1}) {
    GoodHeader g;
    g.h.layout_major = static_cast<uint16_t>(major);
    std::string why;
    EXPECT_FALSE(validate_header(g.h, g.layout.total, &why)) << major;
    EXPECT_CONTAINS(why, "layout version " + std::to_string(major) + ".");
    EXPECT_CONTAINS(why, "this build needs");
  }
}

TEST(ValidateHeader, RejectsLowerMinor) {
  if (RTPGATE_SHM_LAYOUT_MINOR == 0) GTEST_SKIP() << "layout minor is 0: no lower minor exists yet";
  GoodHeader g;
  g.h.layout_minor = static_cast<uint16_t>(RTPGATE_SHM_LAYOUT_MINOR - 1);
  std::string why;
  EXPECT_FALSE(validate_header(g.h, g.layout.total, &why));
  EXPECT_CONTAINS(why, "layout version");
}

TEST(ValidateHeader, AcceptsHigherMinor) {
  GoodHeader g;
  g.h.layout_minor = static_cast<uint16_t>(RTPGATE_SHM_LAYOUT_MINOR + 1);
  std::string why;
  EXPECT_TRUE(validate_header(g.h, g.layout.total, &why)) << why;
}

TEST(ValidateHeader, RejectsSizeTableMismatch) {
  for (int i = 0; i < RTPGATE_SHM_SZ_COUNT; i++) {
    GoodHeader g;
    g.h.size_table[i] += 8;
    std::string why;
    EXPECT_FALSE(validate_header(g.h, g.layout.total, &why)) << i;
    EXPECT_CONTAINS(why, "struct size mismatch at table index " + std::to_string(i));
  }
}

TEST(ValidateHeader, IgnoresUnusedSizeTableEntries) {
  GoodHeader g;
  g.h.size_table[RTPGATE_SHM_SZ_TABLE_LEN - 1] = 123;  // a later minor's struct
  std::string why;
  EXPECT_TRUE(validate_header(g.h, g.layout.total, &why)) << why;
}

TEST(ValidateHeader, RejectsTruncatedMapping) {
  GoodHeader g;
  std::string why;
  EXPECT_FALSE(validate_header(g.h, g.layout.total - 4096, &why));
  EXPECT_CONTAINS(why, "region size " + std::to_string(g.layout.total - 4096));
  EXPECT_CONTAINS(why, std::to_string(g.layout.total));
}

TEST(ValidateHeader, RejectsMappingSmallerThanHeader) {
  GoodHeader g;
  std::string why;
  EXPECT_FALSE(validate_header(g.h, sizeof(rtpgate_shm_header) - 1, &why));
  EXPECT_CONTAINS(why, "too small");
}

TEST(ValidateHeader, RejectsCountsOutOfRange) {
  GoodHeader g;
  g.h.n_addrs = 0;
  std::string why;
  EXPECT_FALSE(validate_header(g.h, g.layout.total, &why));
  EXPECT_CONTAINS(why, "counts out of range");
  GoodHeader g2;
  g2.h.n_lcore_stats = RTPGATE_SHM_MAX_LCORES + 1;
  EXPECT_FALSE(validate_header(g2.h, g2.layout.total, &why));
  EXPECT_CONTAINS(why, "counts out of range");
}

TEST(ValidateHeader, RejectsFlowTableOutsideRegion) {
  GoodHeader g;
  g.h.flow_capacity = static_cast<uint32_t>(g.layout.total / sizeof(rtpgate_shm_flow_slot)) + 1;
  std::string why;
  EXPECT_FALSE(validate_header(g.h, g.layout.total, &why));
  EXPECT_CONTAINS(why, "outside the region");
}

// Every table offset of the header is dereferenced by Region's accessors; a corrupted
// header must not make control read or write outside the mapping.
TEST(ValidateHeader, RejectsAnyTableOffsetOutsideRegion) {
  const std::pair<const char*, uint64_t rtpgate_shm_header::*> fields[] = {
      {"off_flows", &rtpgate_shm_header::off_flows},
      {"off_flow_bitmap", &rtpgate_shm_header::off_flow_bitmap},
      {"off_port_bitmap", &rtpgate_shm_header::off_port_bitmap},
      {"off_cmd_ring", &rtpgate_shm_header::off_cmd_ring},
      {"off_cpl_ring", &rtpgate_shm_header::off_cpl_ring},
      {"off_evt_ring", &rtpgate_shm_header::off_evt_ring},
      {"off_lcore_stats", &rtpgate_shm_header::off_lcore_stats},
      {"off_guard", &rtpgate_shm_header::off_guard},
      {"off_config", &rtpgate_shm_header::off_config},
  };
  for (const auto& [name, field] : fields) {
    GoodHeader g;
    g.h.*field = g.layout.total;  // one past the end
    std::string why;
    EXPECT_FALSE(validate_header(g.h, g.layout.total, &why)) << name << " = total accepted";
  }
  GoodHeader g;
  g.h.off_pkt_rings_to_dp[0] = g.layout.total;
  std::string why;
  EXPECT_FALSE(validate_header(g.h, g.layout.total, &why)) << "off_pkt_rings_to_dp[0] = total accepted";
}

// off + count * size must not wrap around 2^64 and pass the bound check.
TEST(ValidateHeader, RejectsWrappingFlowOffset) {
  GoodHeader g;
  g.h.flow_capacity = 13;                             // 13 * 320 = 4160 bytes
  g.h.off_flows = UINT64_MAX - 4096 + 1;              // + 4160 wraps to 64
  std::string why;
  EXPECT_FALSE(validate_header(g.h, g.layout.total, &why)) << "wrapping off_flows accepted";
}

TEST(ValidateHeader, RejectsInvertedPortRange) {
  GoodHeader g;
  g.h.port_min = 30000;
  g.h.port_max = 20000;  // alloc_port_pair would scan ~4G bits of a small bitmap
  std::string why;
  EXPECT_FALSE(validate_header(g.h, g.layout.total, &why)) << "port_max < port_min accepted";
}

TEST(ValidateHeader, RejectsPortBitmapSmallerThanPortRange) {
  GoodHeader g;
  g.h.port_bitmap_words_per_addr = 0;  // every address's bitmap would alias the next table
  std::string why;
  EXPECT_FALSE(validate_header(g.h, g.layout.total, &why)) << "port_bitmap_words_per_addr = 0 accepted";
}

TEST(ComputeLayout, OffsetsAreOrderedAlignedAndInsideTotal) {
  for (uint32_t flows : {1u, 100u, 1024u, 65536u, 1000000u}) {
    RegionConfig c = small_config(flows);
    c.n_pkt_rings_to_ctl = 2;
    c.n_pkt_rings_to_dp = 3;
    ASSERT_TRUE(validate_config(c, nullptr));
    const Layout l = compute_layout(c);
    // (offset, bytes) of every table in layout order.
    std::vector<std::pair<uint64_t, uint64_t>> t = {
        {0, sizeof(rtpgate_shm_header)},
        {l.off_flows, uint64_t{flows} * sizeof(rtpgate_shm_flow_slot)},
        {l.off_flow_bitmap, (uint64_t{flows} + 63) / 64 * 8},
        {l.off_port_bitmap, l.port_words_per_addr * 8 * c.addrs.size()},
        {l.off_guard, sizeof(rtpgate_shm_guard_block)},  // layout 1.5
        {l.off_config, sizeof(rtpgate_shm_config_block)},  // layout 1.7
        {l.off_cmd_ring, SpscRing<rtpgate_shm_cmd>::bytes_for(c.cmd_ring_capacity)},
        {l.off_cpl_ring, SpscRing<rtpgate_shm_cpl>::bytes_for(c.cpl_ring_capacity)},
        {l.off_evt_ring, SpscRing<rtpgate_shm_cpl>::bytes_for(c.evt_ring_capacity)},
        {l.off_lcore_stats, uint64_t{c.n_lcore_stats} * sizeof(rtpgate_shm_lcore_stats)},
    };
    for (uint32_t i = 0; i < c.n_pkt_rings_to_ctl; i++)
      t.push_back({l.off_pkt_to_ctl[i], SpscRing<rtpgate_shm_pkt_slot>::bytes_for(c.pkt_ring_capacity)});
    for (uint32_t i = 0; i < c.n_pkt_rings_to_dp; i++)
      t.push_back({l.off_pkt_to_dp[i], SpscRing<rtpgate_shm_pkt_slot>::bytes_for(c.pkt_ring_capacity)});
    for (size_t i = 0; i < t.size(); i++) {
      // The two bitmaps share pages (cache-line aligned); every other table starts a page.
      const uint64_t align = t[i].first == l.off_port_bitmap ? 64 : 4096;
      EXPECT_EQ(t[i].first % align, 0u) << "flows=" << flows << " table " << i;
      EXPECT_LE(t[i].first + t[i].second, l.total) << "flows=" << flows << " table " << i;
      if (i + 1 < t.size()) {
        EXPECT_LE(t[i].first + t[i].second, t[i + 1].first) << "flows=" << flows << " overlap at " << i;
      }
    }
    EXPECT_EQ(l.total % 4096, 0u);
    EXPECT_EQ(l.port_words_per_addr, (uint64_t{c.port_max} - c.port_min + 1 + 63) / 64);
  }
}

TEST(ComputeLayout, GoodHeaderFromLayoutValidates) {
  for (uint32_t flows : {1u, 63u, 64u, 65u, 70000u}) {
    RegionConfig c = small_config(flows);
    const Layout l = compute_layout(c);
    rtpgate_shm_header h{};
    init_header(&h, c, l);
    std::string why;
    EXPECT_TRUE(validate_header(h, l.total, &why)) << flows << ": " << why;
  }
}

TEST(ComputeLayout, RegionSizeForOneMillionFlows) {
  RegionConfig c = small_config(1000000);
  c.addrs.resize(1);
  const Layout l = compute_layout(c);
  EXPECT_GE(l.total, uint64_t{1000000} * sizeof(rtpgate_shm_flow_slot));
  EXPECT_LT(l.total, uint64_t{400} << 20);
  std::cout << "[ record ] region for 1,000,000 flows (default rings, 1 address, "
            << c.n_lcore_stats << " lcore blocks, " << c.n_pkt_rings_to_ctl << "+" << c.n_pkt_rings_to_dp
            << " packet rings of " << c.pkt_ring_capacity << "): " << l.total << " bytes ("
            << (l.total >> 20) << " MiB)\n";
}

TEST(ValidateRegionConfig, RejectsBadConfigs) {
  std::string why;
  RegionConfig c = small_config();
  EXPECT_TRUE(validate_config(c, &why)) << why;
  auto bad = [&](auto mutate, const char* needle) {
    RegionConfig b = small_config();
    mutate(b);
    std::string w;
    EXPECT_FALSE(validate_config(b, &w)) << needle;
    EXPECT_CONTAINS(w, needle);
  };
  bad([](RegionConfig& b) { b.flow_capacity = 0; }, "flow_capacity");
  bad([](RegionConfig& b) { b.addrs.clear(); }, "media addresses");
  bad([](RegionConfig& b) { b.addrs[0].family = 5; }, "unknown family");
  bad([](RegionConfig& b) { b.port_min = 20001; }, "port range");
  bad([](RegionConfig& b) { b.port_max = static_cast<uint16_t>(b.port_min - 2); }, "port range");
  bad([](RegionConfig& b) { b.n_lcore_stats = 0; }, "lcore count");
  bad([](RegionConfig& b) { b.cmd_ring_capacity = 1000; }, "powers of two");
  bad([](RegionConfig& b) { b.evt_ring_capacity = 0; }, "powers of two");
  bad([](RegionConfig& b) { b.n_pkt_rings_to_dp = RTPGATE_SHM_MAX_PKT_RINGS + 1; }, "too many packet rings");
}

}  // namespace
}  // namespace rtpgate::shm
