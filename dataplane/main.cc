// rtpgate-dataplane: EAL initialisation, configuration, and the lcore launch.
// Usage: rtpgate-dataplane [EAL options] -- --config FILE [--set key=value]...
#include <rte_eal.h>
#include <rte_log.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>

#include "runtime.h"

namespace {

rtpgate::dp::Runtime* g_runtime = nullptr;

void on_signal(int) {
  if (g_runtime != nullptr) g_runtime->request_stop();
}

void on_hup(int) {
  if (g_runtime != nullptr) g_runtime->request_reload();
}

int usage(const char* prog) {
  std::fprintf(stderr,
               "usage: %s [EAL options] -- --config FILE [--set key=value]...\n"
               "  --config FILE   data-plane configuration (see conf/rtpgate-dataplane.conf)\n"
               "  --set K=V       override one configuration key\n",
               prog);
  return 2;
}

// Parses the application arguments (after EAL's). Returns false with a message.
bool parse_app_args(int argc, char** argv, rtpgate::dp::Config* cfg, rtpgate::dp::ConfigSource* src,
                    std::string* why) {
  for (int i = 1; i < argc; i++) {
    const std::string a = argv[i];
    if ((a == "--config" || a == "-c") && i + 1 < argc) {
      src->path = argv[++i];
    } else if (a == "--set" && i + 1 < argc) {
      src->overrides.emplace_back(argv[++i]);
    } else {
      *why = "unknown argument " + a;
      return false;
    }
  }
  if (src->path.empty()) return *why = "missing --config FILE", false;
  return rtpgate::dp::read_config(src->path, src->overrides, cfg, why);
}

}  // namespace

int main(int argc, char** argv) {
  // Application arguments follow "--"; without them there is nothing to run.
  bool has_app_args = false;
  for (int i = 1; i < argc; i++) has_app_args |= std::strcmp(argv[i], "--") == 0;
  if (!has_app_args) return usage(argv[0]);
  const int eal_args = rte_eal_init(argc, argv);
  if (eal_args < 0) {
    std::fprintf(stderr, "rtpgate-dataplane: EAL initialisation failed: %s (check hugepages or use --no-huge)\n",
                 rte_strerror(rte_errno));
    return 1;
  }
  argc -= eal_args;
  argv += eal_args;
  rtpgate::dp::Config cfg;
  rtpgate::dp::ConfigSource src;
  std::string why;
  if (!parse_app_args(argc, argv, &cfg, &src, &why)) {
    std::fprintf(stderr, "rtpgate-dataplane: %s\n", why.c_str());
    rte_eal_cleanup();
    return why.rfind("unknown argument", 0) == 0 || why.rfind("missing", 0) == 0 ? usage(argv[0]) : 1;
  }
  int rc = 1;
  {
    rtpgate::dp::Runtime rt;
    if (!rt.init(cfg, &why, src)) {
      std::fprintf(stderr, "rtpgate-dataplane: %s\n", why.c_str());
    } else {
      g_runtime = &rt;
      std::signal(SIGINT, on_signal);
      std::signal(SIGTERM, on_signal);
      std::signal(SIGHUP, on_hup);  // reload the configuration and the SIP guard's rules
      RTE_LOG(INFO, USER1, "rtpgate-dataplane ready: region %s, %u flows, %u worker(s), generation %lu\n",
              cfg.shm_name.c_str(), cfg.flow_capacity, rt.n_workers(),
              static_cast<unsigned long>(rt.dp().region.hdr()->generation));
      std::fflush(stdout);
      rc = rt.run();
      g_runtime = nullptr;
      RTE_LOG(INFO, USER1, "rtpgate-dataplane stopping\n");
    }
    rt.shutdown();
  }
  rte_eal_cleanup();
  return rc;
}
