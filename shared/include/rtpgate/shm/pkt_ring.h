/* Packet rings between data plane and control (the WebRTC-side media bridge).
 * Each ring is SPSC (spsc_ring.h) of fixed slots; the data plane owns one ring per
 * worker towards control, control owns one ring per producing thread towards the data plane. */
#ifndef RTPGATE_SHM_PKT_RING_H
#define RTPGATE_SHM_PKT_RING_H

#include <stdint.h>

#define RTPGATE_PKT_SLOT_DATA 1472

struct rtpgate_shm_pkt_slot {
  uint32_t flow_id;        /* dp->ctl: flow that matched; ctl->dp: flow whose output to use */
  uint16_t len;            /* bytes of data (UDP payload) */
  uint8_t is_rtcp;
  uint8_t pad0;
  uint64_t rx_ns;          /* CLOCK_MONOTONIC when received */
  struct {
    uint8_t family;
    uint8_t pad[1];
    uint16_t port;         /* remote UDP port (host order) */
    uint8_t addr[16];
  } remote;
  uint8_t pad1[28];
  uint8_t data[RTPGATE_PKT_SLOT_DATA];
};

#endif
