/* SIP guard block (layout 1.5): the rule set the data plane screens SIP datagrams with
 * (dataplane/sipguard/, docs/sipguard.md) and its counters, for rtpgatectl and exporters.
 * Fixed size: at most RTPGATE_GUARD_MAX_RULES rules and RTPGATE_GUARD_MAX_WORKERS workers.
 * Status and rule table: writer data plane (the guard loader thread), under `seq`
 * (odd while writing; readers retry). Per-worker blocks: writer that worker only (plain
 * stores, readers sum). A worker's rule counters count for the rule set named by its
 * `ruleset_gen`: it zeroes them when it first screens with a new rule set, so readers sum
 * only the blocks whose ruleset_gen equals the block's. */
#ifndef RTPGATE_SHM_GUARD_BLOCK_H
#define RTPGATE_SHM_GUARD_BLOCK_H

#include <stdint.h>

#define RTPGATE_GUARD_BLOCK_VERSION 1
#define RTPGATE_GUARD_MAX_RULES 256
#define RTPGATE_GUARD_MAX_WORKERS 16
#define RTPGATE_GUARD_ID_MAX 32     /* rule id, NUL-terminated */
#define RTPGATE_GUARD_TEXT_MAX 256  /* path and error text, NUL-terminated */

/* Rule actions, ordered: the highest action among a datagram's hits decides. */
enum rtpgate_guard_action {
  RTPGATE_GUARD_ACT_NONE = 0,
  RTPGATE_GUARD_ACT_COUNT = 1,     /* pass, counted */
  RTPGATE_GUARD_ACT_RATELIMIT = 2, /* pass while the source's token bucket for the rule has a token */
  RTPGATE_GUARD_ACT_DROP = 3
};

/* What a rule looks at (rtpgate_shm_guard_rule.check). Numbers never change. */
enum rtpgate_guard_check {
  RTPGATE_GUARD_CHK_REQUEST_LINE = 0,  /* pattern over a request's request line */
  RTPGATE_GUARD_CHK_HEADER = 1,        /* pattern over the value of one named header */
  RTPGATE_GUARD_CHK_ANY_HEADER = 2,    /* pattern over every header line (name: value) */
  RTPGATE_GUARD_CHK_MESSAGE = 3,       /* pattern over the whole datagram (body included) */
  RTPGATE_GUARD_CHK_METHOD = 4,        /* a request of one method (floods) */
  RTPGATE_GUARD_CHK_MAX_MESSAGE_SIZE = 5,
  RTPGATE_GUARD_CHK_MAX_HEADER_LENGTH = 6,
  RTPGATE_GUARD_CHK_MAX_HEADER_COUNT = 7,
  RTPGATE_GUARD_CHK_REQUIRED_HEADERS = 8, /* requests lacking one of the listed headers */
  RTPGATE_GUARD_CHK_MALFORMED_START_LINE = 9,
  RTPGATE_GUARD_CHK_MALFORMED_HEADER = 10
};

enum rtpgate_guard_state {
  RTPGATE_GUARD_OFF = 0, /* sip_guard = off: every SIP datagram passes unscreened */
  RTPGATE_GUARD_ON = 1
};

struct rtpgate_shm_guard_rule {
  char id[RTPGATE_GUARD_ID_MAX];
  uint8_t action;          /* rtpgate_guard_action */
  uint8_t check;           /* rtpgate_guard_check */
  uint16_t pad0;
  uint32_t line;           /* line of the rule file */
  uint32_t rate_per_s;     /* RATELIMIT: tokens per second per source */
  uint32_t burst;          /* RATELIMIT: bucket size */
  uint32_t limit;          /* MAX_*: the limit in bytes or headers */
  uint8_t reserved[12];
};

/* Per worker. writer: that worker. */
struct rtpgate_shm_guard_lcore {
  uint64_t ruleset_gen;    /* rule set hits[] and limited[] count for */
  uint64_t screened;       /* SIP datagrams screened */
  uint64_t passed;         /* ... that went on to the kernel (keepalives included) */
  uint64_t dropped;        /* ... dropped by a drop rule */
  uint64_t rate_limited;   /* ... dropped because a ratelimit rule's bucket was empty */
  uint64_t counted;        /* ... passed with a count rule hit */
  uint64_t keepalives;     /* ... CRLF or STUN keepalives (passed, not screened by rules) */
  uint64_t scan_errors;    /* Hyperscan scan failures (the datagram passed) */
  uint64_t bucket_evictions; /* sources evicted from the full token-bucket table */
  uint64_t pad[7];
  uint64_t hits[RTPGATE_GUARD_MAX_RULES];    /* datagrams each rule matched */
  uint64_t limited[RTPGATE_GUARD_MAX_RULES]; /* datagrams each ratelimit rule dropped */
};

struct rtpgate_shm_guard_block {
  uint32_t block_version;  /* RTPGATE_GUARD_BLOCK_VERSION */
  uint32_t block_size;     /* sizeof(struct rtpgate_shm_guard_block) */
  /* writer: data plane (guard loader thread), under seq */
  uint64_t seq;            /* odd while the fields below change */
  uint32_t state;          /* rtpgate_guard_state */
  uint32_t n_rules;
  uint64_t ruleset_gen;    /* bumped by every successful load (0 = none loaded) */
  uint64_t loaded_ns;      /* CLOCK_REALTIME of the last successful load */
  uint64_t reloads;        /* load attempts after start-up */
  uint64_t reload_failures;
  uint64_t last_attempt_ns;   /* CLOCK_REALTIME of the last attempt */
  uint32_t last_errc;      /* rtpgate::Errc of the last attempt (0 = ok) */
  uint32_t last_error_line;   /* rule-file line of the last failure (0 = not a line) */
  uint32_t n_workers;      /* per-worker blocks in use */
  uint32_t sources_per_worker; /* token-bucket table capacity of each worker */
  char path[RTPGATE_GUARD_TEXT_MAX];       /* rule file in force */
  char last_error[RTPGATE_GUARD_TEXT_MAX]; /* "line N: ..." of the last failure, "" = none */
  uint8_t reserved[432];
  struct rtpgate_shm_guard_rule rules[RTPGATE_GUARD_MAX_RULES];
  struct rtpgate_shm_guard_lcore lcore[RTPGATE_GUARD_MAX_WORKERS];
};

#endif
