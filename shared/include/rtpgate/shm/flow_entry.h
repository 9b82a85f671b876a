/* One flow slot: one direction of one media stream (RTP or RTCP).
 * params: writer control (only while no command for the slot is in flight).
 * counters/state: writer data plane (published by its housekeeping thread). */
#ifndef RTPGATE_SHM_FLOW_ENTRY_H
#define RTPGATE_SHM_FLOW_ENTRY_H

#include <stdint.h>

#include "rtpgate/shm/forwarder.h"

/* An IP address: family 4 uses addr[0..3], family 6 uses all 16 bytes (network order). */
struct rtpgate_shm_addr {
  uint8_t family; /* 0 = unset, 4, 6 */
  uint8_t pad0[3];
  uint8_t addr[16];
};

enum rtpgate_flow_direction {
  RTPGATE_DIR_SENDRECV = 0, /* forward */
  RTPGATE_DIR_SENDONLY = 1, /* the relay sends on this flow's output: forward */
  RTPGATE_DIR_RECVONLY = 2, /* receive and count only: drop */
  RTPGATE_DIR_INACTIVE = 3  /* drop */
};

enum rtpgate_flow_action {
  RTPGATE_ACT_FORWARD = 0, /* rewrite and send to out_dst */
  RTPGATE_ACT_TO_CTL = 1,  /* hand the UDP payload to control's packet ring */
  RTPGATE_ACT_DROP = 2     /* count and drop */
};

enum rtpgate_flow_kind {
  RTPGATE_KIND_RTP = 0,  /* RTP; RTCP on the same port (rtcp-mux) follows rtcp_flow_id */
  RTPGATE_KIND_RTCP = 1  /* RTCP only */
};

/* Flag bits (params.flags). */
#define RTPGATE_FLOW_F_EXPECT_ADDR 0x0001u /* drop packets whose source address differs from expect_src */
#define RTPGATE_FLOW_F_EXPECT_PORT 0x0002u /* ... and whose source port differs */
#define RTPGATE_FLOW_F_EXPECT_SSRC 0x0004u /* accept only expect_ssrc (RTP) */
#define RTPGATE_FLOW_F_LATCH       0x0008u /* opt-in: re-learn out_dst from an accepted source */
#define RTPGATE_FLOW_F_REWRITE     0x0010u /* switching context: out SSRC fixed, seq/ts continuous */
#define RTPGATE_FLOW_F_RTCP_MUX    0x0020u /* RTCP may arrive on this RTP port (RFC 5761 demux) */
#define RTPGATE_FLOW_F_SRTP_AUTH   0x0040u /* leg is SRTP: latch only after authentication (SRTP issue) */
#define RTPGATE_FLOW_F_DSCP        0x0080u /* set DSCP to params.dscp */

struct rtpgate_shm_flow_params {
  uint32_t version;        /* bumped by control on every write; echoed in commands */
  uint32_t cookie;         /* opaque to the data plane (control's session/stream id) */
  uint8_t kind;            /* rtpgate_flow_kind */
  uint8_t direction;       /* rtpgate_flow_direction */
  uint8_t action;          /* rtpgate_flow_action */
  uint8_t dscp;            /* 0..63 */
  uint16_t flags;          /* RTPGATE_FLOW_F_* */
  uint16_t local_port;     /* match: relay UDP port (host order) */
  struct rtpgate_shm_addr local;      /* match: relay address (one of the region's media addresses) */
  struct rtpgate_shm_addr expect_src; /* expected remote address (EXPECT_ADDR, LATCH) */
  uint16_t expect_src_port;
  uint16_t out_src_port;   /* source port of forwarded packets (host order) */
  uint16_t out_dst_port;   /* destination port of forwarded packets (host order) */
  uint16_t pad0;
  struct rtpgate_shm_addr out_src; /* source address of forwarded packets */
  struct rtpgate_shm_addr out_dst; /* destination address of forwarded packets */
  uint32_t expect_ssrc;    /* EXPECT_SSRC */
  uint32_t out_ssrc;       /* REWRITE: SSRC written on output; 0 = first SSRC seen */
  uint32_t ts_step;        /* REWRITE: timestamp gap inserted at a source change (e.g. 160) */
  uint32_t latch_window_ms;/* LATCH: re-learning allowed only this long after install/modify */
  uint32_t idle_timeout_ms;/* 0 = never report idle */
  uint32_t rtcp_flow_id;   /* RTCP_MUX: flow that handles RTCP arriving here (UINT32_MAX = none) */
  uint32_t ctl_ring;       /* TO_CTL: index of the data-plane-to-control packet ring */
  uint32_t srtp_slot;      /* SRTP entry that unprotects what arrives (0 or UINT32_MAX = plain) */
  uint32_t record_slot;    /* recording entry of the RTP this flow receives (0 or UINT32_MAX = none) */
  uint32_t reverse_flow_id;/* LATCH: flow whose output follows this flow's learnt source */
  uint32_t srtp_out_slot;  /* layout 1.2: SRTP entry that protects what this flow sends (0 = plain) */
  struct rtpgate_shm_fwd fwd; /* layout 1.3: RTP forwarders (forwarder.h) */
  uint32_t record_tx_slot; /* layout 1.4: recording entry of the RTP control sends on this flow
                              (0 or UINT32_MAX = none) */
  uint8_t reserved[20];
};

#define RTPGATE_FLOW_STATE_FREE 0u
#define RTPGATE_FLOW_STATE_ACTIVE 1u
#define RTPGATE_FLOW_STATE_IDLE 2u

struct rtpgate_shm_flow_counters {
  uint64_t publish_seq;    /* odd while the data plane is writing this block */
  uint32_t state;          /* RTPGATE_FLOW_STATE_* as the data plane sees it */
  uint32_t last_in_ssrc;
  uint64_t last_seen_ns;   /* CLOCK_MONOTONIC of the last matched packet, 0 = never */
  struct rtpgate_shm_addr cur_dst; /* where the flow currently sends (after latching) */
  uint16_t cur_dst_port;
  uint16_t pad0;
#define RTPGATE_FLOW_COUNTER(name, help) uint64_t name;
#include "rtpgate/shm/flow_counters.def"
#undef RTPGATE_FLOW_COUNTER
};

struct rtpgate_shm_flow_slot {
  struct rtpgate_shm_flow_params params;      /* writer: control */
  struct rtpgate_shm_flow_counters counters;  /* writer: data plane */
};

#endif
