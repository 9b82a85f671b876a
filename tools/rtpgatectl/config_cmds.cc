// rtpgatectl configuration commands (see config_cmds.h).
#include "config_cmds.h"

#include <cstdio>

#include "cli_text.h"
#include "reload_request.h"
#include "rtpgate/shm/live_setting_values.h"
#include "rtpgate/shm/seqlock.h"

namespace rtpgate::ctl {
namespace {

rtpgate_shm_config_block read_block(const rtpgate_shm_config_block& live) {
  rtpgate_shm_config_block b;
  shm::seq_read(&live.seq, &b, &live, sizeof b);
  b.path[sizeof b.path - 1] = '\0';
  b.last_error[sizeof b.last_error - 1] = '\0';
  b.last_changed[sizeof b.last_changed - 1] = '\0';
  return b;
}

const char* level_name(uint32_t l) {
  static const char* const kNames[] = {"?", "emerg", "alert", "crit", "error", "warning", "notice", "info", "debug"};
  return l < 9 ? kNames[l] : "?";
}

void print_json(const rtpgate_shm_config_block& b) {
  std::printf("{\"path\":%s,\"config_gen\":%lu,\"loaded_ns\":%lu,\"reloads\":%lu,\"reload_failures\":%lu,"
              "\"last_errc\":%s,\"last_error_line\":%u,\"last_error\":%s,\"last_changed\":%s,\"settings\":{",
              json_str(b.path).c_str(), (unsigned long)b.config_gen, (unsigned long)b.loaded_ns,
              (unsigned long)b.reloads, (unsigned long)b.reload_failures,
              json_str(std::string(to_string(static_cast<Errc>(b.last_errc))).c_str()).c_str(), b.last_error_line,
              json_str(b.last_error).c_str(), json_str(b.last_changed).c_str());
  for (const auto& [key, value] : shm::live_setting_values(b.live)) std::printf("\"%s\":%u,", key, value);
  std::printf("\"idle_mode\":\"%s\",\"log_level\":\"%s\"}}\n", b.live.idle_mode == 0 ? "adaptive" : "poll",
              level_name(b.live.log_level));
}

void print_text(const rtpgate_shm_config_block& b) {
  std::printf("file          %s (generation %lu)\n", b.path[0] ? b.path : "(none: started without --config)",
              (unsigned long)b.config_gen);
  std::printf("reloads       %lu (%lu refused); last: %s\n", (unsigned long)b.reloads,
              (unsigned long)b.reload_failures, b.last_error[0] ? b.last_error : "ok");
  if (b.last_changed[0]) std::printf("last change   %s\n", b.last_changed);
  for (const auto& [key, value] : shm::live_setting_values(b.live)) std::printf("%-22s %u\n", key, value);
  std::printf("%-22s %s\n%-22s %s\n", "idle_mode", b.live.idle_mode == 0 ? "adaptive" : "poll", "log_level",
              level_name(b.live.log_level));
}

int report(const rtpgate_shm_config_block& b, const ReloadOutcome& o, bool json) {
  const bool ok = o.errc == Errc::Ok;
  const std::string err = ok ? "" : b.last_error[0] ? b.last_error : std::string(to_string(o.errc));
  if (json) {
    std::printf("{\"ok\":%s,\"errc\":%s,\"line\":%u,\"error\":%s,\"config_gen\":%lu,\"changed\":%s}\n",
                ok ? "true" : "false", json_str(std::string(to_string(o.errc)).c_str()).c_str(), o.line,
                json_str(err.c_str()).c_str(), (unsigned long)b.config_gen,
                json_str(ok && b.last_attempt_ns == b.loaded_ns ? b.last_changed : "").c_str());
  } else if (ok) {
    if (b.last_attempt_ns == b.loaded_ns) std::printf("reloaded %s: %s\n", b.path, b.last_changed);
    else std::printf("reloaded %s: nothing changed\n", b.path);
  } else if (o.errc == Errc::BadRuleFile) {
    std::fprintf(stderr, "rtpgatectl: reload: settings applied, SIP guard rules refused at line %u (see "
                 "rtpgatectl guard; the rules in force stay)\n", o.line);
  } else {
    std::fprintf(stderr, "rtpgatectl: reload refused: %s (the settings in force stay)\n", err.c_str());
  }
  return ok ? 0 : 1;
}

}  // namespace

int cmd_config_show(const std::string& name, bool json) {
  std::string why;
  auto r = shm::Region::attach(name, &why);
  if (!r) return fail(why);
  const auto b = read_block(r->config());
  if (json) print_json(b);
  else print_text(b);
  return 0;
}

int cmd_reload(const std::string& name, const std::vector<std::string>& args, bool json) {
  bool use_signal = false;
  double seconds = 30;  // a large SIP guard rule set compiles for a while
  if (!parse_reload_args(args, &use_signal, &seconds)) return fail("reload [--signal] [--seconds N]");
  // With SIGHUP the configuration block's counter moves before the guard's rules are
  // reloaded; its outcome is the configuration's (rtpgatectl guard shows the rules').
  const ReloadWatch watch{
      [](const shm::Region& r) { return read_block(r.config()).reloads; },
      [](const shm::Region& r) {
        const auto b = read_block(r.config());
        return ReloadOutcome{true, static_cast<Errc>(b.last_errc), b.last_error_line};
      }};
  std::string why;
  const ReloadOutcome o = request_reload(name, RTPGATE_CMD_CONFIG_RELOAD, use_signal, seconds, watch, &why);
  if (!o.answered) return fail(why);
  auto r = shm::Region::attach(name, &why);
  if (!r) return fail(why);
  return report(read_block(r->config()), o, json);
}

}  // namespace rtpgate::ctl
