// The control side of the contract: one attached controller (flock on the region)
// allocates flow slots and relay ports, writes slot params, sends commands and reads
// completions. Used by rtpgatectl and the Janus plugin's flows/ module; not thread-safe
// (the caller serialises).
#pragma once
#include <cstdint>
#include <string>

#include "rtpgate/shm/region_map.h"

namespace rtpgate::shm {

class ControlClient {
 public:
  // Attaches to the region `name` and takes the controller lock (fails with Busy when
  // another controller holds it).
  static Result<ControlClient> open(const std::string& name, std::string* why);

  Region& region() noexcept { return region_; }
  const rtpgate_shm_header& hdr() const noexcept { return *region_.hdr(); }
  uint64_t generation() const noexcept { return generation_; }
  // The data plane that created the region is alive: state RUNNING and heartbeat fresh.
  bool dp_alive(uint64_t max_age_ms) const noexcept;
  void heartbeat() noexcept;

  Result<uint32_t> alloc_flow() noexcept;
  void free_flow(uint32_t id) noexcept;
  // Claims a specific flow slot (re-adopting streams after a data-plane restart). False when
  // taken or out of range.
  bool claim_flow(uint32_t id) noexcept;
  uint32_t flows_in_use() const noexcept;
  // An even RTP port with its RTCP port (+1) on media address `addr_idx`.
  Result<uint16_t> alloc_port_pair(uint32_t addr_idx) noexcept;
  void free_port_pair(uint32_t addr_idx, uint16_t rtp_port) noexcept;
  // Claims a specific port (rtpgatectl, tests). False when taken or out of range.
  bool claim_port(uint32_t addr_idx, uint16_t port) noexcept;
  void free_port(uint32_t addr_idx, uint16_t port) noexcept;

  // SRTP key entries (layout 1.2). Entry 0 is never handed out (0 = "no context").
  Result<uint32_t> alloc_srtp() noexcept;
  // Wipes the entry's key material (explicit_bzero) and frees it. Call once SRTP_DEL
  // completed, or for an entry the data plane never saw.
  void free_srtp(uint32_t idx) noexcept;
  uint32_t srtp_in_use() const noexcept;
  // Writes an entry's body (profile, direction, key, salt) and bumps its version; returns
  // the new version. The caller's copy is not wiped.
  uint32_t write_srtp(uint32_t idx, const rtpgate_shm_srtp_entry& e) noexcept;
  // Queues SRTP_SET / SRTP_DEL for entry `idx` (carried in flow_id, its version in
  // flow_version); returns the sequence number.
  Result<uint64_t> submit_srtp(rtpgate_cmd_op op, uint32_t idx) noexcept;
  Errc execute_srtp(rtpgate_cmd_op op, uint32_t idx, uint32_t timeout_ms = 2000) noexcept;

  // Recording entries (layout 1.4). Entry 0 is never handed out (0 = "not recorded").
  Result<uint32_t> alloc_rec() noexcept;
  // Frees an entry: once REC_STOP completed, or for an entry the data plane never saw.
  void free_rec(uint32_t idx) noexcept;
  // Writes an entry's control part (everything before `status`) and bumps its version;
  // returns the new version.
  uint32_t write_rec(uint32_t idx, const rtpgate_shm_rec_entry& e) noexcept;
  // Queues REC_START / REC_STOP for entry `idx` with its current version.
  Result<uint64_t> submit_rec(rtpgate_cmd_op op, uint32_t idx) noexcept;
  // Queues RTPGATE_CMD_PLI for RTP flow `flow_id`.
  Result<uint64_t> submit_pli(uint32_t flow_id, const rtpgate_cmd_pli& p) noexcept;

  // Queues RTPGATE_CMD_GUARD_RELOAD (layout 1.5) or RTPGATE_CMD_CONFIG_RELOAD (1.7). The
  // completion comes once the data plane applied the file, or refused it (errc BadRuleFile
  // or BadConfig, aux = the offending line).
  Result<uint64_t> submit_reload(rtpgate_cmd_op op) noexcept;

  // Writes a slot's parameters and bumps its version; returns the new version.
  uint32_t write_params(uint32_t flow_id, const rtpgate_shm_flow_params& p) noexcept;
  // Queues a command; returns its sequence number.
  Result<uint64_t> submit(rtpgate_cmd_op op, uint32_t flow_id) noexcept;
  // Waits for the completion of `seq`; completions of other (earlier) controllers are
  // skipped. Timeout -> Errc::Timeout.
  Result<rtpgate_shm_cpl> wait(uint64_t seq, uint32_t timeout_ms) noexcept;
  // Submit + wait, for callers that program one flow at a time.
  Errc execute(rtpgate_cmd_op op, uint32_t flow_id, uint32_t timeout_ms = 2000) noexcept;
  // Next completion, for callers that pipeline submits (completions of earlier
  // controllers may appear: match them by seq).
  bool next_completion(rtpgate_shm_cpl& out) noexcept { return region_.cpl_ring().pop(out); }
  // Next notification (idle flow, ...) from the event ring.
  bool next_event(rtpgate_shm_cpl& out) noexcept;

 private:
  // Queues op for slot `id` (flow or SRTP entry) with the slot's current version.
  Result<uint64_t> push_cmd(rtpgate_cmd_op op, uint32_t id, const uint32_t& version,
                            const void* payload = nullptr, size_t payload_len = 0) noexcept;
  // First clear bit of a table's bitmap from *hint on (entry 0 never), set and returned.
  static Result<uint32_t> alloc_entry(uint64_t* bm, uint32_t cap, uint32_t* hint) noexcept;
  // Waits for the completion of a submitted command.
  Errc completion_of(Result<uint64_t> seq, uint32_t timeout_ms) noexcept;
  Region region_;
  uint64_t generation_ = 0;
  uint64_t next_seq_ = 1;
  uint32_t flow_hint_ = 0;
  uint32_t srtp_hint_ = 1;
  uint32_t rec_hint_ = 1;
};


}  // namespace rtpgate::shm
