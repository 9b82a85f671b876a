#include "stats/telemetry.h"

#include <arpa/inet.h>
#include <rte_telemetry.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <mutex>

#include "lcore/dp_context.h"
#include "rtpgate/shm/bitmap.h"
#include "rtpgate/shm/counter_names.h"
#include "rtpgate/shm/flow_snapshot.h"

namespace rtpgate::dp {
namespace {

std::atomic<const DpContext*> g_dp{nullptr};

int tel_info(const char*, const char*, rte_tel_data* d) {
  const DpContext* dp = g_dp.load(std::memory_order_acquire);
  if (dp == nullptr) return -ENODEV;
  const rtpgate_shm_header& h = *dp->region.hdr();
  const uint64_t installed = shm::count_bits(dp->table.installed_bitmap(), dp->table.capacity());
  const uint64_t allocated = shm::count_bits(dp->region.flow_bitmap(), h.flow_capacity);
  rte_tel_data_start_dict(d);
  rte_tel_data_add_dict_u64(d, "generation", h.generation);
  rte_tel_data_add_dict_u64(d, "state", __atomic_load_n(&h.dp_state, __ATOMIC_RELAXED));
  rte_tel_data_add_dict_u64(d, "layout_major", h.layout_major);
  rte_tel_data_add_dict_u64(d, "layout_minor", h.layout_minor);
  rte_tel_data_add_dict_u64(d, "flow_capacity", h.flow_capacity);
  rte_tel_data_add_dict_u64(d, "flows_allocated", allocated);
  rte_tel_data_add_dict_u64(d, "flows_installed", installed);
  rte_tel_data_add_dict_u64(d, "port_min", h.port_min);
  rte_tel_data_add_dict_u64(d, "port_max", h.port_max);
  rte_tel_data_add_dict_u64(d, "media_addresses", h.n_addrs);
  rte_tel_data_add_dict_u64(d, "srtp_capacity", h.srtp_capacity);
  rte_tel_data_add_dict_u64(d, "rec_capacity", h.rec_capacity);
  rte_tel_data_add_dict_u64(d, "control_pid", __atomic_load_n(&h.control_pid, __ATOMIC_RELAXED));
  return 0;
}

int tel_stats(const char*, const char*, rte_tel_data* d) {
  const DpContext* dp = g_dp.load(std::memory_order_acquire);
  if (dp == nullptr) return -ENODEV;
  const rtpgate_shm_header& h = *dp->region.hdr();
  uint64_t total[RTPGATE_CTR_COUNT] = {};
  for (uint32_t i = 0; i < h.n_lcore_stats; i++) {
    const rtpgate_shm_lcore_stats& s = dp->region.lcore_stats(i);
    if (s.role == 0) continue;
    for (int c = 0; c < RTPGATE_CTR_COUNT; c++) total[c] += __atomic_load_n(&s.ctr[c], __ATOMIC_RELAXED);
  }
  rte_tel_data_start_dict(d);
  static_assert(RTPGATE_CTR_COUNT <= RTE_TEL_MAX_DICT_ENTRIES);
  for (int c = 0; c < RTPGATE_CTR_COUNT; c++) rte_tel_data_add_dict_u64(d, shm::counter_name(c), total[c]);
  return 0;
}

void add_endpoint(rte_tel_data* d, const char* name, const rtpgate_shm_addr& a, uint16_t port) {
  char ip[INET6_ADDRSTRLEN] = "-";
  if (a.family == 4 || a.family == 6) inet_ntop(a.family == 6 ? AF_INET6 : AF_INET, a.addr, ip, sizeof ip);
  char buf[INET6_ADDRSTRLEN + 16];
  std::snprintf(buf, sizeof buf, a.family == 6 ? "[%s]:%u" : "%s:%u", ip, port);
  rte_tel_data_add_dict_string(d, name, buf);
}

int tel_flow(const DpContext& dp, uint32_t id, rte_tel_data* d) {
  if (id >= dp.table.capacity()) return -EINVAL;
  const auto& slot = dp.region.flow(id);
  rtpgate_shm_flow_counters c{};
  if (!shm::read_flow_counters(slot.counters, &c)) return -EAGAIN;
  const bool installed = (__atomic_load_n(&dp.table.installed_bitmap()[id / 64], __ATOMIC_RELAXED) >> (id % 64)) & 1u;
  rte_tel_data_start_dict(d);
  rte_tel_data_add_dict_u64(d, "id", id);
  rte_tel_data_add_dict_u64(d, "installed", installed);
  rte_tel_data_add_dict_u64(d, "state", c.state);
  rte_tel_data_add_dict_u64(d, "rtcp", slot.params.kind);
  add_endpoint(d, "local", slot.params.local, slot.params.local_port);
  add_endpoint(d, "to", c.state ? c.cur_dst : slot.params.out_dst, c.state ? c.cur_dst_port : slot.params.out_dst_port);
  rte_tel_data_add_dict_u64(d, "last_in_ssrc", c.last_in_ssrc);
#define RTPGATE_FLOW_COUNTER(name, help) rte_tel_data_add_dict_u64(d, #name, c.name);
#include "rtpgate/shm/flow_counters.def"
#undef RTPGATE_FLOW_COUNTER
  return 0;
}

int tel_flows(const char*, const char* params, rte_tel_data* d) {
  const DpContext* dp = g_dp.load(std::memory_order_acquire);
  if (dp == nullptr) return -ENODEV;
  if (params != nullptr && *params != '\0') {
    char* end = nullptr;
    const unsigned long id = std::strtoul(params, &end, 10);
    if (*end != '\0') return -EINVAL;
    return tel_flow(*dp, static_cast<uint32_t>(id), d);
  }
  rte_tel_data_start_array(d, RTE_TEL_U64_VAL);
  const uint32_t cap = dp->table.capacity();
  uint32_t n = 0;
  for (uint32_t w = 0; w < (cap + 63) / 64 && n < RTE_TEL_MAX_ARRAY_ENTRIES; w++)
    for (uint64_t bits = __atomic_load_n(&dp->table.installed_bitmap()[w], __ATOMIC_RELAXED);
         bits != 0 && n < RTE_TEL_MAX_ARRAY_ENTRIES; bits &= bits - 1, n++)
      rte_tel_data_add_array_u64(d, w * 64 + static_cast<uint32_t>(__builtin_ctzll(bits)));
  return 0;
}

}  // namespace

void telemetry_attach(const DpContext* dp) {
  static std::once_flag once;
  std::call_once(once, [] {
    rte_telemetry_register_cmd("/rtpgate/info", tel_info, "rtpgate data plane: generation, state, capacities, flows");
    rte_telemetry_register_cmd("/rtpgate/stats", tel_stats, "rtpgate data plane: per-lcore counters summed");
    rte_telemetry_register_cmd("/rtpgate/flows", tel_flows,
                               "rtpgate data plane: installed flow ids (max 512). Parameter: flow id for one flow");
  });
  g_dp.store(dp, std::memory_order_release);
}

}  // namespace rtpgate::dp
