// Control-side allocation and command exchange over the shared region (see header).
#include "rtpgate/shm/control_client.h"

#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include <cstring>

#include "rtpgate/shm/bitmap.h"

namespace rtpgate::shm {
namespace {

bool test_bit(const uint64_t* bm, uint64_t i) { return (bm[i / 64] >> (i % 64)) & 1u; }
void set_bit(uint64_t* bm, uint64_t i) { bm[i / 64] |= uint64_t{1} << (i % 64); }
void clear_bit(uint64_t* bm, uint64_t i) { bm[i / 64] &= ~(uint64_t{1} << (i % 64)); }

void sleep_us(long us) {
  timespec ts{0, us * 1000};
  nanosleep(&ts, nullptr);
}

}  // namespace

Result<ControlClient> ControlClient::open(const std::string& name, std::string* why) {
  auto r = Region::attach(name, why);
  if (!r) return r.error();
  if (flock(r->fd(), LOCK_EX | LOCK_NB) != 0) {
    if (why != nullptr)
      *why = "another controller is attached to " + name + " (pid " +
             std::to_string(r->hdr()->control_pid) + ")";
    return Errc::Busy;
  }
  ControlClient c;
  c.region_ = std::move(r.value());
  c.generation_ = c.region_.hdr()->generation;
  c.region_.hdr()->control_pid = static_cast<uint32_t>(getpid());
  c.heartbeat();
  // Sequence numbers never repeat across controllers, so completions left by an earlier
  // one cannot be mistaken for ours.
  c.next_seq_ = monotonic_ns();
  return c;
}

bool ControlClient::dp_alive(uint64_t max_age_ms) const noexcept {
  const auto& h = hdr();
  if (__atomic_load_n(&h.dp_state, __ATOMIC_ACQUIRE) != RTPGATE_DP_RUNNING) return false;
  const uint64_t hb = __atomic_load_n(&h.heartbeat_ns, __ATOMIC_ACQUIRE);
  return monotonic_ns() - hb <= max_age_ms * 1000000ull;
}

void ControlClient::heartbeat() noexcept {
  __atomic_store_n(&region_.hdr()->control_heartbeat_ns, monotonic_ns(), __ATOMIC_RELEASE);
}

Result<uint32_t> ControlClient::alloc_flow() noexcept {
  const uint32_t cap = hdr().flow_capacity;
  uint64_t* bm = region_.flow_bitmap();
  const uint32_t words = (cap + 63) / 64;
  for (uint32_t n = 0; n < words; n++) {
    const uint32_t w = (flow_hint_ / 64 + n) % words;
    if (bm[w] == ~uint64_t{0}) continue;
    const uint32_t id = w * 64 + static_cast<uint32_t>(__builtin_ctzll(~bm[w]));
    if (id >= cap) continue;
    set_bit(bm, id);
    flow_hint_ = id + 1;
    return id;
  }
  return Errc::TableFull;
}

bool ControlClient::claim_flow(uint32_t id) noexcept {
  if (id >= hdr().flow_capacity || test_bit(region_.flow_bitmap(), id)) return false;
  set_bit(region_.flow_bitmap(), id);
  return true;
}

void ControlClient::free_flow(uint32_t id) noexcept {
  if (id < hdr().flow_capacity) clear_bit(region_.flow_bitmap(), id);
}

uint32_t ControlClient::flows_in_use() const noexcept {
  return static_cast<uint32_t>(count_bits(region_.flow_bitmap(), hdr().flow_capacity));
}

Result<uint16_t> ControlClient::alloc_port_pair(uint32_t addr_idx) noexcept {
  if (addr_idx >= hdr().n_addrs) return Errc::BadParam;
  uint64_t* bm = region_.port_bitmap(addr_idx);
  const uint32_t n = uint32_t{hdr().port_max} - hdr().port_min + 1;
  for (uint32_t i = 0; i + 1 < n; i += 2) {
    if (test_bit(bm, i) || test_bit(bm, i + 1)) continue;
    set_bit(bm, i);
    set_bit(bm, i + 1);
    return static_cast<uint16_t>(hdr().port_min + i);
  }
  return Errc::PortsExhausted;
}

void ControlClient::free_port_pair(uint32_t addr_idx, uint16_t rtp_port) noexcept {
  free_port(addr_idx, rtp_port);
  free_port(addr_idx, static_cast<uint16_t>(rtp_port + 1));
}

bool ControlClient::claim_port(uint32_t addr_idx, uint16_t port) noexcept {
  if (addr_idx >= hdr().n_addrs || port < hdr().port_min || port > hdr().port_max) return false;
  uint64_t* bm = region_.port_bitmap(addr_idx);
  const uint32_t i = port - hdr().port_min;
  if (test_bit(bm, i)) return false;
  set_bit(bm, i);
  return true;
}

void ControlClient::free_port(uint32_t addr_idx, uint16_t port) noexcept {
  if (addr_idx >= hdr().n_addrs || port < hdr().port_min || port > hdr().port_max) return;
  clear_bit(region_.port_bitmap(addr_idx), port - hdr().port_min);
}

Result<uint32_t> ControlClient::alloc_entry(uint64_t* bm, uint32_t cap, uint32_t* hint) noexcept {
  for (uint32_t n = 1; n < cap; n++) {
    const uint32_t id = 1 + (*hint - 1 + n - 1) % (cap - 1);
    if (test_bit(bm, id)) continue;
    set_bit(bm, id);
    *hint = id + 1 < cap ? id + 1 : 1;
    return id;
  }
  return Errc::TableFull;
}

Result<uint32_t> ControlClient::alloc_srtp() noexcept {
  return alloc_entry(region_.srtp_bitmap(), hdr().srtp_capacity, &srtp_hint_);
}

void ControlClient::free_srtp(uint32_t idx) noexcept {
  if (idx == 0 || idx >= hdr().srtp_capacity) return;
  rtpgate_shm_srtp_entry& e = region_.srtp(idx);
  explicit_bzero(e.key, sizeof(e.key));
  explicit_bzero(e.salt, sizeof(e.salt));
  e.key_len = e.salt_len = e.profile = 0;
  clear_bit(region_.srtp_bitmap(), idx);
}

uint32_t ControlClient::srtp_in_use() const noexcept {
  return static_cast<uint32_t>(count_bits(region_.srtp_bitmap(), hdr().srtp_capacity));
}

uint32_t ControlClient::write_srtp(uint32_t idx, const rtpgate_shm_srtp_entry& e) noexcept {
  auto& slot = region_.srtp(idx);
  const uint32_t version = slot.version + 1;
  std::memcpy(reinterpret_cast<uint8_t*>(&slot) + sizeof(slot.version),
              reinterpret_cast<const uint8_t*>(&e) + sizeof(e.version), sizeof(e) - sizeof(e.version));
  __atomic_store_n(&slot.version, version, __ATOMIC_RELEASE);
  return version;
}

Result<uint32_t> ControlClient::alloc_rec() noexcept {
  return alloc_entry(region_.rec_bitmap(), hdr().rec_capacity, &rec_hint_);
}

void ControlClient::free_rec(uint32_t idx) noexcept {
  if (idx == 0 || idx >= hdr().rec_capacity) return;
  clear_bit(region_.rec_bitmap(), idx);
}

uint32_t ControlClient::write_rec(uint32_t idx, const rtpgate_shm_rec_entry& e) noexcept {
  auto& slot = region_.rec(idx);
  const uint32_t version = slot.version + 1;
  std::memcpy(reinterpret_cast<uint8_t*>(&slot) + sizeof(slot.version),
              reinterpret_cast<const uint8_t*>(&e) + sizeof(e.version),
              offsetof(rtpgate_shm_rec_entry, status) - sizeof(e.version));
  __atomic_store_n(&slot.version, version, __ATOMIC_RELEASE);
  return version;
}

Result<uint64_t> ControlClient::submit_rec(rtpgate_cmd_op op, uint32_t idx) noexcept {
  if (idx == 0 || idx >= hdr().rec_capacity) return Errc::BadParam;
  return push_cmd(op, idx, region_.rec(idx).version);
}

Result<uint64_t> ControlClient::submit_pli(uint32_t flow_id, const rtpgate_cmd_pli& p) noexcept {
  if (flow_id >= hdr().flow_capacity) return Errc::BadParam;
  return push_cmd(RTPGATE_CMD_PLI, flow_id, region_.flow(flow_id).params.version, &p, sizeof p);
}

Result<uint64_t> ControlClient::submit_reload(rtpgate_cmd_op op) noexcept {
  static const uint32_t kNoVersion = 0;
  if (op != RTPGATE_CMD_GUARD_RELOAD && op != RTPGATE_CMD_CONFIG_RELOAD) return Errc::BadParam;
  return push_cmd(op, 0, kNoVersion);
}

Result<uint64_t> ControlClient::push_cmd(rtpgate_cmd_op op, uint32_t id, const uint32_t& version,
                                         const void* payload, size_t payload_len) noexcept {
  auto ring = region_.cmd_ring();
  rtpgate_shm_cmd* c = ring.reserve();
  if (c == nullptr) return Errc::RingFull;
  std::memset(c, 0, sizeof(*c));
  c->seq = next_seq_++;
  c->op = static_cast<uint16_t>(op);
  c->flow_id = id;
  c->flow_version = __atomic_load_n(&version, __ATOMIC_ACQUIRE);
  if (payload != nullptr) std::memcpy(c->payload, payload, payload_len < sizeof c->payload ? payload_len : sizeof c->payload);
  const uint64_t seq = c->seq;
  ring.publish();
  return seq;
}

Errc ControlClient::completion_of(Result<uint64_t> seq, uint32_t timeout_ms) noexcept {
  if (!seq) return seq.error();
  auto cpl = wait(seq.value(), timeout_ms);
  if (!cpl) return cpl.error();
  return static_cast<Errc>(cpl->errc);
}

Result<uint64_t> ControlClient::submit_srtp(rtpgate_cmd_op op, uint32_t idx) noexcept {
  if (idx == 0 || idx >= hdr().srtp_capacity) return Errc::BadParam;
  return push_cmd(op, idx, region_.srtp(idx).version);
}

Errc ControlClient::execute_srtp(rtpgate_cmd_op op, uint32_t idx, uint32_t timeout_ms) noexcept {
  return completion_of(submit_srtp(op, idx), timeout_ms);
}

uint32_t ControlClient::write_params(uint32_t flow_id, const rtpgate_shm_flow_params& p) noexcept {
  auto& slot = region_.flow(flow_id).params;
  const uint32_t version = slot.version + 1;
  rtpgate_shm_flow_params copy = p;
  copy.version = 0;
  // Publish the body, then the version: the data plane checks the version last.
  std::memcpy(&slot, &copy, sizeof(copy));
  __atomic_store_n(&slot.version, version, __ATOMIC_RELEASE);
  return version;
}

Result<uint64_t> ControlClient::submit(rtpgate_cmd_op op, uint32_t flow_id) noexcept {
  if (flow_id >= hdr().flow_capacity) return Errc::BadParam;
  return push_cmd(op, flow_id, region_.flow(flow_id).params.version);
}

Result<rtpgate_shm_cpl> ControlClient::wait(uint64_t seq, uint32_t timeout_ms) noexcept {
  auto ring = region_.cpl_ring();
  const uint64_t deadline = monotonic_ns() + uint64_t{timeout_ms} * 1000000ull;
  rtpgate_shm_cpl rec{};
  while (true) {
    while (ring.pop(rec))
      if (rec.seq == seq) return rec;
    if (monotonic_ns() > deadline) return Errc::Timeout;
    sleep_us(50);
  }
}

Errc ControlClient::execute(rtpgate_cmd_op op, uint32_t flow_id, uint32_t timeout_ms) noexcept {
  return completion_of(submit(op, flow_id), timeout_ms);
}

bool ControlClient::next_event(rtpgate_shm_cpl& out) noexcept { return region_.evt_ring().pop(out); }

}  // namespace rtpgate::shm
