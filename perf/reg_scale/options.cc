// Option parsing for rtpgate-reg-scale (main thread).
#include "options.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace rtpgate::perf {
namespace {

constexpr const char* kUsage =
    "usage: rtpgate-reg-scale --plugin PATH [--flavor rtpgate|stock] [--janus-core PATH]\n"
    "         [--accounts N] [--registrar HOST:PORT] [--local-ip IP] [--secret S]\n"
    "         [--user-prefix P] [--timeout-s S] [--unregister-timeout-s S] [--stall-s S]\n"
    "         [--settle-s S] [--destroy-timeout-s S] [--no-destroy] [--log-level L]\n"
    "         [--progress-ms MS] [--label NAME]\n"
    "Registers N accounts (digest auth) through the plugin against a sipp registrar, prints one\n"
    "JSON line with time, registrations/s, threads, fds and memory. See perf/README.md.\n";

bool number(const char* text, double* out) {
  char* end = nullptr;
  *out = std::strtod(text, &end);
  return end != text && *end == '\0';
}

}  // namespace

bool parse_options(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (a == "--no-destroy") {
      o->skip_destroy = true;
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "rtpgate-reg-scale: %s needs a value\n%s", argv[i], kUsage);
      return false;
    }
    const char* v = argv[++i];
    double d = 0;
    bool ok = true;
    if (a == "--plugin") o->plugin_path = v;
    else if (a == "--flavor") o->flavor = v;
    else if (a == "--janus-core") o->janus_core = v;
    else if (a == "--label") o->label = v;
    else if (a == "--registrar") o->registrar = v;
    else if (a == "--local-ip") o->local_ip = v;
    else if (a == "--secret") o->secret = v;
    else if (a == "--user-prefix") o->user_prefix = v;
    else if (a == "--accounts") ok = number(v, &d) && d >= 1 && d <= 1e6 && (o->accounts = static_cast<int>(d), true);
    else if (a == "--timeout-s") ok = number(v, &d) && d > 0 && (o->register_timeout_s = d, true);
    else if (a == "--unregister-timeout-s") ok = number(v, &d) && d > 0 && (o->unregister_timeout_s = d, true);
    else if (a == "--stall-s") ok = number(v, &d) && d > 0 && (o->stall_s = d, true);
    else if (a == "--settle-s") ok = number(v, &d) && d >= 0 && (o->settle_s = d, true);
    else if (a == "--destroy-timeout-s") ok = number(v, &d) && d > 0 && (o->destroy_timeout_s = d, true);
    else if (a == "--log-level") ok = number(v, &d) && (o->log_level = static_cast<int>(d), true);
    else if (a == "--progress-ms") ok = number(v, &d) && d >= 10 && (o->progress_ms = static_cast<int>(d), true);
    else ok = false;
    if (!ok) {
      std::fprintf(stderr, "rtpgate-reg-scale: bad option %s %s\n%s", argv[i - 1], v, kUsage);
      return false;
    }
  }
  if (o->plugin_path.empty()) {
    std::fprintf(stderr, "rtpgate-reg-scale: --plugin is required\n%s", kUsage);
    return false;
  }
  if (o->flavor.empty()) {
    o->flavor = o->plugin_path.find("libjanus_sip.so") != std::string::npos ? "stock" : "rtpgate";
  }
  if (o->flavor != "stock" && o->flavor != "rtpgate") {
    std::fprintf(stderr, "rtpgate-reg-scale: --flavor must be rtpgate or stock\n");
    return false;
  }
  if (o->flavor == "stock" && o->janus_core.empty()) o->janus_core = "/usr/bin/janus";
  if (o->label.empty()) o->label = o->flavor + "-" + std::to_string(o->accounts);
  return true;
}

}  // namespace rtpgate::perf
