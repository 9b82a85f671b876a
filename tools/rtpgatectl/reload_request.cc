// Reload requests from rtpgatectl (see reload_request.h).
#include "reload_request.h"

#include <signal.h>
#include <time.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "rtpgate/shm/control_client.h"

namespace rtpgate::ctl {

bool parse_reload_args(const std::vector<std::string>& args, bool* use_signal, double* seconds) {
  for (size_t i = 0; i < args.size(); i++) {
    if (args[i] == "--signal") *use_signal = true;
    else if (args[i] == "--seconds" && i + 1 < args.size()) *seconds = std::strtod(args[++i].c_str(), nullptr);
    else return false;
  }
  return *seconds > 0;
}

ReloadOutcome request_reload(const std::string& name, rtpgate_cmd_op op, bool use_signal, double seconds,
                             const ReloadWatch& watch, std::string* why) {
  const auto timeout_ms = static_cast<uint32_t>(seconds * 1000);
  ReloadOutcome out;
  if (!use_signal) {
    auto cc = shm::ControlClient::open(name, why);
    if (cc) {
      auto seq = cc->submit_reload(op);
      if (!seq) return *why = "cannot queue the reload: " + std::string(to_string(seq.error())), out;
      auto cpl = cc->wait(seq.value(), timeout_ms);
      if (!cpl) return *why = "no answer from the data plane: " + std::string(to_string(cpl.error())), out;
      return ReloadOutcome{true, static_cast<Errc>(cpl->errc), cpl->aux};
    }
    if (cc.error() != Errc::Busy) return out;
    std::fprintf(stderr, "rtpgatectl: %s; reloading with SIGHUP instead\n", why->c_str());
  }
  auto r = shm::Region::attach(name, why);
  if (!r) return out;
  const uint64_t before = watch.attempts(r.value());
  const auto pid = static_cast<pid_t>(r->hdr()->dp_pid);
  if (pid == 0 || kill(pid, SIGHUP) != 0)
    return *why = "cannot signal the data plane (pid " + std::to_string(pid) + "): " + std::strerror(errno), out;
  for (uint32_t waited = 0; waited < timeout_ms; waited += 10) {
    if (watch.attempts(r.value()) > before) return watch.last(r.value());
    timespec ts{0, 10 * 1000 * 1000};
    nanosleep(&ts, nullptr);
  }
  *why = "the data plane did not reload within " + std::to_string(seconds) + " s";
  return out;
}

}  // namespace rtpgate::ctl
