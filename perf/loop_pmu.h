// Closed-loop benchmark: core cycles and instructions of the worker thread over the
// measured interval (perf_event_open, counted not sampled). Unavailable in most VMs:
// then open() fails and the report leaves the fields out. Control thread only.
#pragma once
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

namespace rtpgate::perf {

class CoreCounters {
 public:
  CoreCounters() = default;
  CoreCounters(const CoreCounters&) = delete;
  CoreCounters& operator=(const CoreCounters&) = delete;
  ~CoreCounters() {
    if (instr_ >= 0) close(instr_);
    if (cycles_ >= 0) close(cycles_);
  }

  // Counts thread `tid` (user and kernel) from start() to stop().
  bool open(pid_t tid) noexcept {
    cycles_ = open_one(PERF_COUNT_HW_CPU_CYCLES, tid, -1);
    if (cycles_ < 0) return false;
    instr_ = open_one(PERF_COUNT_HW_INSTRUCTIONS, tid, cycles_);
    return instr_ >= 0;
  }
  void start() noexcept {
    ioctl(cycles_, PERF_EVENT_IOC_RESET, PERF_IOC_FLAG_GROUP);
    ioctl(cycles_, PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP);
  }
  // Returns false when the counters were multiplexed away or could not be read.
  bool stop(uint64_t* cycles, uint64_t* instructions) noexcept {
    ioctl(cycles_, PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP);
    struct {
      uint64_t nr, enabled, running, v[2];
    } r{};
    if (::read(cycles_, &r, sizeof(r)) != static_cast<ssize_t>(sizeof(r)) || r.nr != 2 || r.running == 0 ||
        r.running != r.enabled)
      return false;
    *cycles = r.v[0];
    *instructions = r.v[1];
    return true;
  }

 private:
  static int open_one(uint64_t config, pid_t tid, int group) noexcept {
    perf_event_attr a{};
    a.size = sizeof(a);
    a.type = PERF_TYPE_HARDWARE;
    a.config = config;
    a.disabled = group < 0;
    a.read_format = PERF_FORMAT_GROUP | PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
    return static_cast<int>(syscall(SYS_perf_event_open, &a, tid, -1, group, 0));
  }

  int cycles_ = -1;
  int instr_ = -1;
};

}  // namespace rtpgate::perf
