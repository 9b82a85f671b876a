// DataPlaneLink control side: relay streams (ports + flows) and their counters. Control
// thread, under the control lock. Attach/detach: link_attach.cc; browser -> peer:
// link_send.cc; SRTP: link_srtp.cc.
#include "media/dataplane_link.h"

#include <algorithm>
#include <cinttypes>
#include <vector>

#include "log.h"
#include "media/flow_params.h"
#include "media/link_internal.h"
#include "media/media_addr.h"

namespace rtpgate::ctl::media {

using namespace link_util;  // NOLINT: the link files' shared helpers

// ---- streams (ctl_mu_ held) ------------------------------------------------------------

bool DataPlaneLink::claim_port_pair_locked(uint32_t addr_idx, uint16_t* port) {
  shm::ControlClient& cc = cmds_->client();
  bool ignored = false;
  const PortRange r = usable_ports(cc.hdr().port_min, cc.hdr().port_max, opt_.port_min, opt_.port_max, &ignored);
  if (ignored && !subset_warned_) {
    subset_warned_ = true;
    log(Log::Warn, "media: configured RTP ports %u-%u hold no port pair inside the data plane's %u-%u: using %u-%u",
        opt_.port_min, opt_.port_max, cc.hdr().port_min, cc.hdr().port_max, cc.hdr().port_min, cc.hdr().port_max);
  }
  const uint32_t n = r.pairs();
  for (uint32_t k = 0; k < n; k++) {
    const uint32_t i = (port_cursor_ + k) % n;
    const auto p = static_cast<uint16_t>(r.first + 2 * i);
    if (!cc.claim_port(addr_idx, p)) continue;
    if (cc.claim_port(addr_idx, static_cast<uint16_t>(p + 1))) {
      port_cursor_ = i + 1;  // round robin: a freed port is reused last
      *port = p;
      return true;
    }
    cc.free_port(addr_idx, p);
  }
  return false;
}

void DataPlaneLink::register_locked(Stream* s) {
  DispatchLock d(dispatch_mu_, dispatch_waiters_);
  for (uint32_t f : {s->rtp_flow, s->rtcp_flow}) {
    owners_[f].stream.store(s, std::memory_order_relaxed);
    owners_[f].token.store(s->id, std::memory_order_release);
  }
}

void DataPlaneLink::unregister_locked(Stream* s) {
  if (s->orphaned || s->generation != generation_ || !owners_) return;  // owner table is gone
  for (uint32_t f : {s->rtp_flow, s->rtcp_flow}) owners_[f].token.store(kNoStream, std::memory_order_release);
  {
    DispatchLock d(dispatch_mu_, dispatch_waiters_);
    for (uint32_t f : {s->rtp_flow, s->rtcp_flow}) owners_[f].stream.store(nullptr, std::memory_order_relaxed);
  }
  rings_.barrier();  // senders that saw the old token have queued their packet
  s->send_state.store(0, std::memory_order_relaxed);
}

Stream* DataPlaneLink::find_locked(StreamId id) {
  auto it = streams_.find(id);
  return it == streams_.end() ? nullptr : it->second.get();
}

// Registers the stream's flows (s.rtp_flow, s.rtcp_flow, allocated with its port pair) and
// installs them without a peer. On failure everything is released again: flows, ports.
Errc DataPlaneLink::install_flows_locked(Stream& s) {
  shm::ControlClient& cc = cmds_->client();
  for (uint32_t i = 0; i < n_from_dp_; i++) s.start_pos[i] = __atomic_load_n(&from_dp_[i]->head, __ATOMIC_ACQUIRE);
  register_locked(&s);
  FlowSpec spec;
  spec.local = s.local;
  spec.cookie = cookie_of(s.id);
  spec.local_port = static_cast<uint16_t>(s.rtp_port + 1);
  spec.rtcp = true;
  cc.write_params(s.rtcp_flow, make_flow_params(spec));
  spec.local_port = s.rtp_port;
  spec.rtcp = false;
  spec.rtcp_flow_id = s.rtcp_flow;
  spec.dscp = s.video ? opt_.dscp_video : opt_.dscp_audio;
  cc.write_params(s.rtp_flow, make_flow_params(spec));
  FlowCmd cmds[2] = {{RTPGATE_CMD_FLOW_INSTALL, s.rtcp_flow}, {RTPGATE_CMD_FLOW_INSTALL, s.rtp_flow}};
  cmds_->run(cmds, 2, opt_.cmd_timeout_ms);
  if (cmds[0].result == Errc::Ok && cmds[1].result == Errc::Ok) return Errc::Ok;
  unregister_locked(&s);
  const auto installed = [](const FlowCmd& c) { return c.result == Errc::Ok || (c.result == Errc::Timeout && c.seq); };
  const FlowRelease rel[2] = {{s.rtcp_flow, s.addr_idx, static_cast<uint16_t>(s.rtp_port + 1), installed(cmds[0])},
                              {s.rtp_flow, s.addr_idx, s.rtp_port, installed(cmds[1])}};
  cmds_->remove_and_free(rel, 2, opt_.cmd_timeout_ms);
  return cmds[0].result != Errc::Ok ? cmds[0].result : cmds[1].result;
}

bool DataPlaneLink::open_stream(const std::string& sdp_ip, bool video, Sink* sink, StreamInfo* out,
                                std::string* why) {
  std::lock_guard<std::mutex> g(ctl_mu_);
  if (sink == nullptr) return *why = "no sink", false;
  if (!usable_locked(why)) return false;
  shm::ControlClient& cc = cmds_->client();
  const rtpgate_shm_header& h = cc.hdr();
  if (h.n_addrs == 0) return *why = "the rtpgate data plane has no media address", false;
  int idx = -1;
  rtpgate_shm_addr want{};
  if (!sdp_ip.empty() && parse_addr(sdp_ip, 0, &want)) idx = shm::find_media_addr(h, want);
  if (idx < 0 && !sdp_ip.empty() && !sdp_ip_warned_) {
    sdp_ip_warned_ = true;
    log(Log::Warn, "media: %s is not one of the data plane's media addresses: using %s", sdp_ip.c_str(),
        format_addr(h.addrs[0]).c_str());
  }
  const auto addr_idx = static_cast<uint32_t>(idx < 0 ? 0 : idx);
  uint16_t port = 0;
  if (!claim_port_pair_locked(addr_idx, &port)) {
    *why = "no free RTP/RTCP port pair on " + format_addr(h.addrs[addr_idx]);
    return false;
  }
  auto f1 = cc.alloc_flow();
  auto f2 = f1 ? cc.alloc_flow() : Result<uint32_t>(Errc::TableFull);
  if (!f2) {
    if (f1) cc.free_flow(f1.value());
    cc.free_port_pair(addr_idx, port);
    *why = "rtpgate flow table full (" + std::to_string(h.flow_capacity) + " flows)";
    return false;
  }
  auto s = std::make_unique<Stream>();
  if (++serial_ == 0) serial_ = 1;
  s->id = uint64_t{serial_} << 32 | f1.value();
  s->video = video;
  s->sink = sink;
  s->generation = generation_;
  s->addr_idx = addr_idx;
  s->local = h.addrs[addr_idx];
  s->rtp_port = port;
  s->rtp_flow = f1.value();
  s->rtcp_flow = f2.value();
  const Errc e = install_flows_locked(*s);
  if (e != Errc::Ok) {
    *why = cmd_error("cannot install the relay flows", e, opt_.cmd_timeout_ms);
    return false;
  }
  out->id = s->id;
  out->ip = format_addr(s->local);
  out->family = s->local.family;
  out->rtp_port = port;
  out->rtcp_port = static_cast<uint16_t>(port + 1);
  streams_.emplace(s->id, std::move(s));
  {
    std::lock_guard<std::mutex> w(wake_mu_);
    n_streams_.store(streams_.size());
  }
  wake_cv_.notify_one();
  return true;
}

bool DataPlaneLink::set_peer(StreamId id, const PeerTarget& peer, std::string* why) {
  std::lock_guard<std::mutex> g(ctl_mu_);
  Stream* s = live_stream_locked(id, why);
  return s != nullptr && program_peer_locked(*s, peer, why);
}

// Points both flows at the peer (or at nobody: hold, no address), keeping the stream's SRTP
// contexts, forwarders and recordings.
bool DataPlaneLink::program_peer_locked(Stream& st, const PeerTarget& peer, std::string* why) {
  Stream* s = &st;
  rtpgate_shm_addr pa{};
  bool has_peer = false;
  if (!peer.addr.empty()) {
    if (!parse_addr(peer.addr, peer.family, &pa)) return *why = "bad peer media address '" + peer.addr + "'", false;
    has_peer = !addr_unspecified(pa) && peer.rtp_port != 0;
  }
  if (has_peer && pa.family != s->local.family)
    return *why = "peer media address " + peer.addr + " is IPv" + std::to_string(pa.family) + " but the relay address " +
                  format_addr(s->local) + " is IPv" + std::to_string(s->local.family),
           false;
  shm::ControlClient& cc = cmds_->client();
  FlowSpec spec;
  spec.local = s->local;
  spec.cookie = cookie_of(s->id);
  spec.has_peer = has_peer;
  spec.peer = pa;
  spec.recv = peer.recv && !peer.on_hold;
  spec.send = has_peer && peer.send && !peer.on_hold;
  spec.source_flags = peer.source_flags;
  spec.srtp_in = s->srtp.in_idx;  // SDES-SRTP contexts survive a new peer address
  spec.srtp_out = s->srtp.out_idx;
  spec.local_port = static_cast<uint16_t>(s->rtp_port + 1);
  spec.rtcp = true;
  spec.peer_port = peer.rtcp_port != 0 ? peer.rtcp_port : static_cast<uint16_t>(peer.rtp_port + 1);
  cc.write_params(s->rtcp_flow, make_flow_params(spec));
  spec.local_port = s->rtp_port;
  spec.rtcp = false;
  spec.rtcp_flow_id = s->rtcp_flow;
  spec.dscp = s->video ? opt_.dscp_video : opt_.dscp_audio;
  spec.peer_port = peer.rtp_port;
  rtpgate_shm_flow_params rtp_params = make_flow_params(spec);
  rtp_params.fwd = chain_heads(s->fwds);  // forwarders and recordings survive a new peer address
  rtp_params.record_slot = s->rec[0] != 0 && !s->rec_paused[0] ? s->rec[0] : RTPGATE_REC_NONE;
  rtp_params.record_tx_slot = s->rec[1] != 0 && !s->rec_paused[1] ? s->rec[1] : RTPGATE_REC_NONE;
  cc.write_params(s->rtp_flow, rtp_params);
  FlowCmd cmds[2] = {{RTPGATE_CMD_FLOW_MODIFY, s->rtcp_flow}, {RTPGATE_CMD_FLOW_MODIFY, s->rtp_flow}};
  cmds_->run(cmds, 2, opt_.cmd_timeout_ms);
  if (cmds[0].result != Errc::Ok || cmds[1].result != Errc::Ok) {
    *why = cmd_error("cannot point the relay flows at the peer",
                     cmds[0].result != Errc::Ok ? cmds[0].result : cmds[1].result, opt_.cmd_timeout_ms);
    return false;
  }
  const bool send_ok = has_peer && peer.send && !peer.on_hold;
  s->send_state.store((has_peer ? Stream::kPeerSet : 0u) | (send_ok ? Stream::kSendOk : 0u),
                      std::memory_order_relaxed);
  s->peer = peer;
  return true;
}

void DataPlaneLink::close_stream(StreamId id) {
  std::lock_guard<std::mutex> g(ctl_mu_);
  auto it = streams_.find(id);
  if (it == streams_.end()) return;
  Stream* s = it->second.get();
  refresh_locked();  // never remove flows in a region that replaced the stream's
  unregister_locked(s);
  if (!s->orphaned && cmds_ && s->generation == generation_) {
    std::vector<FlowRelease> rel = {{s->rtp_flow, s->addr_idx, s->rtp_port, true},
                                    {s->rtcp_flow, s->addr_idx, static_cast<uint16_t>(s->rtp_port + 1), true}};
    for (const FwdFlow& f : s->fwds) rel.push_back({f.flow, s->addr_idx, f.port, true});  // forwarders
    cmds_->remove_and_free(rel.data(), static_cast<uint32_t>(rel.size()), opt_.cmd_timeout_ms);
    for (int d = 0; d < 2; d++) stop_recording_locked(*s, d, false);  // flows gone: the files close
    release_srtp_locked(*s);
    release_fwd_srtp_locked(*s);  // forwarders.cc
  }
  streams_.erase(it);
  n_streams_.store(streams_.size());
}

Stream* DataPlaneLink::live_stream_locked(StreamId id, std::string* why) {
  Stream* s = find_locked(id);
  if (s == nullptr) return *why = "no such media stream", nullptr;
  if (!refresh_locked() || s->orphaned || s->generation != generation_)
    return *why = "the rtpgate data plane restarted: the media stream is gone", nullptr;
  return s;
}

bool DataPlaneLink::stream_alive(StreamId id) {
  std::lock_guard<std::mutex> g(ctl_mu_);
  const Stream* s = find_locked(id);
  return s != nullptr && !s->orphaned && s->generation == generation_;
}

bool DataPlaneLink::stream_counters(StreamId id, StreamCounters* out) {
  std::lock_guard<std::mutex> g(ctl_mu_);
  const Stream* s = find_locked(id);
  if (s == nullptr) return false;
  out->to_dp_pkts = s->to_dp_pkts.load(std::memory_order_relaxed);
  out->drop_direction = s->drop_direction.load(std::memory_order_relaxed);
  out->drop_no_peer = s->drop_no_peer.load(std::memory_order_relaxed);
  out->drop_ring_full = s->drop_ring_full.load(std::memory_order_relaxed);
  return true;
}

size_t DataPlaneLink::open_streams() { return n_streams_.load(std::memory_order_relaxed); }

}  // namespace rtpgate::ctl::media
