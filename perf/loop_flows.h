// Closed-loop benchmark: the cycle of flows (flow i receives on (addr_i, port_i) and
// forwards to (addr_i+1, port_i+1)) and programming it through the real command ring.
// Runs on the benchmark's control thread (not an lcore).
#pragma once
#include <atomic>
#include <cstdint>
#include <string>

#include "rtpgate/errc.h"
#include "rtpgate/shm/flow_entry.h"
#include "rtpgate/shm/srtp_entry.h"

namespace rtpgate::perf {

struct FlowCycle {
  uint32_t n_flows = 1000;
  uint16_t port_min = 20000;  // even
  uint16_t port_max = 49999;
  bool rewrite = true;        // RTPGATE_FLOW_F_REWRITE (switching context)
  uint32_t record_pct = 0;    // flows whose received RTP is recorded (.mjr, one file each)
  std::string rec_dir;        // where the recordings go
  rtpgate_shm_addr sink{};    // family != 0: every flow forwards to (sink, its own port) instead
                              // of the next flow (rtpgate-perf: an external generator/sink)
  rtpgate_shm_srtp_entry srtp{};  // profile != 0: every flow gets its own SRTP context made from
                                  // this entry (direction UNPROTECT: srtp_slot, PROTECT: srtp_out_slot)

  // Every flow with (flow % 100) < record_pct: spread evenly over the cycle.
  bool recorded(uint32_t flow) const noexcept { return flow % 100 < record_pct; }

  uint32_t ports_per_addr() const noexcept { return uint32_t{port_max} - port_min + 1; }
  uint32_t n_addrs() const noexcept { return (n_flows + ports_per_addr() - 1) / ports_per_addr(); }
  uint32_t addr_index(uint32_t flow) const noexcept { return flow / ports_per_addr(); }
  uint16_t port(uint32_t flow) const noexcept {
    return static_cast<uint16_t>(port_min + flow % ports_per_addr());
  }
  uint32_t next(uint32_t flow) const noexcept { return flow + 1 == n_flows ? 0 : flow + 1; }
  // Media address number a: 10.99.0.(a+1) (all inside 10.99.0.0/16).
  static rtpgate_shm_addr addr(uint32_t a) noexcept {
    rtpgate_shm_addr r{};
    r.family = 4;
    r.addr[0] = 10;
    r.addr[1] = 99;
    r.addr[2] = static_cast<uint8_t>((a + 1) >> 8);
    r.addr[3] = static_cast<uint8_t>(a + 1);
    return r;
  }
  rtpgate_shm_flow_params params(uint32_t flow) const noexcept;
};

struct ProgramResult {
  uint32_t installed = 0;
  uint32_t failed = 0;
  uint32_t rec_started = 0;   // REC_START confirmed
  uint32_t rec_failed = 0;
  uint32_t srtp_set = 0;      // SRTP_SET confirmed
  uint32_t srtp_failed = 0;
  Errc first_error = Errc::Ok;
  double seconds = 0;
  std::string why;  // set when programming stopped early
};

// Allocates flow ids 0..n-1 in order, claims their ports, writes parameters and submits
// FLOW_INSTALL in batches (submit until the ring is full, then drain completions).
// Returns false on a hard failure (attach, id mismatch, no progress for `stall_ms`, abort).
bool program_flows(const std::string& shm_name, const FlowCycle& fc, const std::atomic<bool>& abort,
                   uint32_t stall_ms, ProgramResult* out);

}  // namespace rtpgate::perf
