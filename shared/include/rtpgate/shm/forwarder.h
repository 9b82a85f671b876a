/* RTP forwarders (layout 1.3; the SIP plugin's rtp_forward, spec §4.17): extra output
 * actions on a flow, run by the data plane. A forwarder is a flow slot of its own
 * (action FORWARD, direction INACTIVE: anything arriving on its port is dropped), whose
 * out_src/out_src_port/out_dst/out_dst_port say where the copies go (its next hop is
 * resolved like any flow's). A media flow names the first forwarder of two chains:
 *   rx chain: copies of the RTP the flow receives, made after the flow's own action
 *             (the SIP peer's media: peer_audio / peer_video);
 *   tx chain: copies of the RTP control sends on the flow through its packet rings
 *             (the browser's media: audio / video).
 * Each forwarder names the next one of its chain. Copies are fresh packets (the original
 * goes on untouched), with the forwarder's SSRC and/or payload type written in when set;
 * RTCP is never copied. A chain is followed for at most RTPGATE_FWD_MAX_CHAIN forwarders.
 * Every field is valid only with its flag: zeroed bytes mean "no forwarder". */
#ifndef RTPGATE_SHM_FORWARDER_H
#define RTPGATE_SHM_FORWARDER_H

#include <stdint.h>

#define RTPGATE_FWD_MAX_CHAIN 16

/* rtpgate_shm_fwd.flags */
#define RTPGATE_FWD_F_RX   0x01u /* rx_head is the first forwarder of the rx chain */
#define RTPGATE_FWD_F_TX   0x02u /* tx_head is the first forwarder of the tx chain */
#define RTPGATE_FWD_F_NEXT 0x04u /* forwarder flow: next is the following forwarder */
#define RTPGATE_FWD_F_SSRC 0x08u /* forwarder flow: write ssrc into every copy */
#define RTPGATE_FWD_F_PT   0x10u /* forwarder flow: write pt into every copy (marker bit kept) */

struct rtpgate_shm_fwd {
  uint32_t rx_head; /* F_RX: flow id of the first forwarder copying what this flow receives */
  uint32_t tx_head; /* F_TX: flow id of the first forwarder copying what control sends on it */
  uint32_t next;    /* F_NEXT: flow id of the next forwarder of the same chain */
  uint32_t ssrc;    /* F_SSRC */
  uint8_t flags;    /* RTPGATE_FWD_F_* */
  uint8_t pt;       /* F_PT: 0..127 */
  uint8_t pad[2];
};

#endif
