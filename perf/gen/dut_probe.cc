// The data plane's counters around a trial (main thread).
#include "dut_probe.h"

#include <cstring>

#include "rtpgate/shm/counter_names.h"

namespace rtpgate::perf {

bool DutProbe::attach(const std::string& shm_name, std::string* why) {
  auto r = shm::Region::attach(shm_name, why);
  if (!r) return false;
  region_ = std::move(r.value());
  return true;
}

Snapshot DutProbe::sum() const noexcept {
  Snapshot total;
  if (!region_.mapped()) return total;
  for (uint32_t i = 0; i < region_.hdr()->n_lcore_stats; i++) {
    const Snapshot s = snapshot(region_.lcore_stats(i));
    total.busy_tsc += s.busy_tsc;
    total.loops += s.loops;
    for (int c = 0; c < RTPGATE_CTR_COUNT; c++) total.ctr[c] += s.ctr[c];
  }
  return total;
}

void DutProbe::after(TrialResult* r) {
  if (!region_.mapped()) return;
  const Snapshot t1 = sum();
  auto d = [&](int c) { return double(t1.ctr[c] - t0_.ctr[c]); };
  r->extra.emplace_back("dut_rx_pkts", d(RTPGATE_CTR_rx_pkts));
  // Share of the worker's time spent in iterations that received packets: ~1 means the
  // data plane is the bottleneck, well below 1 that something else (the generator) is.
  const Snapshot w = snapshot(region_.lcore_stats(0));
  if (w.tsc > w0_.tsc) r->extra.emplace_back("dut_busy", double(w.busy_tsc - w0_.busy_tsc) / double(w.tsc - w0_.tsc));
  r->extra.emplace_back("dut_tx_pkts", d(RTPGATE_CTR_tx_pkts));
  for (int c = 0; c < RTPGATE_CTR_COUNT; c++)
    if (std::strncmp(shm::counter_name(c), "drop_", 5) == 0 && t1.ctr[c] != t0_.ctr[c])
      r->extra.emplace_back(std::string("dut_") + shm::counter_name(c), d(c));
}

}  // namespace rtpgate::perf
