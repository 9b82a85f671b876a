/* Version and identity of the shared-memory layout between control and data plane.
 * Bump RTPGATE_SHM_LAYOUT_MINOR for compatible additions, _MAJOR for anything else,
 * and update tests/shared/layout_test.cc. */
#ifndef RTPGATE_SHM_LAYOUT_VERSION_H
#define RTPGATE_SHM_LAYOUT_VERSION_H

#define RTPGATE_SHM_MAGIC 0x3130455441475052ULL /* "RPGATE01" little-endian */
#define RTPGATE_SHM_LAYOUT_MAJOR 1
#define RTPGATE_SHM_LAYOUT_MINOR 7 /* 1.2: SRTP key table, srtp_out_slot, SRTP counters; 1.3: forwarders;
                                     1.4: recording table, record_tx_slot, 128 counters;
                                     1.5: SIP guard block, GUARD_RELOAD command, SIP guard counters;
                                     1.6: flows_ctl_expired counter (control heartbeat grace);
                                     1.7: configuration block, CONFIG_RELOAD command, NIC drop counters */

/* Index of each struct in the header's size table. Numbers never change. */
enum rtpgate_shm_struct_id {
  RTPGATE_SHM_SZ_HEADER = 0,
  RTPGATE_SHM_SZ_ADDR = 1,
  RTPGATE_SHM_SZ_FLOW_PARAMS = 2,
  RTPGATE_SHM_SZ_FLOW_COUNTERS = 3,
  RTPGATE_SHM_SZ_FLOW_SLOT = 4,
  RTPGATE_SHM_SZ_RING_HDR = 5,
  RTPGATE_SHM_SZ_CMD = 6,
  RTPGATE_SHM_SZ_CPL = 7,
  RTPGATE_SHM_SZ_LCORE_STATS = 8,
  RTPGATE_SHM_SZ_PKT_SLOT = 9,
  RTPGATE_SHM_SZ_SRTP_ENTRY = 10, /* layout 1.2 */
  RTPGATE_SHM_SZ_REC_ENTRY = 11,  /* layout 1.4 */
  RTPGATE_SHM_SZ_GUARD_BLOCK = 12, /* layout 1.5 */
  RTPGATE_SHM_SZ_CONFIG_BLOCK = 13, /* layout 1.7 */
  RTPGATE_SHM_SZ_COUNT = 14,
  RTPGATE_SHM_SZ_TABLE_LEN = 16 /* room for later structs */
};

#endif
