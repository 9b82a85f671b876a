/* Configuration block (layout 1.7): the data plane's run-time settings in force and the
 * outcome of configuration reloads (`rtpgatectl reload`, SIGHUP), for rtpgatectl and
 * exporters. Fixed size. writer: data plane (its reload thread), under `seq` (odd while
 * writing; readers retry). Only settings that do not change the memory layout can change
 * at run time; a reload that changes any other key is refused and names the key. */
#ifndef RTPGATE_SHM_CONFIG_BLOCK_H
#define RTPGATE_SHM_CONFIG_BLOCK_H

#include <stdint.h>

#define RTPGATE_CONFIG_BLOCK_VERSION 1
#define RTPGATE_CONFIG_TEXT_MAX 256 /* path, error and key lists, NUL-terminated */

/* The run-time settings (data-plane configuration keys of the same names). */
struct rtpgate_shm_live_settings {
  uint32_t control_grace_ms;
  uint32_t pli_min_interval_ms;
  uint32_t heartbeat_interval_ms;
  uint32_t publish_interval_ms;
  uint32_t idle_mode;            /* 0 adaptive, 1 poll */
  uint32_t idle_sleep_max_us;
  uint32_t drain_us;
  uint32_t exception_rate_pps;
  uint32_t exception_burst;
  uint32_t neighbour_max_age_s;
  uint32_t neighbour_retry_ms;
  uint32_t neighbour_probes;
  uint32_t resolve_hold_ms;
  uint32_t rec_flush_ms;
  uint32_t log_level;            /* RTE_LOG_* of the data plane's own messages */
  uint32_t reserved[17];
};

struct rtpgate_shm_config_block {
  uint32_t block_version;        /* RTPGATE_CONFIG_BLOCK_VERSION */
  uint32_t block_size;           /* sizeof(struct rtpgate_shm_config_block) */
  uint64_t seq;                  /* odd while the fields below change */
  uint64_t config_gen;           /* 1 at start, +1 per reload that changed something */
  uint64_t loaded_ns;            /* CLOCK_REALTIME of the start or the last applied reload */
  uint64_t reloads;              /* reload attempts (signal or command) */
  uint64_t reload_failures;      /* ... refused (the settings in force stay) */
  uint64_t last_attempt_ns;      /* CLOCK_REALTIME of the last attempt */
  uint32_t last_errc;            /* rtpgate::Errc of the last attempt (0 = ok) */
  uint32_t last_error_line;      /* configuration-file line of the last failure (0 = none) */
  uint32_t n_changed;            /* keys the last successful reload changed */
  uint32_t pad0;
  struct rtpgate_shm_live_settings live;
  char path[RTPGATE_CONFIG_TEXT_MAX];        /* configuration file */
  char last_error[RTPGATE_CONFIG_TEXT_MAX];  /* "FILE: line N: key: ..." of the last failure */
  char last_changed[RTPGATE_CONFIG_TEXT_MAX]; /* "key old -> new; ..." of the last applied reload */
  uint8_t reserved[1080];
};

#endif
