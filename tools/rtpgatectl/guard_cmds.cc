// rtpgatectl SIP guard commands (see guard_cmds.h).
#include "guard_cmds.h"

#include <time.h>

#include <cstdio>
#include <ctime>
#include <cstring>
#include <memory>

#include "cli_text.h"
#include "reload_request.h"
#include "rtpgate/shm/seqlock.h"
#include "sipguard/guard_db.h"
#include "sipguard/rule_parser.h"

namespace rtpgate::ctl {
namespace {

namespace sg = dp::sipguard;

// A consistent copy of the loader-written part (status and rule table) of the block.
std::unique_ptr<rtpgate_shm_guard_block> read_block(const rtpgate_shm_guard_block& b) {
  auto c = std::make_unique<rtpgate_shm_guard_block>();
  shm::seq_read(&b.seq, c.get(), &b, offsetof(rtpgate_shm_guard_block, lcore));
  std::memcpy(c->lcore, b.lcore, sizeof b.lcore);
  c->last_error[sizeof c->last_error - 1] = '\0';
  c->path[sizeof c->path - 1] = '\0';
  for (auto& r : c->rules) r.id[sizeof r.id - 1] = '\0';
  return c;
}

const char* kActions[] = {"none", "count", "ratelimit", "drop"};
const char* action_name(uint8_t a) { return a < 4 ? kActions[a] : "?"; }
const char* check_name(uint8_t c) {
  return c <= RTPGATE_GUARD_CHK_MALFORMED_HEADER ? sg::check_name(static_cast<sg::Check>(c)) : "?";
}

struct Totals {
  uint64_t screened = 0, passed = 0, dropped = 0, rate_limited = 0, counted = 0, keepalives = 0, scan_errors = 0,
           evictions = 0;
  uint64_t hits[RTPGATE_GUARD_MAX_RULES] = {}, limited[RTPGATE_GUARD_MAX_RULES] = {};
};

Totals sum(const rtpgate_shm_guard_block& b) {
  Totals t;
  const uint32_t n = b.n_workers < RTPGATE_GUARD_MAX_WORKERS ? b.n_workers : RTPGATE_GUARD_MAX_WORKERS;
  for (uint32_t w = 0; w < n; w++) {
    const rtpgate_shm_guard_lcore& l = b.lcore[w];
    t.screened += l.screened;
    t.passed += l.passed;
    t.dropped += l.dropped;
    t.rate_limited += l.rate_limited;
    t.counted += l.counted;
    t.keepalives += l.keepalives;
    t.scan_errors += l.scan_errors;
    t.evictions += l.bucket_evictions;
    if (l.ruleset_gen != b.ruleset_gen) continue;  // still counting for an older rule set
    for (uint32_t r = 0; r < RTPGATE_GUARD_MAX_RULES; r++) {
      t.hits[r] += l.hits[r];
      t.limited[r] += l.limited[r];
    }
  }
  return t;
}

std::string format_time(uint64_t ns) {
  if (ns == 0) return "never";
  const time_t s = static_cast<time_t>(ns / 1000000000u);
  struct tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

void print_json(const rtpgate_shm_guard_block& b, const Totals& t) {
  std::printf("{\"state\":\"%s\",\"path\":%s,\"ruleset_gen\":%lu,\"loaded_ns\":%lu,\"n_rules\":%u,\"reloads\":%lu,"
              "\"reload_failures\":%lu,\"last_errc\":%s,\"last_error_line\":%u,\"last_error\":%s,\"workers\":%u,"
              "\"sources_per_worker\":%u,",
              b.state == RTPGATE_GUARD_ON ? "on" : "off", json_str(b.path).c_str(), (unsigned long)b.ruleset_gen,
              (unsigned long)b.loaded_ns, b.n_rules, (unsigned long)b.reloads, (unsigned long)b.reload_failures,
              json_str(std::string(to_string(static_cast<Errc>(b.last_errc))).c_str()).c_str(), b.last_error_line,
              json_str(b.last_error).c_str(), b.n_workers, b.sources_per_worker);
  std::printf("\"totals\":{\"screened\":%lu,\"passed\":%lu,\"dropped\":%lu,\"rate_limited\":%lu,\"counted\":%lu,"
              "\"keepalives\":%lu,\"scan_errors\":%lu,\"bucket_evictions\":%lu},\"rules\":[",
              (unsigned long)t.screened, (unsigned long)t.passed, (unsigned long)t.dropped,
              (unsigned long)t.rate_limited, (unsigned long)t.counted, (unsigned long)t.keepalives,
              (unsigned long)t.scan_errors, (unsigned long)t.evictions);
  for (uint32_t i = 0; i < b.n_rules && i < RTPGATE_GUARD_MAX_RULES; i++) {
    const auto& r = b.rules[i];
    std::printf("%s{\"id\":%s,\"action\":\"%s\",\"check\":\"%s\",\"line\":%u,\"rate_per_s\":%u,\"burst\":%u,"
                "\"limit\":%u,\"hits\":%lu,\"limited\":%lu}",
                i ? "," : "", json_str(r.id).c_str(), action_name(r.action), check_name(r.check), r.line,
                r.rate_per_s, r.burst, r.limit, (unsigned long)t.hits[i], (unsigned long)t.limited[i]);
  }
  std::printf("]}\n");
}

void print_text(const rtpgate_shm_guard_block& b, const Totals& t) {
  if (b.state != RTPGATE_GUARD_ON) {
    std::printf("sip guard     off (sip_guard = off: SIP datagrams pass unscreened)\n");
    return;
  }
  std::printf("sip guard     on  %s  %u rules, rule set %lu, loaded %s\n", b.path, b.n_rules,
              (unsigned long)b.ruleset_gen, format_time(b.loaded_ns).c_str());
  std::printf("reloads       %lu (%lu refused); last: %s\n", (unsigned long)b.reloads,
              (unsigned long)b.reload_failures, b.last_error[0] ? b.last_error : "ok");
  std::printf("datagrams     screened %lu  passed %lu  dropped %lu  rate-limited %lu  counted %lu  keepalives %lu"
              "  scan errors %lu\n",
              (unsigned long)t.screened, (unsigned long)t.passed, (unsigned long)t.dropped,
              (unsigned long)t.rate_limited, (unsigned long)t.counted, (unsigned long)t.keepalives,
              (unsigned long)t.scan_errors);
  std::printf("sources       %u per worker x %u worker(s), %lu evicted\n", b.sources_per_worker, b.n_workers,
              (unsigned long)t.evictions);
  std::printf("%-24s %-10s %-22s %5s %12s %12s\n", "rule", "action", "check", "line", "hits", "limited");
  for (uint32_t i = 0; i < b.n_rules && i < RTPGATE_GUARD_MAX_RULES; i++) {
    const auto& r = b.rules[i];
    char action[40];
    if (r.action == RTPGATE_GUARD_ACT_RATELIMIT) std::snprintf(action, sizeof action, "%u/s:%u", r.rate_per_s, r.burst);
    else std::snprintf(action, sizeof action, "%s", action_name(r.action));
    std::printf("%-24s %-10s %-22s %5u %12lu %12lu\n", r.id, action, check_name(r.check), r.line,
                (unsigned long)t.hits[i], (unsigned long)t.limited[i]);
  }
}

// The outcome of the last attempt, as the block states it.
int report(const rtpgate_shm_guard_block& b, Errc e, uint32_t line, bool json) {
  const std::string err = e == Errc::Ok ? "" : b.last_error[0] ? b.last_error : std::string(to_string(e));
  if (json) {
    std::printf("{\"ok\":%s,\"errc\":%s,\"line\":%u,\"error\":%s,\"ruleset_gen\":%lu,\"n_rules\":%u}\n",
                e == Errc::Ok ? "true" : "false", json_str(std::string(to_string(e)).c_str()).c_str(), line,
                json_str(err.c_str()).c_str(), (unsigned long)b.ruleset_gen, b.n_rules);
  } else if (e == Errc::Ok) {
    std::printf("reloaded %s: %u rules (rule set %lu)\n", b.path, b.n_rules, (unsigned long)b.ruleset_gen);
  } else {
    std::fprintf(stderr, "rtpgatectl: guard-reload refused: %s (the rules in force stay)\n", err.c_str());
  }
  return e == Errc::Ok ? 0 : 1;
}

}  // namespace

int cmd_guard_show(const std::string& name, bool json) {
  std::string why;
  auto r = shm::Region::attach(name, &why);
  if (!r) return fail(why);
  const auto b = read_block(r->guard());
  const Totals t = sum(*b);
  if (json) print_json(*b, t);
  else print_text(*b, t);
  return 0;
}

int cmd_guard_reload(const std::string& name, const std::vector<std::string>& args, bool json) {
  bool use_signal = false;
  double seconds = 10;
  if (!parse_reload_args(args, &use_signal, &seconds)) return fail("guard-reload [--signal] [--seconds N]");
  const ReloadWatch watch{
      [](const shm::Region& r) { return read_block(r.guard())->reloads; },
      [](const shm::Region& r) {
        const auto b = read_block(r.guard());
        return ReloadOutcome{true, static_cast<Errc>(b->last_errc), b->last_error_line};
      }};
  std::string why;
  const ReloadOutcome o = request_reload(name, RTPGATE_CMD_GUARD_RELOAD, use_signal, seconds, watch, &why);
  if (!o.answered) return fail(why);
  auto r = shm::Region::attach(name, &why);
  if (!r) return fail(why);
  return report(*read_block(r->guard()), o.errc, o.line, json);
}

int cmd_guard_check(const std::vector<std::string>& args, bool json) {
  if (args.size() != 1) return fail("guard-check FILE");
  const std::string& path = args[0];
  sg::RuleSet rs;
  sg::RuleError err;
  std::unique_ptr<sg::GuardDb> db;
  if (sg::load_rules(path, &rs, &err)) db = sg::GuardDb::compile(rs, 1, &err);
  if (json) {
    std::printf("{\"ok\":%s,\"file\":%s,\"rules\":%zu,\"line\":%u,\"error\":%s}\n", db ? "true" : "false",
                json_str(path.c_str()).c_str(), db ? rs.rules.size() : size_t{0}, db ? 0u : err.line,
                json_str(db ? "" : err.text().c_str()).c_str());
  } else if (db) {
    std::printf("%s: ok, %zu rules\n", path.c_str(), rs.rules.size());
  } else {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), err.text().c_str());
  }
  return db ? 0 : 1;
}

}  // namespace rtpgate::ctl
