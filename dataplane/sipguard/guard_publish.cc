// Guard block writer (see guard_publish.h). Guard loader thread and start-up.
#include "sipguard/guard_publish.h"

#include <time.h>

#include <cstdio>
#include <cstring>

#include "rtpgate/shm/region_map.h"
#include "rtpgate/shm/seqlock.h"

namespace rtpgate::dp::sipguard {
namespace {

void copy_text(char* dst, size_t cap, const std::string& s) { std::snprintf(dst, cap, "%s", s.c_str()); }

void begin(rtpgate_shm_guard_block* b) { shm::seq_write_begin(&b->seq); }
void end(rtpgate_shm_guard_block* b) { shm::seq_write_end(&b->seq); }

}  // namespace

void init_guard_block(rtpgate_shm_guard_block* b, bool on, uint32_t n_workers, uint32_t sources_per_worker) {
  std::memset(b, 0, sizeof *b);
  b->block_version = RTPGATE_GUARD_BLOCK_VERSION;
  b->block_size = sizeof *b;
  b->state = on ? RTPGATE_GUARD_ON : RTPGATE_GUARD_OFF;
  b->n_workers = n_workers;
  b->sources_per_worker = sources_per_worker;
}

void publish_ruleset(rtpgate_shm_guard_block* b, const GuardDb& db, const std::string& path, bool reload) {
  begin(b);
  const uint64_t now = shm::realtime_ns();
  std::memset(b->rules, 0, sizeof b->rules);
  for (uint32_t i = 0; i < db.n_rules(); i++) {
    const Rule& r = db.source(i);
    rtpgate_shm_guard_rule& o = b->rules[i];
    copy_text(o.id, sizeof o.id, r.id);
    o.action = static_cast<uint8_t>(r.action);
    o.check = static_cast<uint8_t>(r.check);
    o.line = r.line;
    o.rate_per_s = r.rate_per_s;
    o.burst = r.burst;
    o.limit = r.limit;
  }
  b->n_rules = db.n_rules();
  b->ruleset_gen = db.generation();
  b->loaded_ns = now;
  b->last_attempt_ns = now;
  b->last_errc = static_cast<uint32_t>(Errc::Ok);
  b->last_error_line = 0;
  b->last_error[0] = '\0';
  copy_text(b->path, sizeof b->path, path);
  if (reload) b->reloads++;
  end(b);
}

void publish_failure(rtpgate_shm_guard_block* b, Errc e, const RuleError& err, bool reload) {
  begin(b);
  b->last_attempt_ns = shm::realtime_ns();
  b->last_errc = static_cast<uint32_t>(e);
  b->last_error_line = err.line;
  copy_text(b->last_error, sizeof b->last_error, err.text());
  if (reload) {
    b->reloads++;
    b->reload_failures++;
  }
  end(b);
}

}  // namespace rtpgate::dp::sipguard
