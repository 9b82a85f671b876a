// Batched flow commands and deferred slot release (see flow_commands.h). Control side.
#include "media/flow_commands.h"

#include <time.h>

namespace rtpgate::ctl::media {
namespace {

void bump(std::atomic<uint64_t>& c) noexcept { c.fetch_add(1, std::memory_order_relaxed); }

void sleep_us(long us) noexcept {
  timespec ts{0, us * 1000};
  nanosleep(&ts, nullptr);
}

}  // namespace

Result<uint64_t> FlowCommands::submit_one(const FlowCmd& c) noexcept {
  switch (c.op) {
    case RTPGATE_CMD_SRTP_SET:
    case RTPGATE_CMD_SRTP_DEL:
      return cc_.submit_srtp(c.op, c.flow_id);
    case RTPGATE_CMD_REC_START:
    case RTPGATE_CMD_REC_STOP:
      return cc_.submit_rec(c.op, c.flow_id);
    case RTPGATE_CMD_PLI:
      return cc_.submit_pli(c.flow_id, c.pli);
    default:
      return cc_.submit(c.op, c.flow_id);
  }
}

void FlowCommands::run(FlowCmd* cmds, uint32_t n, uint32_t timeout_ms) noexcept {
  uint32_t waiting = 0;
  for (uint32_t i = 0; i < n; i++) {
    auto seq = submit_one(cmds[i]);
    cmds[i].seq = seq ? seq.value() : 0;
    cmds[i].result = seq ? Errc::Timeout : seq.error();
    if (seq) waiting++;
  }
  const uint64_t deadline = shm::monotonic_ns() + uint64_t{timeout_ms} * 1000000ull;
  long nap_us = 20;
  while (waiting > 0) {
    rtpgate_shm_cpl c;
    bool got = false;
    while (cc_.next_completion(c)) {
      got = true;
      bool mine = false;
      for (uint32_t i = 0; i < n && !mine; i++) {
        if (cmds[i].seq == 0 || cmds[i].seq != c.seq || cmds[i].result != Errc::Timeout) continue;
        cmds[i].result = static_cast<Errc>(c.errc);
        mine = true;
        waiting--;
      }
      if (!mine) take_late(c);  // else: an earlier controller's completion
    }
    if (waiting == 0 || shm::monotonic_ns() > deadline) break;
    if (!got) {
      sleep_us(nap_us);
      nap_us = nap_us < 400 ? nap_us * 2 : 400;
    }
  }
  for (uint32_t i = 0; i < n; i++) {
    if (cmds[i].result == Errc::Timeout) bump(ctr_->cmd_timeouts);
    else if (cmds[i].result != Errc::Ok) bump(ctr_->cmd_failures);
  }
}

void FlowCommands::release(const FlowRelease& f) noexcept {
  if (f.port != 0) cc_.free_port(f.addr_idx, f.port);
  cc_.free_flow(f.flow_id);
}

void FlowCommands::remove_and_free(const FlowRelease* f, uint32_t n, uint32_t timeout_ms) noexcept {
  constexpr uint32_t kBatch = 32;  // commands in flight at once
  FlowCmd cmds[kBatch];
  while (n > 0) {
    const uint32_t k = n < kBatch ? n : kBatch;
    uint32_t m = 0;
    for (uint32_t i = 0; i < k; i++) {
      if (!f[i].installed) continue;
      cmds[m].op = RTPGATE_CMD_FLOW_REMOVE;
      cmds[m].flow_id = f[i].flow_id;
      m++;
    }
    run(cmds, m, timeout_ms);
    m = 0;
    for (uint32_t i = 0; i < k; i++) {
      if (!f[i].installed) {
        release(f[i]);
        continue;
      }
      const FlowCmd& c = cmds[m++];
      if (c.result == Errc::Ok || c.result == Errc::NoSuchFlow) {
        release(f[i]);
      } else if (c.result == Errc::Timeout && c.seq != 0) {
        late_.push_back(Late{c.seq, f[i]});  // still possibly in use: wait for the answer
      } else {
        bump(ctr_->leaked_flows);  // state unknown: never reuse the slot with this data plane
      }
    }
    f += k;
    n -= k;
  }
}

bool FlowCommands::take_late(const rtpgate_shm_cpl& c) noexcept {
  for (size_t i = 0; i < late_.size(); i++) {
    if (late_[i].seq != c.seq) continue;
    const auto e = static_cast<Errc>(c.errc);
    if (e == Errc::Ok || e == Errc::NoSuchFlow) release(late_[i].f);
    else bump(ctr_->leaked_flows);
    late_[i] = late_.back();
    late_.pop_back();
    return true;
  }
  return false;
}

void FlowCommands::poll_late() noexcept {
  rtpgate_shm_cpl c;
  while (cc_.next_completion(c)) take_late(c);
  while (cc_.next_event(c)) bump(ctr_->events_ignored);
}

}  // namespace rtpgate::ctl::media
