// Resource readings of this process (all threads, getrusage + /proc/self) and of another
// process by PID (/proc/PID/stat): the data plane. Any thread.
#pragma once
#include <pthread.h>

#include <ctime>
#include <map>
#include <string>

namespace rtpgate::perf {

// user + system CPU seconds of every thread of this process, living or exited.
double process_cpu_s();
// user + system CPU seconds of another process (all its threads); -1 if unreadable.
double pid_cpu_s(int pid);
// CPU seconds of one thread of this process, by its CPU clock (pthread_getcpuclockid).
double thread_cpu_s(clockid_t clock);
// The calling thread's CPU clock, to be read later by another thread.
clockid_t self_cpu_clock();

int thread_count();   // entries of /proc/self/task
int fd_count();       // entries of /proc/self/fd
long rss_kb();        // VmRSS of /proc/self/status

// CPU seconds of this process's living threads, summed by thread name (digits and what
// follows a space dropped: "sip cs12" and "sip cs7" are both "sip").
std::map<std::string, double> cpu_by_thread_name();

// One reading of everything, taken at the same moment.
struct Snapshot {
  double wall_s = 0;       // steady clock
  double process_cpu_s = 0;
  double dp_cpu_s = -1;    // data plane (when a PID is known)
  int threads = 0;
  int fds = 0;
  long rss_kb = 0;
  std::map<std::string, double> thread_cpu_s;  // by thread name
};
Snapshot take_snapshot(int dp_pid);

}  // namespace rtpgate::perf
