// CPU time of the relay under test and UDP drop counters from /proc (main thread).
#include "proc_probe.h"

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "rtpgate/shm/region_map.h"

namespace rtpgate::perf {

uint64_t ProcProbe::task_ns(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return 0;
  uint64_t total = 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream f(dir + "/" + e->d_name + "/schedstat");
    uint64_t run_ns = 0;
    if (f >> run_ns) total += run_ns;
  }
  closedir(d);
  return total;
}

uint64_t ProcProbe::cpu_busy_ns(int cpu) {
  std::ifstream f("/proc/stat");
  const std::string want = "cpu" + std::to_string(cpu);
  std::string line;
  while (std::getline(f, line)) {
    std::istringstream is(line);
    std::string name;
    is >> name;
    if (name != want) continue;
    uint64_t v[8]{}, busy = 0;
    for (uint64_t& x : v) is >> x;  // user nice system idle iowait irq softirq steal
    for (int i = 0; i < 8; i++)
      if (i != 3 && i != 4) busy += v[i];
    return busy * (1000000000ull / uint64_t(sysconf(_SC_CLK_TCK)));
  }
  return 0;
}

uint64_t ProcProbe::udp_rcvbuf_errors(pid_t pid) {
  std::ifstream f(pid > 0 ? "/proc/" + std::to_string(pid) + "/net/snmp" : std::string("/proc/net/snmp"));
  std::string names, values;
  while (std::getline(f, names) && std::getline(f, values)) {
    if (names.rfind("Udp:", 0) != 0) continue;
    std::istringstream n(names), v(values);
    std::string key, val;
    while (n >> key && v >> val)
      if (key == "RcvbufErrors") return std::stoull(val);
  }
  return 0;
}

void ProcProbe::before() {
  udp_relay0_ = pid_ > 0 ? udp_rcvbuf_errors(pid_) : 0;
  udp_sink0_ = udp_rcvbuf_errors(0);
  wall0_ = shm::monotonic_ns();
  task0_ = pid_ > 0 ? task_ns(pid_) : 0;
  busy0_ = cpu_ >= 0 ? cpu_busy_ns(cpu_) : 0;
}

void ProcProbe::after(TrialResult* r) {
  const uint64_t task1 = pid_ > 0 ? task_ns(pid_) : 0;
  const uint64_t busy1 = cpu_ >= 0 ? cpu_busy_ns(cpu_) : 0;
  const double wall_s = double(shm::monotonic_ns() - wall0_) / 1e9;
  r->extra.emplace_back("udp_rcvbuf_errors_sink", double(udp_rcvbuf_errors(0) - udp_sink0_));
  const double rx = double(r->rx.received);
  if (pid_ > 0) {
    const double task_s = double(task1 - task0_) / 1e9;
    r->extra.emplace_back("udp_rcvbuf_errors_relay", double(udp_rcvbuf_errors(pid_) - udp_relay0_));
    r->extra.emplace_back("relay_task_cores", task_s / wall_s);
    if (task_s > 0) r->extra.emplace_back("relay_pps_per_task_core", rx / task_s);
  }
  if (cpu_ >= 0) {
    // The relay's core: its threads plus the receive softirq steered there (and anything
    // else scheduled on it: a shared machine makes this an upper bound of the relay's cost).
    const double busy_s = double(busy1 - busy0_) / 1e9;
    r->extra.emplace_back("relay_core_busy", busy_s / wall_s);
    if (busy_s > 0) r->extra.emplace_back("relay_pps_per_busy_core", rx / busy_s);
  }
}

}  // namespace rtpgate::perf
