// rtpgate-perf: what /proc tells about a kernel-path trial: the CPU time of the relay
// process's threads and the busy time of the relay's core (which also runs the receive
// softirq steered to it), for per-core packet rates, and the UDP receive-buffer drops of
// the relay's and the sink's network namespaces (where kernel relays lose packets).
// Main thread, between trials.
#pragma once
#include <sys/types.h>

#include <cstdint>

#include "trial.h"

namespace rtpgate::perf {

class ProcProbe final : public TrialProbe {
 public:
  ProcProbe(pid_t relay_pid, int relay_cpu) : pid_(relay_pid), cpu_(relay_cpu) {}
  void before() override;
  void after(TrialResult* r) override;

  // Sum of /proc/PID/task/*/schedstat run times, ns (0 when the process is gone).
  static uint64_t task_ns(pid_t pid);
  // Busy (non-idle, non-iowait) time of CPU `cpu` from /proc/stat, ns.
  static uint64_t cpu_busy_ns(int cpu);
  // RcvbufErrors of the Udp line of /proc/PID/net/snmp (PID's network namespace; 0 = ours).
  static uint64_t udp_rcvbuf_errors(pid_t pid);

 private:
  pid_t pid_;
  int cpu_;
  uint64_t task0_ = 0, busy0_ = 0, wall0_ = 0, udp_relay0_ = 0, udp_sink0_ = 0;
};

}  // namespace rtpgate::perf
