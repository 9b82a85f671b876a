// The data plane's counters around a trial (main thread).
#include "dut_probe.h"

#include <chrono>
#include <cstdint>
#include <cstring>
#include <thread>

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

double DutProbe::wait_recorder() const noexcept {
  const auto t0 = std::chrono::steady_clock::now();
  auto since = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  uint64_t writeouts = UINT64_MAX;
  double stable_since = 0;
  while (since() < 120) {
    const Snapshot s = sum();
    const bool drained = s.ctr[RTPGATE_CTR_rec_frames] + s.ctr[RTPGATE_CTR_drop_rec_write] >= s.ctr[RTPGATE_CTR_rec_copies];
    if (s.ctr[RTPGATE_CTR_rec_writeouts] != writeouts) {
      writeouts = s.ctr[RTPGATE_CTR_rec_writeouts];
      stable_since = since();
    }
    // The recorder publishes every 100 ms: 300 ms without a write-out is idle.
    if (since() >= rec_settle_s_ && drained && since() - stable_since >= 0.3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return since();
}

void DutProbe::after(TrialResult* r) {
  if (!region_.mapped()) return;
  const double waited = rec_settle_s_ > 0 && region_.hdr()->rec_capacity != 0 ? wait_recorder() : 0;
  const Snapshot t1 = sum();
  if (waited > 0) r->extra.emplace_back("rec_settle_s", waited);
  auto d = [&](int c) { return double(t1.ctr[c] - t0_.ctr[c]); };
  r->extra.emplace_back("dut_rx_pkts", d(RTPGATE_CTR_rx_pkts));
  // Share of the worker's time spent in iterations that received packets: ~1 means the
  // data plane is the bottleneck, well below 1 that something else (the generator) is.
  const Snapshot w = snapshot(region_.lcore_stats(0));
  if (w.tsc > w0_.tsc) r->extra.emplace_back("dut_busy", double(w.busy_tsc - w0_.busy_tsc) / double(w.tsc - w0_.tsc));
  r->extra.emplace_back("dut_tx_pkts", d(RTPGATE_CTR_tx_pkts));
  // What the SRTP and recording runs do besides forwarding, when it happened.
  for (int c : {RTPGATE_CTR_srtp_protected, RTPGATE_CTR_srtp_unprotected, RTPGATE_CTR_rec_copies, RTPGATE_CTR_rec_frames})
    if (t1.ctr[c] != t0_.ctr[c]) r->extra.emplace_back(std::string("dut_") + shm::counter_name(c), d(c));
  // Recording copies lost (ring full, no buffer) or not written: the trial does not pass.
  r->side_loss += static_cast<uint64_t>(d(RTPGATE_CTR_drop_rec_copy) + d(RTPGATE_CTR_drop_rec_write));
  if (region_.hdr()->rec_capacity != 0) {
    // The flows' own count of lost copies (rec_lost_rx/tx), since the start, as the
    // housekeeping thread last published it (every publish_interval_ms).
    uint64_t lost = 0;
    for (uint32_t i = 0; i < region_.hdr()->flow_capacity; i++) {
      const rtpgate_shm_flow_counters& c = region_.flow(i).counters;
      lost += __atomic_load_n(&c.rec_lost_rx, __ATOMIC_RELAXED) + __atomic_load_n(&c.rec_lost_tx, __ATOMIC_RELAXED);
    }
    r->extra.emplace_back("dut_flow_rec_lost_total", double(lost));
  }
  for (int c = 0; c < RTPGATE_CTR_COUNT; c++)
    if (std::strncmp(shm::counter_name(c), "drop_", 5) == 0 && t1.ctr[c] != t0_.ctr[c])
      r->extra.emplace_back(std::string("dut_") + shm::counter_name(c), d(c));
}

}  // namespace rtpgate::perf
