/* Recording table (layout 1.4): one entry per open .mjr recording (one medium, one
 * direction of one call). The data plane's workers copy the plain RTP of a flow that names
 * the entry (flow params record_slot / record_tx_slot) to recorder threads, which write the
 * file (../shared/spec/mjr-format.md); workers never touch files.
 * Control part: writer control, only while no command for the entry is in flight. The data
 * plane reads it when RTPGATE_CMD_REC_START names it (flow_id = entry index, flow_version =
 * the entry's version). RTPGATE_CMD_REC_STOP closes the file once every copy made before
 * the stop was written; its completion means the entry may be reused.
 * Status part: writer data plane (recorder thread).
 * Entry 0 is never allocated: 0 and RTPGATE_REC_NONE both mean "not recorded". */
#ifndef RTPGATE_SHM_REC_ENTRY_H
#define RTPGATE_SHM_REC_ENTRY_H

#include <stdint.h>

#define RTPGATE_REC_NONE 0xffffffffu
#define RTPGATE_REC_PATH_MAX 512   /* absolute file name, NUL-terminated (".mjr" included) */
#define RTPGATE_REC_CODEC_MAX 16
#define RTPGATE_REC_FMTP_MAX 128

/* rtpgate_shm_rec_entry.medium */
#define RTPGATE_REC_AUDIO 'a'
#define RTPGATE_REC_VIDEO 'v'

/* rtpgate_shm_rec_entry.flags */
#define RTPGATE_REC_F_PLI 0x01u /* video: PLI to the sender of the recorded flow on start and
                                   after an SSRC change (rate-limited) */

enum rtpgate_rec_state {
  RTPGATE_REC_ST_FREE = 0,
  RTPGATE_REC_ST_OPENING = 1, /* REC_START taken, file not open yet */
  RTPGATE_REC_ST_OPEN = 2,
  RTPGATE_REC_ST_FAILED = 3,  /* open or write failed (err = errno); frames are dropped */
  RTPGATE_REC_ST_CLOSED = 4
};

struct rtpgate_shm_rec_status {
  uint32_t state;            /* rtpgate_rec_state */
  int32_t err;               /* errno of the first failure, 0 = none */
  uint64_t frames;           /* RTP packets written */
  uint64_t bytes;            /* bytes written (file size) */
  uint64_t drops_ring;       /* unused (0): copies lost to a full recorder ring or no buffer are
                                counted on the flow (flow counters rec_lost_rx / rec_lost_tx) */
  uint64_t drops_write;      /* packets lost: write failed / disk full, or not RTP */
  uint64_t first_frame_us;   /* "u" of the file, 0 = no frame yet */
  uint64_t ssrc_changes;     /* source changes re-based by the recorder */
};

struct rtpgate_shm_rec_entry {
  /* writer: control */
  uint32_t version;          /* bumped by control on every write; echoed in REC_START */
  uint32_t cookie;           /* opaque to the data plane (control's stream id) */
  uint8_t medium;            /* RTPGATE_REC_AUDIO / _VIDEO */
  uint8_t flags;             /* RTPGATE_REC_F_* */
  uint8_t video_orient_ext;  /* >0: extmap id of urn:3gpp:video-orientation in the packets */
  uint8_t pad0;
  uint32_t clock_hz;         /* RTP clock (0 = the codec's usual one) */
  char codec[RTPGATE_REC_CODEC_MAX]; /* "pcmu", "opus", "vp8", ... (mjr-format.md §2.1) */
  char fmtp[RTPGATE_REC_FMTP_MAX];   /* optional "f" of the info header */
  char path[RTPGATE_REC_PATH_MAX];
  uint8_t reserved[40];
  /* writer: data plane */
  struct rtpgate_shm_rec_status status;
};

#endif
