// rtpgate-exporter: Prometheus metrics of a running rtpgate data plane, read from its
// shared region (read-only; it never takes the controller lock).
//   rtpgate-exporter [--shm /rtpgate] [--listen 127.0.0.1:9477] [--max-heartbeat-age-ms 1000] [--once]
// --once prints one scrape on stdout and exits (0, or 1 when no region is attached).
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "http_server.h"
#include "region_metrics.h"
#include "region_watch.h"

namespace {

struct Args {
  std::string shm = "/rtpgate";
  std::string listen = "127.0.0.1:9477";
  uint64_t max_age_ms = 1000;
  bool once = false;
};

int usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s [--shm NAME] [--listen ADDR:PORT] [--max-heartbeat-age-ms N] [--once]\n"
               "  Prometheus text format on http://ADDR:PORT/metrics (default 127.0.0.1:9477, loopback).\n",
               argv0);
  return 2;
}

bool parse(int argc, char** argv, Args* a) {
  for (int i = 1; i < argc; i++) {
    const std::string k = argv[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= argc) return false;
      *out = argv[++i];
      return true;
    };
    std::string v;
    if (k == "--shm") {
      if (!value(&a->shm) || a->shm.empty() || a->shm[0] != '/') return false;
    } else if (k == "--listen") {
      if (!value(&a->listen)) return false;
    } else if (k == "--max-heartbeat-age-ms") {
      if (!value(&v)) return false;
      char* end = nullptr;
      a->max_age_ms = std::strtoull(v.c_str(), &end, 10);
      if (*end != '\0' || a->max_age_ms == 0) return false;
    } else if (k == "--once") {
      a->once = true;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace rtpgate::exporter;
  Args a;
  if (!parse(argc, argv, &a)) return usage(argv[0]);
  ExporterState st;
  st.shm_name = a.shm;
  st.max_heartbeat_age_ms = a.max_age_ms;
  RegionWatch watch(&st);
  auto scrape = [&]() {
    const rtpgate::shm::Region* r = watch.current();
    st.scrapes++;
    return render_metrics(r, st);
  };
  if (a.once) {
    const std::string text = scrape();
    std::fwrite(text.data(), 1, text.size(), stdout);
    if (!st.detach_why.empty()) std::fprintf(stderr, "rtpgate-exporter: %s\n", st.detach_why.c_str());
    return st.detach_why.empty() ? 0 : 1;
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // before the server's thread starts
  HttpServer server;
  std::string why;
  if (!server.start(a.listen, scrape, &why)) {
    std::fprintf(stderr, "rtpgate-exporter: %s\n", why.c_str());
    return 1;
  }
  std::fprintf(stderr, "rtpgate-exporter: serving %s on http://%s/metrics (port %u)\n", a.shm.c_str(),
               a.listen.c_str(), server.port());
  int sig = 0;
  sigwait(&set, &sig);
  std::fprintf(stderr, "rtpgate-exporter: %s, stopping\n", strsignal(sig));
  server.stop();
  return 0;
}
