// Housekeeping thread: heartbeat, flow-counter publishing and idle detection.
#include "housekeeping/housekeeping.h"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <time.h>

#include <cstring>

namespace rtpgate::dp {
namespace {

void publish_slot(rtpgate_shm_flow_counters& s, const DpContext& dp, const FlowDyn& d, uint32_t state,
                  uint8_t family) {
  __atomic_store_n(&s.publish_seq, s.publish_seq + 1, __ATOMIC_RELAXED);  // odd: writing
  __atomic_thread_fence(__ATOMIC_RELEASE);
  s.state = state;
  s.last_in_ssrc = d.last_in_ssrc;
  s.last_seen_ns = d.last_seen_tsc != 0 ? dp.tsc_to_ns(d.last_seen_tsc) : 0;
  s.cur_dst.family = family;
  const FlowDst to = read_dst(d);
  std::memcpy(s.cur_dst.addr, to.addr, 16);
  s.cur_dst_port = __builtin_bswap16(to.port_be);
#define RTPGATE_FLOW_COUNTER(name, help) s.name = d.c.name;
#include "rtpgate/shm/flow_counters.def"
#undef RTPGATE_FLOW_COUNTER
  __atomic_store_n(&s.publish_seq, s.publish_seq + 1, __ATOMIC_RELEASE);
}

}  // namespace

Housekeeping::Housekeeping(DpContext& dp, rtpgate_shm_lcore_stats* stats) : dp_(dp), stats_(stats) {
  published_ = static_cast<uint64_t*>(rte_zmalloc("rtpgate_published", (dp.table.capacity() + 63) / 64 * 8, 64));
}

Housekeeping::~Housekeeping() {
  stop();
  rte_free(published_);
}

bool Housekeeping::start() {
  if (published_ == nullptr) return false;
  running_ = rte_ctrl_thread_create(&tid_, "rtpgate-hk", nullptr, &Housekeeping::thread_main, this) == 0;
  return running_;
}

void Housekeeping::stop() {
  if (!running_) return;
  pthread_join(tid_, nullptr);
  running_ = false;
}

void* Housekeeping::thread_main(void* self) {
  static_cast<Housekeeping*>(self)->run();
  return nullptr;
}

void Housekeeping::publish_flows(uint64_t now_tsc) noexcept {
  const uint32_t cap = dp_.table.capacity();
  const uint64_t* inst = dp_.table.installed_bitmap();
  for (uint32_t w = 0; w < (cap + 63) / 64; w++) {
    uint64_t bits = __atomic_load_n(&inst[w], __ATOMIC_ACQUIRE) | published_[w];
    while (bits != 0) {
      const uint32_t id = w * 64 + static_cast<uint32_t>(__builtin_ctzll(bits));
      bits &= bits - 1;
      auto& slot = dp_.region.flow(id).counters;
      const uint32_t idx = dp_.table.action_of(id);
      if (idx == kNoFlow) {  // removed since the last sweep
        published_[w] &= ~(uint64_t{1} << (id % 64));
        FlowDyn zero{};
        publish_slot(slot, dp_, zero, RTPGATE_FLOW_STATE_FREE, 0);
        continue;
      }
      published_[w] |= uint64_t{1} << (id % 64);
      FlowDyn& d = dp_.table.dyn(id);
      const FlowAction& a = dp_.table.actions()[idx];
      const uint64_t last = d.last_seen_tsc > d.installed_tsc ? d.last_seen_tsc : d.installed_tsc;
      const bool idle = a.idle_timeout_tsc != 0 && now_tsc > last && now_tsc - last > a.idle_timeout_tsc;
      if (idle && !d.idle_reported) {
        if (rte_ring_sp_enqueue(dp_.notify_ring, reinterpret_cast<void*>(uintptr_t{id})) == 0) {
          d.idle_reported = 1;
          stats_->ctr[RTPGATE_CTR_flows_expired]++;
        }
      } else if (!idle && d.idle_reported) {
        d.idle_reported = 0;
      }
      publish_slot(slot, dp_, d, idle ? RTPGATE_FLOW_STATE_IDLE : RTPGATE_FLOW_STATE_ACTIVE, a.family);
    }
  }
}

void Housekeeping::publish_port_drops() noexcept {
  uint64_t nombuf = 0, missed = 0, rx_err = 0, tx_err = 0;
  for (uint16_t i = 0; i < dp_.n_ports; i++) {
    rte_eth_stats s;
    if (rte_eth_stats_get(dp_.port_ids[i], &s) != 0) continue;
    nombuf += s.rx_nombuf;
    missed += s.imissed;
    rx_err += s.ierrors;
    tx_err += s.oerrors;
  }
  stats_->ctr[RTPGATE_CTR_drop_nic_nombuf] = nombuf;
  stats_->ctr[RTPGATE_CTR_drop_nic_missed] = missed;
  stats_->ctr[RTPGATE_CTR_drop_nic_rx_errors] = rx_err;
  stats_->ctr[RTPGATE_CTR_drop_nic_tx_errors] = tx_err;
}

void Housekeeping::run() {
  auto* h = dp_.region.hdr();
  uint64_t next_pub = 0;
  auto& st = *stats_;
  st.lcore_id = UINT32_MAX - 1;
  st.role = 2;
  while (!dp_.stop.load(std::memory_order_relaxed)) {
    // Intervals as in force now (a reload may change them).
    const uint64_t hb_ns = uint64_t{dp_.live.heartbeat_interval_ms.load(std::memory_order_relaxed)} * 1000000u;
    const uint64_t pub_ns = uint64_t{dp_.live.publish_interval_ms.load(std::memory_order_relaxed)} * 1000000u;
    const uint64_t tick_ns = hb_ns < pub_ns ? hb_ns : pub_ns;
    const uint64_t now = shm::monotonic_ns();
    __atomic_store_n(&h->heartbeat_ns, now, __ATOMIC_RELEASE);
    if (now >= next_pub) {
      publish_flows(rte_rdtsc());
      publish_port_drops();
      next_pub = now + pub_ns;
      st.loops++;
    }
    timespec ts{static_cast<time_t>(tick_ns / 1000000000u), static_cast<long>(tick_ns % 1000000000u)};
    nanosleep(&ts, nullptr);
  }
  publish_flows(rte_rdtsc());
}

}  // namespace rtpgate::dp
