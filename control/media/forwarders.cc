// DataPlaneLink's RTP forwarders (see forwarders.h): forwarder flows on their own relay
// port, linked into the stream's RTP flow's rx/tx chains. Control thread, link's control
// lock held by every public method here.
#include "media/forwarders.h"

#include <string.h>  // explicit_bzero

#include <algorithm>
#include <cstring>
#include <utility>

#include "log.h"
#include "media/dataplane_link.h"
#include "media/flow_params.h"
#include "media/flow_stats.h"
#include "media/media_addr.h"

namespace rtpgate::ctl::media {
namespace {

std::string fwd_error(const char* what, Errc e) {
  return std::string(what) + ": rtpgate data plane answered " + std::string(to_string(e));
}

}  // namespace

rtpgate_shm_fwd chain_heads(const std::vector<FwdFlow>& fwds) noexcept {
  rtpgate_shm_fwd w{};
  for (const FwdFlow& f : fwds) {
    const uint8_t flag = f.rx ? RTPGATE_FWD_F_RX : RTPGATE_FWD_F_TX;
    if (w.flags & flag) continue;
    w.flags = static_cast<uint8_t>(w.flags | flag);
    (f.rx ? w.rx_head : w.tx_head) = f.flow;
  }
  return w;
}

void link_chains(std::vector<FwdFlow>& fwds) noexcept {
  for (size_t i = 0; i < fwds.size(); i++) {
    rtpgate_shm_fwd& w = fwds[i].params.fwd;
    w.flags = static_cast<uint8_t>(w.flags & ~RTPGATE_FWD_F_NEXT);
    w.next = 0;
    for (size_t j = i + 1; j < fwds.size(); j++) {
      if (fwds[j].rx != fwds[i].rx) continue;
      w.flags = static_cast<uint8_t>(w.flags | RTPGATE_FWD_F_NEXT);
      w.next = fwds[j].flow;
      break;
    }
  }
}

rtpgate_shm_flow_params forwarder_params(const rtpgate_shm_addr& local, uint16_t port, const rtpgate_shm_addr& dst,
                                         const FwdTarget& t, uint32_t cookie) noexcept {
  rtpgate_shm_flow_params p;
  std::memset(&p, 0, sizeof p);
  p.cookie = cookie;
  p.kind = RTPGATE_KIND_RTP;
  p.direction = RTPGATE_DIR_INACTIVE;  // what arrives on the forwarder's port is dropped
  p.action = RTPGATE_ACT_FORWARD;
  p.local = local;
  p.local_port = port;
  p.out_src = local;
  p.out_src_port = port;
  p.out_dst = dst;
  p.out_dst_port = t.port;
  p.rtcp_flow_id = UINT32_MAX;
  p.srtp_slot = UINT32_MAX;
  p.record_slot = UINT32_MAX;
  p.reverse_flow_id = UINT32_MAX;
  if (t.set_ssrc) {
    p.fwd.flags |= RTPGATE_FWD_F_SSRC;
    p.fwd.ssrc = t.ssrc;
  }
  if (t.set_pt) {
    p.fwd.flags |= RTPGATE_FWD_F_PT;
    p.fwd.pt = static_cast<uint8_t>(t.pt & 0x7f);
  }
  return p;
}

// An SRTP entry (protect) for a forwarder's copies, SRTP_SET done; 0 + *why on failure.
uint32_t DataPlaneLink::fwd_srtp_locked(const SrtpKey& k, uint32_t cookie, std::string* why) {
  shm::ControlClient& cc = cmds_->client();
  if (cc.hdr().srtp_capacity < 2) return *why = "the rtpgate data plane has no SRTP capacity", 0;
  if (k.key_len != srtp_key_len(k.profile) || k.salt_len != srtp_salt_len(k.profile) || k.key_len == 0)
    return *why = "bad SRTP key length for the profile", 0;
  rtpgate_shm_srtp_entry e;
  std::memset(&e, 0, sizeof e);
  e.cookie = cookie;
  e.profile = static_cast<uint8_t>(k.profile);  // same numbers as rtpgate_srtp_profile
  e.direction = RTPGATE_SRTP_DIR_PROTECT;
  e.key_len = k.key_len;
  e.salt_len = k.salt_len;
  std::memcpy(e.key, k.key, k.key_len);
  std::memcpy(e.salt, k.salt, k.salt_len);
  auto idx = cc.alloc_srtp();
  if (!idx) {
    explicit_bzero(&e, sizeof e);
    return *why = "rtpgate SRTP table full", 0;
  }
  cc.write_srtp(idx.value(), e);
  explicit_bzero(&e, sizeof e);
  FlowCmd set{RTPGATE_CMD_SRTP_SET, idx.value()};
  cmds_->run(&set, 1, opt_.cmd_timeout_ms);
  if (set.result != Errc::Ok) {
    fwd_srtp_del_locked(&set.flow_id, 1);
    return *why = fwd_error("the data plane refused the forwarder's SRTP context", set.result), 0;
  }
  return idx.value();
}

void DataPlaneLink::fwd_srtp_del_locked(const uint32_t* idx, uint32_t n) {
  std::vector<FlowCmd> dels;
  for (uint32_t i = 0; i < n; i++)
    if (idx[i] != 0) dels.push_back(FlowCmd{RTPGATE_CMD_SRTP_DEL, idx[i]});
  if (dels.empty() || !cmds_) return;
  cmds_->run(dels.data(), static_cast<uint32_t>(dels.size()), opt_.cmd_timeout_ms);
  for (const FlowCmd& d : dels)
    if (d.result == Errc::Ok || d.result == Errc::NoSuchFlow) cmds_->client().free_srtp(d.flow_id);
}

void DataPlaneLink::release_fwd_srtp_locked(Stream& s) {
  std::vector<uint32_t> idx;
  for (FwdFlow& f : s.fwds) idx.push_back(std::exchange(f.srtp_idx, 0u));
  fwd_srtp_del_locked(idx.data(), static_cast<uint32_t>(idx.size()));
}

// Rewrites the stream's RTP flow with the current chain heads and every forwarder whose
// link changed; one command round trip.
bool DataPlaneLink::relink_locked(Stream& s, std::string* why) {
  shm::ControlClient& cc = cmds_->client();
  link_chains(s.fwds);
  FlowCmd cmds[1 + RTPGATE_FWD_MAX_CHAIN * 2];
  uint32_t n = 0;
  for (FwdFlow& f : s.fwds) {
    rtpgate_shm_flow_params& cur = cc.region().flow(f.flow).params;
    if (std::memcmp(&cur.fwd, &f.params.fwd, sizeof cur.fwd) == 0) continue;
    cc.write_params(f.flow, f.params);
    cmds[n++] = {RTPGATE_CMD_FLOW_MODIFY, f.flow};
  }
  rtpgate_shm_flow_params p = cc.region().flow(s.rtp_flow).params;
  p.fwd = chain_heads(s.fwds);
  cc.write_params(s.rtp_flow, p);
  cmds[n++] = {RTPGATE_CMD_FLOW_MODIFY, s.rtp_flow};
  cmds_->run(cmds, n, opt_.cmd_timeout_ms);
  for (uint32_t i = 0; i < n; i++)
    if (cmds[i].result != Errc::Ok) return *why = fwd_error("cannot link the forwarder", cmds[i].result), false;
  return true;
}

bool DataPlaneLink::add_forwarder(StreamId id, bool from_peer, const FwdTarget& t, uint32_t* fwd, std::string* why) {
  std::lock_guard<std::mutex> g(ctl_mu_);
  Stream* s = find_locked(id);
  if (s == nullptr) return *why = "no such media stream", false;
  if (!usable_locked(why)) return false;
  if (s->orphaned || s->generation != generation_)
    return *why = "the rtpgate data plane restarted: the media stream is gone", false;
  size_t same = 0;
  for (const FwdFlow& f : s->fwds) same += f.rx == from_peer;
  if (same >= RTPGATE_FWD_MAX_CHAIN)
    return *why = "too many forwarders on this stream (max " + std::to_string(RTPGATE_FWD_MAX_CHAIN) + ")", false;
  rtpgate_shm_addr dst{};
  if (!parse_addr(t.addr, 0, &dst) || addr_unspecified(dst) || t.port == 0)
    return *why = "bad forwarder address " + t.addr, false;
  if (dst.family != s->local.family)
    return *why = "forwarder address " + t.addr + " is not of the relay address's family (" + format_addr(s->local) +
                  ")",
           false;
  shm::ControlClient& cc = cmds_->client();
  uint16_t port = 0;
  if (!claim_port_pair_locked(s->addr_idx, &port)) return *why = "no free relay port for the forwarder", false;
  cc.free_port(s->addr_idx, static_cast<uint16_t>(port + 1));  // one port is enough
  auto fl = cc.alloc_flow();
  if (!fl) {
    cc.free_port(s->addr_idx, port);
    return *why = "rtpgate flow table full", false;
  }
  FwdFlow f;
  f.flow = fl.value();
  f.port = port;
  f.rx = from_peer;
  const uint32_t cookie = cc.region().flow(s->rtp_flow).params.cookie;
  f.params = forwarder_params(s->local, port, dst, t, cookie);
  if (t.srtp.valid()) {
    f.srtp_idx = fwd_srtp_locked(t.srtp, cookie, why);
    if (f.srtp_idx == 0) {
      const FlowRelease rel{f.flow, s->addr_idx, port, false};
      cmds_->remove_and_free(&rel, 1, opt_.cmd_timeout_ms);
      return false;
    }
    f.params.srtp_out_slot = f.srtp_idx;
  }
  cc.write_params(f.flow, f.params);
  FlowCmd cmd{RTPGATE_CMD_FLOW_INSTALL, f.flow};
  cmds_->run(&cmd, 1, opt_.cmd_timeout_ms);
  if (cmd.result != Errc::Ok) {
    const FlowRelease rel{f.flow, s->addr_idx, port, cmd.result == Errc::Timeout && cmd.seq != 0};
    cmds_->remove_and_free(&rel, 1, opt_.cmd_timeout_ms);
    fwd_srtp_del_locked(&f.srtp_idx, 1);
    return *why = fwd_error("cannot install the forwarder", cmd.result), false;
  }
  s->fwds.push_back(f);
  if (!relink_locked(*s, why)) {
    s->fwds.pop_back();
    std::string ignored;
    relink_locked(*s, &ignored);
    const FlowRelease rel{f.flow, s->addr_idx, port, true};
    cmds_->remove_and_free(&rel, 1, opt_.cmd_timeout_ms);
    fwd_srtp_del_locked(&f.srtp_idx, 1);
    return false;
  }
  *fwd = f.flow;
  return true;
}

void DataPlaneLink::remove_forwarder(StreamId id, uint32_t fwd) {
  std::lock_guard<std::mutex> g(ctl_mu_);
  Stream* s = find_locked(id);
  if (s == nullptr) return;
  auto it = std::find_if(s->fwds.begin(), s->fwds.end(), [&](const FwdFlow& f) { return f.flow == fwd; });
  if (it == s->fwds.end()) return;
  const FwdFlow f = *it;
  s->fwds.erase(it);
  refresh_locked();
  if (s->orphaned || !cmds_ || s->generation != generation_) return;  // went with its data plane
  std::string why;
  if (!relink_locked(*s, &why)) log(Log::Warn, "media: %s", why.c_str());
  // Workers that still follow the old links find the flow gone (drop_fwd_gone) until the
  // removal's grace period ends.
  const FlowRelease rel{f.flow, s->addr_idx, f.port, true};
  cmds_->remove_and_free(&rel, 1, opt_.cmd_timeout_ms);
  fwd_srtp_del_locked(&f.srtp_idx, 1);  // its context goes once no worker can use the flow
}

bool DataPlaneLink::forwarder_counters(StreamId id, uint32_t fwd, FwdCounters* out) {
  std::lock_guard<std::mutex> g(ctl_mu_);
  const Stream* s = find_locked(id);
  if (s == nullptr || !cmds_ || s->orphaned || s->generation != generation_) return false;
  for (const FwdFlow& f : s->fwds) {
    if (f.flow != fwd) continue;
    rtpgate_shm_flow_counters c;
    if (!read_flow_counters(cmds_->client().region().flow(f.flow).counters, &c)) return false;
    out->pkts = c.tx_pkts;
    out->bytes = c.tx_bytes;
    out->drops = c.drop_tx;
    return true;
  }
  return false;
}

bool DataPlaneLink::stream_flows(StreamId id, uint32_t flows[2], rtpgate_shm_flow_counters ctr[2]) {
  std::lock_guard<std::mutex> g(ctl_mu_);
  const Stream* s = find_locked(id);
  if (s == nullptr || !cmds_ || s->orphaned || s->generation != generation_) return false;
  flows[0] = s->rtp_flow;
  flows[1] = s->rtcp_flow;
  for (int i = 0; i < 2; i++)
    if (!read_flow_counters(cmds_->client().region().flow(flows[i]).counters, &ctr[i])) return false;
  return true;
}

}  // namespace rtpgate::ctl::media
