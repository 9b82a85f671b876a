// Pipelined flow commands over one attached ControlClient: submit a batch, wait once for
// all completions, and release flow slots / relay ports only once the data plane confirmed
// their removal (late confirmations are picked up later). Control side; the caller holds
// the link's control lock.
#pragma once
#include <cstdint>
#include <vector>

#include "media/media_types.h"
#include "rtpgate/shm/control_client.h"

namespace rtpgate::ctl::media {

struct FlowCmd {
  rtpgate_cmd_op op = RTPGATE_CMD_NOP;
  uint32_t flow_id = 0;         // SRTP_SET/SRTP_DEL: the SRTP entry; REC_START/REC_STOP: the recording entry
  rtpgate_cmd_pli pli{};        // PLI: the payload
  uint64_t seq = 0;            // set by run()
  Errc result = Errc::Timeout;  // set by run()
};

// A flow slot to give back, with the relay port its flow occupied (0 = none).
struct FlowRelease {
  uint32_t flow_id = 0;
  uint32_t addr_idx = 0;
  uint16_t port = 0;
  bool installed = true;  // false: never reached the data plane, free at once
};

class FlowCommands {
 public:
  FlowCommands(shm::ControlClient cc, LinkCounters* ctr) : cc_(std::move(cc)), ctr_(ctr) {}
  shm::ControlClient& client() noexcept { return cc_; }

  // Submits every command, then waits up to timeout_ms in total for their completions.
  void run(FlowCmd* cmds, uint32_t n, uint32_t timeout_ms) noexcept;
  // Removes installed flows and frees slots and ports; a removal that is not confirmed in
  // time keeps its slot until the confirmation arrives (poll_late).
  void remove_and_free(const FlowRelease* f, uint32_t n, uint32_t timeout_ms) noexcept;
  // Consumes late completions (frees confirmed leftovers) and event-ring notifications.
  void poll_late() noexcept;
  size_t pending_removals() const noexcept { return late_.size(); }

 private:
  Result<uint64_t> submit_one(const FlowCmd& c) noexcept;
  struct Late {
    uint64_t seq;
    FlowRelease f;
  };
  bool take_late(const rtpgate_shm_cpl& c) noexcept;
  void release(const FlowRelease& f) noexcept;

  shm::ControlClient cc_;
  LinkCounters* ctr_;
  std::vector<Late> late_;
};

}  // namespace rtpgate::ctl::media
