// rtpgatectl read-only views (see show.h).
#include "show.h"

#include <cstdio>
#include <string>

#include "flow_args.h"
#include "rtpgate/shm/bitmap.h"
#include "rtpgate/shm/counter_names.h"
#include "rtpgate/shm/flow_snapshot.h"

namespace rtpgate::ctl {
namespace {


const char* kDirNames[] = {"sendrecv", "sendonly", "recvonly", "inactive"};
const char* kActNames[] = {"forward", "ctl", "drop"};
const char* kStateNames[] = {"free", "active", "idle"};

// A consistent copy of a flow's counters (zeros while the data plane keeps writing).
rtpgate_shm_flow_counters read_counters(const rtpgate_shm_flow_counters& s) {
  rtpgate_shm_flow_counters c{};
  if (!shm::read_flow_counters(s, &c)) c = rtpgate_shm_flow_counters{};
  return c;
}

}  // namespace

void show_info(const shm::Region& r, bool json) {
  const auto& h = *r.hdr();
  const uint64_t now = shm::monotonic_ns();
  const uint64_t hb = __atomic_load_n(&h.heartbeat_ns, __ATOMIC_ACQUIRE);
  const double hb_age_ms = now > hb ? double(now - hb) / 1e6 : 0.0;
  const uint64_t in_use = shm::count_bits(r.flow_bitmap(), h.flow_capacity);
  const char* state = h.dp_state == RTPGATE_DP_RUNNING ? "running" : h.dp_state == RTPGATE_DP_STOPPED ? "stopped" : "starting";
  if (json) {
    std::printf("{\"layout\":\"%u.%u\",\"size_bytes\":%lu,\"generation\":%lu,\"state\":\"%s\",\"dp_pid\":%u,"
                "\"heartbeat_age_ms\":%.1f,\"control_pid\":%u,\"flow_capacity\":%u,\"flow_slot_bytes\":%zu,"
                "\"flows_allocated\":%lu,\"port_min\":%u,\"port_max\":%u,\"cmd_ring_depth\":%lu,"
                "\"cpl_ring_depth\":%lu,\"evt_ring_depth\":%lu,\"addrs\":[",
                h.layout_major, h.layout_minor, (unsigned long)h.total_size, (unsigned long)h.generation, state,
                h.dp_pid, hb_age_ms, h.control_pid, h.flow_capacity, sizeof(rtpgate_shm_flow_slot),
                (unsigned long)in_use, h.port_min, h.port_max, (unsigned long)r.cmd_ring().depth(),
                (unsigned long)r.cpl_ring().depth(), (unsigned long)r.evt_ring().depth());
    for (uint32_t i = 0; i < h.n_addrs; i++) {
      std::string e = format_endpoint(h.addrs[i], 0);
      std::printf("%s\"%s\"", i ? "," : "", e.substr(0, e.rfind(':')).c_str());
    }
    std::printf("]}\n");
    return;
  }
  std::printf("region        %s  layout %u.%u  %.1f MiB\n", r.name().c_str(), h.layout_major, h.layout_minor,
              double(h.total_size) / 1048576.0);
  std::printf("data plane    %s  pid %u  generation %lu  heartbeat %.1f ms ago\n", state, h.dp_pid,
              (unsigned long)h.generation, hb_age_ms);
  std::printf("flows         %lu allocated of %u (%zu bytes per slot)\n", (unsigned long)in_use, h.flow_capacity,
              sizeof(rtpgate_shm_flow_slot));
  std::printf("ports         %u-%u on", h.port_min, h.port_max);
  for (uint32_t i = 0; i < h.n_addrs; i++) {
    std::string e = format_endpoint(h.addrs[i], 0);
    std::printf(" %s", e.substr(0, e.rfind(':')).c_str());
  }
  std::printf("\nrings         cmd %lu/%u  cpl %lu/%u  evt %lu/%u\n", (unsigned long)r.cmd_ring().depth(),
              h.cmd_ring_capacity, (unsigned long)r.cpl_ring().depth(), h.cpl_ring_capacity,
              (unsigned long)r.evt_ring().depth(), h.evt_ring_capacity);
}

void show_stats(const shm::Region& r, bool json) {
  const auto& h = *r.hdr();
  uint64_t total[RTPGATE_CTR_COUNT] = {};
  if (json) std::printf("{\"lcores\":[");
  bool first = true;
  for (uint32_t i = 0; i < h.n_lcore_stats; i++) {
    const auto& s = r.lcore_stats(i);
    if (s.role < 1 || s.role > 3) continue;
    const char* role = s.role == 1 ? "worker" : s.role == 2 ? "housekeeping" : "exception";
    if (json)
      std::printf("%s{\"lcore\":%d,\"role\":\"%s\",\"loops\":%lu", first ? "" : ",",
                  s.role == 1 ? int(s.lcore_id) : -1, role, (unsigned long)s.loops);
    else if (s.role == 1) std::printf("lcore %u (loops %lu)\n", s.lcore_id, (unsigned long)s.loops);
    else std::printf("%s (loops %lu)\n", role, (unsigned long)s.loops);
    first = false;
    for (int c = 0; c < RTPGATE_CTR_COUNT; c++) {
      total[c] += s.ctr[c];
      if (json) std::printf(",\"%s\":%lu", shm::counter_name(c), (unsigned long)s.ctr[c]);
      else if (s.ctr[c] != 0) std::printf("  %-20s %lu\n", shm::counter_name(c), (unsigned long)s.ctr[c]);
    }
    if (json) std::printf("}");
  }
  if (json) {
    std::printf("],\"total\":{");
    for (int c = 0; c < RTPGATE_CTR_COUNT; c++)
      std::printf("%s\"%s\":%lu", c ? "," : "", shm::counter_name(c), (unsigned long)total[c]);
    std::printf("}}\n");
    return;
  }
  std::printf("total\n");
  for (int c = 0; c < RTPGATE_CTR_COUNT; c++) std::printf("  %-20s %lu\n", shm::counter_name(c), (unsigned long)total[c]);
}

void show_flows(const shm::Region& r, bool json, int64_t only_id) {
  const auto& h = *r.hdr();
  if (json) std::printf("[");
  bool first = true;
  for (uint32_t id = 0; id < h.flow_capacity; id++) {
    if (only_id >= 0 && id != only_id) continue;
    if (only_id < 0 && !((r.flow_bitmap()[id / 64] >> (id % 64)) & 1u)) continue;
    const auto& p = r.flow(id).params;
    const auto c = read_counters(r.flow(id).counters);
    const std::string local = format_endpoint(p.local, p.local_port);
    const std::string to = format_endpoint(c.state ? c.cur_dst : p.out_dst, c.state ? c.cur_dst_port : p.out_dst_port);
    const std::string from = format_endpoint(p.out_src, p.out_src_port);
    const char* st = kStateNames[c.state < 3 ? c.state : 0];
    if (json) {
      std::printf("%s{\"id\":%u,\"version\":%u,\"kind\":\"%s\",\"local\":\"%s\",\"to\":\"%s\",\"from\":\"%s\","
                  "\"direction\":\"%s\",\"action\":\"%s\",\"state\":\"%s\",\"last_in_ssrc\":%u",
                  first ? "" : ",", id, p.version, p.kind ? "rtcp" : "rtp", local.c_str(), to.c_str(), from.c_str(),
                  kDirNames[p.direction & 3], kActNames[p.action < 3 ? p.action : 0], st, c.last_in_ssrc);
      std::printf(",\"srtp_in\":%u,\"srtp_out\":%u", p.srtp_slot == UINT32_MAX ? 0u : p.srtp_slot, p.srtp_out_slot);
#define RTPGATE_FLOW_COUNTER(name, help) std::printf(",\"" #name "\":%lu", (unsigned long)c.name);
#include "rtpgate/shm/flow_counters.def"
#undef RTPGATE_FLOW_COUNTER
      std::printf("}");
    } else {
      std::printf("flow %u v%u %s %s -> %s (from %s) %s/%s %s rx %lu tx %lu drop bad %lu src %lu dir %lu tx %lu "
                  "relatch %lu ssrc_changes %lu\n",
                  id, p.version, p.kind ? "rtcp" : "rtp", local.c_str(), to.c_str(), from.c_str(),
                  kDirNames[p.direction & 3], kActNames[p.action < 3 ? p.action : 0], st, (unsigned long)c.rx_pkts,
                  (unsigned long)c.tx_pkts, (unsigned long)c.drop_bad_rtp, (unsigned long)c.drop_source,
                  (unsigned long)c.drop_direction, (unsigned long)c.drop_tx, (unsigned long)c.relatch,
                  (unsigned long)c.ssrc_changes);
      if ((p.srtp_slot != UINT32_MAX && p.srtp_slot != 0) || p.srtp_out_slot != 0)
        std::printf("  srtp in %u out %u: auth_fail %lu replay_fail %lu no_ctx %lu resync %lu\n",
                    p.srtp_slot == UINT32_MAX ? 0u : p.srtp_slot, p.srtp_out_slot, (unsigned long)c.srtp_auth_fail,
                    (unsigned long)c.srtp_replay_fail, (unsigned long)c.srtp_no_ctx, (unsigned long)c.srtp_resync);
    }
    first = false;
  }
  if (json) std::printf("]\n");
}

}  // namespace rtpgate::ctl
