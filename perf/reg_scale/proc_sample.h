// Process resource figures read from /proc/self: threads, open file descriptors, resident
// memory. Main thread of rtpgate-reg-scale.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <jansson.h>

namespace rtpgate::perf {

struct ProcSample {
  int64_t threads = -1;    // /proc/self/status Threads
  int64_t fds = -1;        // entries of /proc/self/fd (the directory's own fd excluded)
  int64_t rss_kb = -1;     // /proc/self/status VmRSS
  int64_t vm_size_kb = -1; // /proc/self/status VmSize (thread stacks show here)
  double at_s = 0;         // seconds since the benchmark started
};

ProcSample sample_proc(double at_s);
// {"threads":…,"fds":…,"rss_kb":…,"vm_size_kb":…,"at_s":…} (new reference)
json_t* to_json(const ProcSample& s);
// readlink() of every open descriptor, sorted (socket:[…], /dev/urandom, anon_inode:[eventfd]…).
std::vector<std::string> fd_targets();
// Targets open in `after` but not in `before` (multiset difference), at most `limit` of them,
// with socket inode numbers dropped so that only the kind remains.
json_t* fds_opened(const std::vector<std::string>& before, const std::vector<std::string>& after,
                   size_t limit);
// RLIMIT_NOFILE soft limit.
int64_t nofile_limit();

}  // namespace rtpgate::perf
