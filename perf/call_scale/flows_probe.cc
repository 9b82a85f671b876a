// Leak check of our plugin through rtpgatectl (main thread).
#include "flows_probe.h"

#include <jansson.h>

#include <chrono>
#include <cstdio>
#include <thread>

namespace rtpgate::perf {

long flows_allocated(const std::string& cmd) {
  if (cmd.empty()) return -1;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return -1;
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  if (pclose(p) != 0) return -1;
  json_error_t err;
  json_t* j = json_loads(out.c_str(), 0, &err);
  if (j == nullptr) return -1;
  const json_t* v = json_object_get(j, "flows_allocated");
  const long flows = json_is_integer(v) ? static_cast<long>(json_integer_value(v)) : -1;
  json_decref(j);
  return flows;
}

long wait_flows_released(const std::string& cmd, int timeout_ms) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  long flows = flows_allocated(cmd);
  while (flows != 0 && flows != -1 && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    flows = flows_allocated(cmd);
  }
  return flows;
}

}  // namespace rtpgate::perf
