// DataPlaneLink: calls survive a data-plane restart. When the link attaches to a new region
// while streams of the previous data plane are still open (orphaned), each of them gets, in
// the new region, the same flow slots (so its stream id, owner-table entry and cookie stay
// valid) and the same relay port pair (so the SDP both sides hold stays true), its flows
// installed, its peer programmed and its SDES-SRTP contexts built again from the keys the
// stream kept. Control thread, under the control lock.
//
// What does not come back: RTP forwarders (their flows are gone; rtp_forward again) and
// recordings (their files were closed by the old data plane, or cut short by its crash).
#include <cinttypes>

#include "log.h"
#include "media/dataplane_link.h"
#include "media/link_internal.h"
#include "media/media_addr.h"

namespace rtpgate::ctl::media {

using namespace link_util;  // NOLINT: the link files' shared helpers

void DataPlaneLink::readopt_orphans_locked() {
  if (!cmds_) return;
  shm::ControlClient& cc = cmds_->client();
  if (!dp_running(cc)) return;  // still starting: the next maintenance pass tries again
  readopt_pending_.store(false, std::memory_order_relaxed);
  uint32_t ok = 0, failed = 0;
  const uint64_t t0 = shm::monotonic_ns();
  for (auto& [id, s] : streams_) {
    if (!s->orphaned) continue;
    std::string why;
    if (readopt_locked(*s, &why)) {
      ok++;
      bump(ctr_.readopted_streams);
    } else {
      failed++;
      bump(ctr_.readopt_failures);
      log(Log::Warn, "media: stream on %s:%u did not survive the data-plane restart: %s", format_addr(s->local).c_str(),
          s->rtp_port, why.c_str());
    }
  }
  if (ok + failed != 0)
    log(Log::Info, "media: data plane generation %" PRIu64 ": %u stream(s) re-programmed in %.1f ms, %u lost",
        generation_, ok, static_cast<double>(shm::monotonic_ns() - t0) / 1e6, failed);
}

bool DataPlaneLink::readopt_locked(Stream& s, std::string* why) {
  shm::ControlClient& cc = cmds_->client();
  const int idx = shm::find_media_addr(cc.hdr(), s.local);
  if (idx < 0) return *why = format_addr(s.local) + " is no longer a media address of the data plane", false;
  const auto addr_idx = static_cast<uint32_t>(idx);
  const auto rtcp_port = static_cast<uint16_t>(s.rtp_port + 1);
  if (!cc.claim_flow(s.rtp_flow)) return *why = "flow slot " + std::to_string(s.rtp_flow) + " is taken", false;
  if (!cc.claim_flow(s.rtcp_flow)) {
    cc.free_flow(s.rtp_flow);
    return *why = "flow slot " + std::to_string(s.rtcp_flow) + " is taken", false;
  }
  const bool rtp_ok = cc.claim_port(addr_idx, s.rtp_port);
  if (!rtp_ok || !cc.claim_port(addr_idx, rtcp_port)) {
    if (rtp_ok) cc.free_port(addr_idx, s.rtp_port);  // never a port another stream holds
    cc.free_flow(s.rtp_flow);
    cc.free_flow(s.rtcp_flow);
    return *why = "relay port " + std::to_string(s.rtp_port) + " is taken or outside the port range", false;
  }
  // Entries of the old region mean nothing here: contexts are rebuilt from the kept keys.
  const SrtpKey to_peer = s.srtp.out_key;
  const SrtpKey from_peer = s.srtp.in_key;
  s.srtp = StreamSrtp{};
  s.fwds.clear();
  for (int d = 0; d < 2; d++) {
    s.rec[d] = 0;
    s.rec_paused[d] = false;
  }
  s.addr_idx = addr_idx;
  s.generation = generation_;
  s.orphaned = false;
  const Errc e = install_flows_locked(s);  // releases flows and ports on failure
  if (e != Errc::Ok) {
    s.orphaned = true;
    return *why = errc_text("cannot install the relay flows", e), false;
  }
  if (!s.peer.addr.empty() && !program_peer_locked(s, s.peer, why)) return false;
  if ((to_peer.valid() || from_peer.valid()) &&
      !set_srtp_locked(s, to_peer.valid() ? &to_peer : nullptr, from_peer.valid() ? &from_peer : nullptr, why))
    return false;
  return true;
}

}  // namespace rtpgate::ctl::media
