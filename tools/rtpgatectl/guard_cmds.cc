// rtpgatectl SIP guard commands (see guard_cmds.h).
#include "guard_cmds.h"

#include <signal.h>
#include <errno.h>
#include <time.h>

#include <cstdio>
#include <ctime>
#include <cstring>
#include <memory>

#include "rtpgate/shm/control_client.h"
#include "sipguard/guard_db.h"
#include "sipguard/rule_parser.h"

namespace rtpgate::ctl {
namespace {

namespace sg = dp::sipguard;

int fail(const std::string& m) {
  std::fprintf(stderr, "rtpgatectl: %s\n", m.c_str());
  return 1;
}

std::string json_str(const char* s) {
  std::string o = "\"";
  for (; *s != '\0'; s++) {
    const auto c = static_cast<unsigned char>(*s);
    if (c == '"' || c == '\\') o += '\\', o += static_cast<char>(c);
    else if (c < 0x20) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", c);
      o += b;
    } else o += static_cast<char>(c);
  }
  return o + "\"";
}

// A consistent copy of the loader-written part (status and rule table) of the block.
std::unique_ptr<rtpgate_shm_guard_block> read_block(const rtpgate_shm_guard_block& b) {
  auto c = std::make_unique<rtpgate_shm_guard_block>();
  for (int tries = 0; tries < 1000; tries++) {
    const uint64_t s = __atomic_load_n(&b.seq, __ATOMIC_ACQUIRE);
    if (s & 1) continue;
    std::memcpy(c.get(), &b, offsetof(rtpgate_shm_guard_block, lcore));
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (__atomic_load_n(&b.seq, __ATOMIC_RELAXED) == s) break;
  }
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

void sleep_ms(long ms) {
  timespec ts{ms / 1000, (ms % 1000) * 1000000};
  nanosleep(&ts, nullptr);
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
  for (size_t i = 0; i < args.size(); i++) {
    if (args[i] == "--signal") use_signal = true;
    else if (args[i] == "--seconds" && i + 1 < args.size()) seconds = std::stod(args[++i]);
    else return fail("guard-reload [--signal] [--seconds N]");
  }
  const auto timeout_ms = static_cast<uint32_t>(seconds * 1000);
  std::string why;
  if (!use_signal) {
    auto cc = shm::ControlClient::open(name, &why);
    if (cc) {
      auto seq = cc->submit_guard_reload();
      if (!seq) return fail("cannot queue the reload: " + std::string(to_string(seq.error())));
      auto cpl = cc->wait(seq.value(), timeout_ms);
      if (!cpl) return fail("no answer from the data plane: " + std::string(to_string(cpl.error())));
      const auto b = read_block(cc->region().guard());
      return report(*b, static_cast<Errc>(cpl->errc), cpl->aux, json);
    }
    if (cc.error() != Errc::Busy) return fail(why);
    std::fprintf(stderr, "rtpgatectl: %s; reloading with SIGHUP instead\n", why.c_str());
  }
  auto r = shm::Region::attach(name, &why);
  if (!r) return fail(why);
  const rtpgate_shm_guard_block& live = r->guard();
  const uint64_t before = __atomic_load_n(&live.reloads, __ATOMIC_ACQUIRE);
  if (r->hdr()->dp_pid == 0 || kill(static_cast<pid_t>(r->hdr()->dp_pid), SIGHUP) != 0)
    return fail("cannot signal the data plane (pid " + std::to_string(r->hdr()->dp_pid) + "): " + std::strerror(errno));
  for (uint32_t waited = 0; waited < timeout_ms; waited += 10) {
    const auto b = read_block(live);
    if (b->reloads > before) return report(*b, static_cast<Errc>(b->last_errc), b->last_error_line, json);
    sleep_ms(10);
  }
  return fail("the data plane did not reload within " + std::to_string(seconds) + " s");
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
