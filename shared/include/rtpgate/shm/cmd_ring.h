/* Command ring (control -> data plane), completion ring and event ring (data plane ->
 * control; events are notifications such as idle flows, so that waiting for a completion
 * never consumes them).
 * Both are single-producer/single-consumer rings of fixed 64-byte records
 * (see spsc_ring.h for the index protocol). */
#ifndef RTPGATE_SHM_CMD_RING_H
#define RTPGATE_SHM_CMD_RING_H

#include <stdint.h>

/* A ring's indices; head and tail live on separate cache lines. Slots follow the header. */
struct rtpgate_shm_ring_hdr {
  uint64_t head;           /* writer: producer; count of records ever produced */
  uint8_t pad0[56];
  uint64_t tail;           /* writer: consumer; count of records ever consumed */
  uint8_t pad1[56];
  uint32_t capacity;       /* power of two; writer: data plane at creation */
  uint32_t elem_size;      /* bytes per record */
  uint8_t pad2[56];
};

/* Command numbers never change; a retired command keeps its number. */
enum rtpgate_cmd_op {
  RTPGATE_CMD_NOP = 0,
  RTPGATE_CMD_FLOW_INSTALL = 1, /* read slot params (version must match), publish the key */
  RTPGATE_CMD_FLOW_MODIFY = 2,  /* re-read slot params; key (local addr/port) may not change */
  RTPGATE_CMD_FLOW_REMOVE = 3,  /* unpublish; completion only once no lcore can still use it */
  RTPGATE_CMD_SRTP_SET = 4,     /* build the context of SRTP entry flow_id (version flow_version) */
  RTPGATE_CMD_SRTP_DEL = 5,     /* retire SRTP entry flow_id; completion once no lcore can use it */
  RTPGATE_CMD_REC_START = 6,    /* open recording entry flow_id (version flow_version): rec_entry.h */
  RTPGATE_CMD_REC_STOP = 7,     /* close recording entry flow_id: completes once no worker can copy for it
                                   (the close is queued behind every copy made before); the entry may
                                   be reused then; status.state turns CLOSED when the file is closed */
  RTPGATE_CMD_PLI = 8,          /* RTCP PLI to the sender of RTP flow flow_id (rtpgate_cmd_pli payload) */
  RTPGATE_CMD_FLOW_RESET_STATS = 9,
  RTPGATE_CMD_GUARD_RELOAD = 10 /* layout 1.5: reload the SIP guard's rule file (flow_id, flow_version 0);
                                   completes once the file was compiled and swapped in, or refused
                                   (errc BadRuleFile, aux = the offending line, the old rules stay;
                                   text in the guard block's last_error) */,
  RTPGATE_CMD_CONFIG_RELOAD = 11 /* layout 1.7: re-read the configuration file and apply the run-time
                                   settings, then reload the SIP guard's rules (when on); completes with
                                   Ok, BadConfig (aux = the offending line; the settings in force stay;
                                   text in the config block's last_error) or the guard's BadRuleFile */
};

/* RTPGATE_CMD_PLI payload: the PLI goes out on the RTP flow's RTCP flow (rtcp_flow_id, or
 * the flow itself), media SSRC = the last SSRC the flow received. */
struct rtpgate_cmd_pli {
  uint32_t sender_ssrc;    /* 0 = the last SSRC control sent on the flow */
  uint32_t flags;          /* RTPGATE_PLI_F_* */
};
#define RTPGATE_PLI_F_FORCE 0x1u /* ignore the per-flow rate limit */

/* Completion/notification kinds (rtpgate_shm_cpl.op). Commands echo their own op. */
enum rtpgate_notify_op {
  RTPGATE_NOTIFY_FLOW_IDLE = 100 /* flow saw no packet for idle_timeout_ms; aux = idle ms */
};

struct rtpgate_shm_cmd {
  uint64_t seq;            /* control's sequence number, echoed in the completion */
  uint16_t op;             /* rtpgate_cmd_op */
  uint16_t flags;
  uint32_t flow_id;
  uint32_t flow_version;   /* params.version control wrote before sending */
  uint32_t pad0;
  uint8_t payload[40];     /* command specific (reserved for SRTP/recording) */
};

struct rtpgate_shm_cpl {
  uint64_t seq;            /* echo of the command's seq; 0 for notifications */
  uint16_t op;             /* echo of rtpgate_cmd_op, or rtpgate_notify_op */
  uint16_t errc;           /* rtpgate::Errc */
  uint32_t flow_id;
  uint32_t flow_version;
  uint32_t aux;
  uint64_t generation;     /* data-plane generation that produced this record */
  uint8_t pad[32];
};

#endif
