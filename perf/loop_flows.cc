// Programs the benchmark's cycle of flows through ControlClient (control thread).
#include "loop_flows.h"

#include <time.h>

#include <cstring>
#include <vector>

#include "rtpgate/shm/control_client.h"

namespace rtpgate::perf {
namespace {

void nap_us(long us) {
  timespec ts{0, us * 1000};
  nanosleep(&ts, nullptr);
}

// A recording entry for flow `i` (PCMU audio, one file per flow, under rec_dir); its
// index, 0 when the table is full.
uint32_t write_recording(shm::ControlClient& c, const FlowCycle& fc, uint32_t i) {
  const std::string path = fc.rec_dir + "/flow-" + std::to_string(i) + ".mjr";
  rtpgate_shm_rec_entry e{};
  if (path.size() >= sizeof e.path) return 0;
  auto idx = c.alloc_rec();
  if (!idx) return 0;
  e.cookie = i;
  e.medium = RTPGATE_REC_AUDIO;
  std::strcpy(e.codec, "pcmu");
  std::memcpy(e.path, path.c_str(), path.size() + 1);
  c.write_rec(idx.value(), e);
  return idx.value();
}

}  // namespace

rtpgate_shm_flow_params FlowCycle::params(uint32_t flow) const noexcept {
  const uint32_t nx = next(flow);
  rtpgate_shm_flow_params p{};
  p.cookie = flow;
  p.kind = RTPGATE_KIND_RTP;
  p.direction = RTPGATE_DIR_SENDRECV;
  p.action = RTPGATE_ACT_FORWARD;
  p.flags = rewrite ? RTPGATE_FLOW_F_REWRITE : 0;
  p.local = addr(addr_index(flow));
  p.local_port = port(flow);
  p.out_src = p.local;  // the relay sends from the address and port it receives on
  p.out_src_port = p.local_port;
  p.out_dst = sink.family != 0 ? sink : addr(addr_index(nx));
  p.out_dst_port = sink.family != 0 ? port(flow) : port(nx);
  p.ts_step = 160;
  p.rtcp_flow_id = UINT32_MAX;
  p.srtp_slot = UINT32_MAX;
  p.record_slot = UINT32_MAX;
  p.reverse_flow_id = UINT32_MAX;
  return p;
}

bool program_flows(const std::string& shm_name, const FlowCycle& fc, const std::atomic<bool>& abort,
                   uint32_t stall_ms, ProgramResult* out) {
  std::string why;
  auto cr = shm::ControlClient::open(shm_name, &why);
  if (!cr) return out->why = "attach " + shm_name + ": " + why, false;
  shm::ControlClient& c = cr.value();
  const uint64_t t0 = shm::monotonic_ns();
  uint64_t last_progress = t0;
  uint32_t completed = 0;
  auto drain = [&]() {
    bool any = false;
    rtpgate_shm_cpl cpl;
    while (c.next_completion(cpl)) {
      if (cpl.op == RTPGATE_CMD_REC_START) {
        cpl.errc == static_cast<uint16_t>(Errc::Ok) ? out->rec_started++ : out->rec_failed++;
        any = true;
        continue;
      }
      if (cpl.op == RTPGATE_CMD_SRTP_SET) {
        cpl.errc == static_cast<uint16_t>(Errc::Ok) ? out->srtp_set++ : out->srtp_failed++;
        any = true;
        continue;
      }
      if (cpl.op != RTPGATE_CMD_FLOW_INSTALL) continue;  // notifications: none expected
      any = true;
      completed++;
      if (cpl.errc == static_cast<uint16_t>(Errc::Ok)) {
        out->installed++;
      } else {
        if (out->failed++ == 0) out->first_error = static_cast<Errc>(cpl.errc);
      }
    }
    return any;
  };
  // Submits one command, draining completions while the ring is full.
  auto submit_retry = [&](auto submit) {
    while (true) {
      auto seq = submit();
      if (seq) return true;
      if (seq.error() != Errc::RingFull) return out->why = "submit: " + std::string(to_string(seq.error())), false;
      const uint64_t now = shm::monotonic_ns();
      if (drain()) {
        last_progress = now;
      } else {
        if (abort.load() || now - last_progress > uint64_t{stall_ms} * 1000000u)
          return out->why = abort.load() ? "aborted" : "data plane stopped taking commands", false;
        nap_us(20);
      }
    }
  };
  // The recorder opens files at its own pace behind a request ring of 1,024: at most
  // kRecAhead recordings wait to be opened, and every file is open before the trials start
  // (a copy for a file not open yet would count as a lost copy).
  constexpr uint32_t kRecAhead = 512;
  std::vector<uint32_t> recs;
  auto rec_settled = [&](uint32_t k) {
    const uint32_t st = __atomic_load_n(&c.region().rec(recs[k]).status.state, __ATOMIC_ACQUIRE);
    return st == RTPGATE_REC_ST_OPEN || st == RTPGATE_REC_ST_FAILED;
  };
  auto wait_rec = [&](uint32_t k) {
    uint64_t since = shm::monotonic_ns();
    while (!rec_settled(k)) {
      const uint64_t now = shm::monotonic_ns();
      if (drain()) since = now;
      if (abort.load() || now - since > uint64_t{stall_ms} * 1000000u)
        return out->why = abort.load() ? "aborted" : "recording " + std::to_string(k) + " never opened", false;
      nap_us(50);
    }
    last_progress = shm::monotonic_ns();  // the data plane is making progress
    return true;
  };
  for (uint32_t i = 0; i < fc.n_flows; i++) {
    auto id = c.alloc_flow();
    if (!id || id.value() != i)
      return out->why = "flow id allocation out of order at " + std::to_string(i), false;
    if (!c.claim_port(fc.addr_index(i), fc.port(i)))
      return out->why = "cannot claim port " + std::to_string(fc.port(i)), false;
    rtpgate_shm_flow_params p = fc.params(i);
    if (fc.recorded(i)) {
      const uint32_t rec = write_recording(c, fc, i);
      if (rec == 0) {
        out->rec_failed++;
      } else {
        if (recs.size() >= kRecAhead && !wait_rec(static_cast<uint32_t>(recs.size() - kRecAhead))) return false;
        if (!submit_retry([&] { return c.submit_rec(RTPGATE_CMD_REC_START, rec); })) return false;
        recs.push_back(rec);
        p.record_slot = rec;
      }
    }
    if (fc.srtp.profile != 0) {
      auto idx = c.alloc_srtp();
      if (!idx) return out->why = "SRTP table full at flow " + std::to_string(i), false;
      rtpgate_shm_srtp_entry e = fc.srtp;
      e.cookie = i;
      c.write_srtp(idx.value(), e);
      if (!submit_retry([&] { return c.submit_srtp(RTPGATE_CMD_SRTP_SET, idx.value()); })) return false;
      (e.direction == RTPGATE_SRTP_DIR_UNPROTECT ? p.srtp_slot : p.srtp_out_slot) = idx.value();
    }
    c.write_params(i, p);
    if (!submit_retry([&] { return c.submit(RTPGATE_CMD_FLOW_INSTALL, i); })) return false;
  }
  while (completed < fc.n_flows) {
    const uint64_t now = shm::monotonic_ns();
    if (drain()) {
      last_progress = now;
    } else {
      if (abort.load() || now - last_progress > uint64_t{stall_ms} * 1000000u)
        return out->why = "completions missing: " + std::to_string(fc.n_flows - completed), false;
      nap_us(20);
    }
  }
  for (uint32_t k = 0; k < recs.size(); k++) {
    if (!wait_rec(k)) return false;
    if (__atomic_load_n(&c.region().rec(recs[k]).status.state, __ATOMIC_ACQUIRE) == RTPGATE_REC_ST_FAILED)
      out->rec_failed++;
  }
  out->seconds = double(shm::monotonic_ns() - t0) / 1e9;
  return true;
}

}  // namespace rtpgate::perf
