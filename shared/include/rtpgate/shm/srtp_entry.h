/* SRTP key table: one entry per SRTP crypto context (one direction of one medium; the
 * context covers SRTP and SRTCP, which derive their keys from the same master key).
 * writer: control, only while no command for the entry is in flight; the data plane reads
 * an entry when RTPGATE_CMD_SRTP_SET names it (flow_id = entry index, flow_version = the
 * entry's version) and builds its private context from it, off the fast path.
 * Control wipes the key material (explicit_bzero) once RTPGATE_CMD_SRTP_DEL completed.
 * Entry 0 is never allocated: index 0 and RTPGATE_SRTP_NONE both mean "no context" in
 * flow params (zeroed reserved bytes stay "none"). The region is mode 0660, never world
 * readable. */
#ifndef RTPGATE_SHM_SRTP_ENTRY_H
#define RTPGATE_SHM_SRTP_ENTRY_H

#include <stdint.h>

#define RTPGATE_SRTP_NONE 0xffffffffu

/* Profile numbers (RFC 4568 / RFC 7714 names; values never change). */
enum rtpgate_srtp_profile {
  RTPGATE_SRTP_AES_CM_128_HMAC_SHA1_80 = 1,
  RTPGATE_SRTP_AES_CM_128_HMAC_SHA1_32 = 2,
  RTPGATE_SRTP_AEAD_AES_128_GCM = 7,
  RTPGATE_SRTP_AEAD_AES_256_GCM = 8
};

enum rtpgate_srtp_dir {
  RTPGATE_SRTP_DIR_PROTECT = 0,  /* what the data plane sends on a flow (srtp_out_slot) */
  RTPGATE_SRTP_DIR_UNPROTECT = 1 /* what a flow receives (srtp_slot) */
};

struct rtpgate_shm_srtp_entry {
  uint32_t version;   /* bumped by control on every write; echoed in SRTP_SET */
  uint32_t cookie;    /* opaque to the data plane (control's stream id) */
  uint8_t profile;    /* rtpgate_srtp_profile */
  uint8_t direction;  /* rtpgate_srtp_dir */
  uint8_t key_len;    /* 16 or 32 */
  uint8_t salt_len;   /* 14 (AES-CM) or 12 (AEAD) */
  uint32_t flags;     /* none defined: 0 */
  uint8_t key[32];
  uint8_t salt[16];
  uint8_t reserved[64];
};

#endif
