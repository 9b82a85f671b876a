// /proc/self readers for rtpgate-reg-scale (main thread).
#include "proc_sample.h"

#include <dirent.h>
#include <unistd.h>
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <iterator>

namespace rtpgate::perf {
namespace {

int64_t count_fds() {
  DIR* d = opendir("/proc/self/fd");
  if (d == nullptr) return -1;
  int64_t n = 0;
  while (const dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(d);
  return n - 1;  // the DIR's own descriptor
}

}  // namespace

ProcSample sample_proc(double at_s) {
  ProcSample s;
  s.at_s = at_s;
  if (FILE* f = std::fopen("/proc/self/status", "re")) {
    char line[256];
    while (std::fgets(line, sizeof line, f) != nullptr) {
      long long v = 0;
      if (std::sscanf(line, "Threads: %lld", &v) == 1) s.threads = v;
      else if (std::sscanf(line, "VmRSS: %lld kB", &v) == 1) s.rss_kb = v;
      else if (std::sscanf(line, "VmSize: %lld kB", &v) == 1) s.vm_size_kb = v;
    }
    std::fclose(f);
  }
  s.fds = count_fds();
  return s;
}

json_t* to_json(const ProcSample& s) {
  return json_pack("{s:I, s:I, s:I, s:I, s:f}", "threads", static_cast<json_int_t>(s.threads),
                   "fds", static_cast<json_int_t>(s.fds), "rss_kb",
                   static_cast<json_int_t>(s.rss_kb), "vm_size_kb",
                   static_cast<json_int_t>(s.vm_size_kb), "at_s", s.at_s);
}

std::vector<std::string> fd_targets() {
  std::vector<std::string> out;
  DIR* d = opendir("/proc/self/fd");
  if (d == nullptr) return out;
  const int own = dirfd(d);
  while (const dirent* e = readdir(d)) {
    if (e->d_name[0] == '.' || std::atoi(e->d_name) == own) continue;
    const std::string path = std::string("/proc/self/fd/") + e->d_name;
    char target[256];
    const ssize_t n = readlink(path.c_str(), target, sizeof target - 1);
    out.emplace_back(n > 0 ? std::string(target, static_cast<size_t>(n)) : "?");
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

json_t* fds_opened(const std::vector<std::string>& before, const std::vector<std::string>& after,
                   size_t limit) {
  std::vector<std::string> diff;
  std::set_difference(after.begin(), after.end(), before.begin(), before.end(),
                      std::back_inserter(diff));
  json_t* arr = json_array();
  for (size_t i = 0; i < diff.size() && i < limit; ++i) {
    std::string t = diff[i];
    if (t.rfind("socket:[", 0) == 0) t = "socket";
    json_array_append_new(arr, json_string(t.c_str()));
  }
  return arr;
}

int64_t nofile_limit() {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) != 0) return -1;
  return r.rlim_cur == RLIM_INFINITY ? -1 : static_cast<int64_t>(r.rlim_cur);
}

}  // namespace rtpgate::perf
