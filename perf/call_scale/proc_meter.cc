// Resource readings of this process and of the data plane (any thread).
#include "proc_meter.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace rtpgate::perf {
namespace {

double tv_s(const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; }

int count_dir(const char* path) {
  DIR* d = opendir(path);
  if (d == nullptr) return -1;
  int n = 0;
  while (const dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(d);
  return n - (std::strcmp(path, "/proc/self/fd") == 0 ? 1 : 0);  // opendir's own fd
}

}  // namespace

double process_cpu_s() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return tv_s(ru.ru_utime) + tv_s(ru.ru_stime);
}

double pid_cpu_s(int pid) {
  if (pid <= 0) return -1;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return -1;
  const auto close = line.rfind(')');  // comm may hold spaces
  if (close == std::string::npos) return -1;
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {  // field 3 = state, 14 = utime, 15 = stime
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double thread_cpu_s(clockid_t clock) {
  timespec ts{};
  if (clock_gettime(clock, &ts) != 0) return 0;
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec / 1e9;
}

clockid_t self_cpu_clock() {
  clockid_t c{};
  if (pthread_getcpuclockid(pthread_self(), &c) != 0) return CLOCK_THREAD_CPUTIME_ID;
  return c;
}

int thread_count() { return count_dir("/proc/self/task"); }
int fd_count() { return count_dir("/proc/self/fd"); }

long rss_kb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

std::map<std::string, double> cpu_by_thread_name() {
  std::map<std::string, double> out;
  DIR* d = opendir("/proc/self/task");
  if (d == nullptr) return out;
  const double tck = static_cast<double>(sysconf(_SC_CLK_TCK));
  while (const dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    const std::string dir = std::string("/proc/self/task/") + e->d_name;
    std::ifstream stat(dir + "/stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    const auto open = line.find('('), close = line.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    std::string name = line.substr(open + 1, close - open - 1);
    name = name.substr(0, name.find(' '));
    while (!name.empty() && (std::isdigit(static_cast<unsigned char>(name.back())) || name.back() == '-')) {
      name.pop_back();
    }
    std::istringstream rest(line.substr(close + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14 || i == 15) ticks += std::stod(field);
    }
    out[name] += ticks / tck;
  }
  closedir(d);
  return out;
}

Snapshot take_snapshot(int dp_pid) {
  Snapshot s;
  s.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  s.process_cpu_s = process_cpu_s();
  s.dp_cpu_s = pid_cpu_s(dp_pid);
  s.threads = thread_count();
  s.fds = fd_count();
  s.rss_kb = rss_kb();
  s.thread_cpu_s = cpu_by_thread_name();
  return s;
}

}  // namespace rtpgate::perf
