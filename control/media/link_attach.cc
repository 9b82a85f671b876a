// DataPlaneLink: start/stop, attach to and detach from the data plane's region (generation
// changes, leftovers of an earlier plugin instance), availability. Control thread, ctl_mu_.
#include <algorithm>
#include <cinttypes>
#include <vector>

#include "log.h"
#include "media/dataplane_link.h"
#include "media/flow_params.h"
#include "media/link_internal.h"
#include "media/media_addr.h"

namespace rtpgate::ctl::media {

using namespace link_util;  // NOLINT: the link files' shared helpers

bool DataPlaneLink::start(const DataPlaneOptions& o, std::string* why) {
  if (bridge_.joinable()) return *why = "the data-plane link is already started", false;
  if (o.shm_name.size() < 2 || o.shm_name[0] != '/')
    return *why = "shm name '" + o.shm_name + "' must start with '/'", false;
  if (o.dscp_audio > 63 || o.dscp_video > 63) return *why = "dscp must be 0..63", false;
  if (o.port_max != 0 && o.port_min > o.port_max) return *why = "rtp port range: min > max", false;
  if (o.cmd_timeout_ms == 0) return *why = "command timeout must be > 0 ms", false;
  opt_ = o;
  if (opt_.attach_retry_ms == 0) opt_.attach_retry_ms = 1000;
  stop_.store(false);
  {
    std::lock_guard<std::mutex> g(ctl_mu_);
    if (!refresh_locked()) log(Log::Warn, "media: %s; will keep trying", detach_why_.c_str());
  }
  bridge_ = std::thread(&DataPlaneLink::bridge_main, this);
  return true;
}

void DataPlaneLink::stop() {
  if (bridge_.joinable()) {
    {
      std::lock_guard<std::mutex> g(wake_mu_);
      stop_.store(true);
    }
    wake_cv_.notify_all();
    bridge_.join();
  }
  std::lock_guard<std::mutex> g(ctl_mu_);
  std::vector<FlowRelease> rel;
  for (auto& [id, s] : streams_) {
    unregister_locked(s.get());
    if (!s->orphaned && cmds_ && s->generation == generation_) {
      rel.push_back({s->rtp_flow, s->addr_idx, s->rtp_port, true});
      rel.push_back({s->rtcp_flow, s->addr_idx, static_cast<uint16_t>(s->rtp_port + 1), true});
      for (const FwdFlow& f : s->fwds) rel.push_back({f.flow, s->addr_idx, f.port, true});  // forwarders
    }
  }
  streams_.clear();
  n_streams_.store(0);
  if (cmds_) {
    if (!rel.empty() && cmds_->client().region().still_current())
      cmds_->remove_and_free(rel.data(), static_cast<uint32_t>(rel.size()), opt_.cmd_timeout_ms);
    cmds_->poll_late();
    detach_locked();
  }
}

// ---- attach / detach (ctl_mu_ held) -------------------------------------------------

bool DataPlaneLink::refresh_locked() {
  if (cmds_) {
    if (cmds_->client().region().still_current()) {
      if (reclaim_pending_) reclaim_leftovers_locked();
      if (readopt_pending_.load(std::memory_order_relaxed)) readopt_orphans_locked();
      return true;
    }
    log(Log::Warn, "media: data-plane region %s was replaced or removed (restart): re-attaching",
        opt_.shm_name.c_str());
    detach_locked();
  }
  try_attach_locked();
  return cmds_.has_value();
}

void DataPlaneLink::try_attach_locked() {
  std::string why;
  auto cc = shm::ControlClient::open(opt_.shm_name, &why);
  if (!cc) {
    detach_why_ = cc.error() == Errc::NotAttached
                      ? "rtpgate data plane not running (" + opt_.shm_name + ")"
                      : "rtpgate data plane unavailable (" + opt_.shm_name + "): " + why;
    return;
  }
  const rtpgate_shm_header& h = cc->hdr();
  auto owners = std::make_unique<FlowOwner[]>(h.flow_capacity);
  shm::SpscRing<rtpgate_shm_pkt_slot> to_dp[RTPGATE_SHM_MAX_PKT_RINGS];
  const uint32_t n_to_dp = std::min<uint32_t>(h.n_pkt_rings_to_dp, RTPGATE_SHM_MAX_PKT_RINGS);
  for (uint32_t i = 0; i < n_to_dp; i++) to_dp[i] = cc->region().pkt_ring_to_dp(i);
  {
    DispatchLock d(dispatch_mu_, dispatch_waiters_);
    rings_.lock_all();
    owners_ = std::move(owners);
    owner_cap_ = h.flow_capacity;
    n_from_dp_ = std::min<uint32_t>(h.n_pkt_rings_to_ctl, RTPGATE_SHM_MAX_PKT_RINGS);
    auto* base = reinterpret_cast<uint8_t*>(cc->region().hdr());
    for (uint32_t i = 0; i < n_from_dp_; i++)
      from_dp_[i] = reinterpret_cast<rtpgate_shm_ring_hdr*>(base + h.off_pkt_rings_to_ctl[i]);
    rings_.bind_locked(to_dp, n_to_dp);
    rings_.unlock_all();
  }
  generation_ = cc->generation();
  cmds_.emplace(std::move(cc.value()), &ctr_);
  detach_why_.clear();
  bump(ctr_.attaches);
  log(Log::Info, "media: attached to %s (generation %" PRIu64 ", %u flows, ports %u-%u, %u address(es), %u/%u rings)",
      opt_.shm_name.c_str(), generation_, h.flow_capacity, h.port_min, h.port_max, h.n_addrs, n_from_dp_, n_to_dp);
  reclaim_pending_ = true;
  reclaim_leftovers_locked();
  if (readopt_pending_.load(std::memory_order_relaxed)) readopt_orphans_locked();  // link_readopt.cc
}

void DataPlaneLink::detach_locked() {
  {
    DispatchLock d(dispatch_mu_, dispatch_waiters_);
    rings_.lock_all();
    rings_.unbind_locked();
    n_from_dp_ = 0;
    owners_.reset();
    owner_cap_ = 0;
    rings_.unlock_all();
  }
  for (auto& [id, s] : streams_) {
    if (s->orphaned) continue;
    s->orphaned = true;
    s->send_state.store(0, std::memory_order_relaxed);
    bump(ctr_.orphaned_streams);
    readopt_pending_.store(true, std::memory_order_relaxed);
  }
  cmds_.reset();  // unmaps the old region and drops the controller lock
  generation_ = 0;
  reclaim_pending_ = false;
  if (detach_why_.empty()) detach_why_ = "rtpgate data plane not running (" + opt_.shm_name + ")";
}

// Flows an earlier instance of this plugin left in a data plane that kept running (Janus
// restarted or crashed): every allocated TO_CTL slot carrying our cookie tag. Needs a live
// data plane; retried on the next refresh otherwise.
void DataPlaneLink::reclaim_leftovers_locked() {
  shm::ControlClient& cc = cmds_->client();
  if (!dp_running(cc)) return;
  reclaim_pending_ = false;
  reclaim_srtp_leftovers_locked();
  const rtpgate_shm_header& h = cc.hdr();
  const uint64_t* bm = cc.region().flow_bitmap();
  std::vector<FlowRelease> rel;
  for (uint32_t id = 0; id < h.flow_capacity; id++) {
    if (!((bm[id / 64] >> (id % 64)) & 1u) || owners_[id].token.load(std::memory_order_relaxed) != kNoStream) continue;
    const rtpgate_shm_flow_params& p = cc.region().flow(id).params;
    // Our streams' flows (TO_CTL) and forwarders (FORWARD, with our cookie too).
    if ((p.cookie >> 24) != kCookieTag || (p.action != RTPGATE_ACT_TO_CTL && p.action != RTPGATE_ACT_FORWARD)) continue;
    const int idx = shm::find_media_addr(h, p.local);
    rel.push_back({id, idx >= 0 ? static_cast<uint32_t>(idx) : 0u, idx >= 0 ? p.local_port : uint16_t{0}, true});
  }
  if (rel.empty()) return;
  log(Log::Warn, "media: removing %zu flow(s) left by an earlier plugin instance", rel.size());
  cmds_->remove_and_free(rel.data(), static_cast<uint32_t>(rel.size()), opt_.cmd_timeout_ms);
}

bool DataPlaneLink::usable_locked(std::string* why) {
  if (!refresh_locked()) {
    if (why != nullptr) *why = detach_why_;
    return false;
  }
  const shm::ControlClient& cc = cmds_->client();
  if (!dp_running(cc)) {
    if (why != nullptr) {
      const uint32_t st = __atomic_load_n(&cc.hdr().dp_state, __ATOMIC_ACQUIRE);
      *why = "rtpgate data plane not running (" + opt_.shm_name + ": " +
             (st == RTPGATE_DP_STARTING ? "starting" : st == RTPGATE_DP_STOPPED ? "stopped" : "no heartbeat") + ")";
    }
    return false;
  }
  return true;
}

bool DataPlaneLink::available(std::string* why) {
  std::lock_guard<std::mutex> g(ctl_mu_);
  return usable_locked(why);
}

void DataPlaneLink::maintain() {
  std::lock_guard<std::mutex> g(ctl_mu_);
  maintain_locked();
}

void DataPlaneLink::maintain_locked() {
  if (!refresh_locked()) return;
  cmds_->client().heartbeat();
  cmds_->poll_late();
}

}  // namespace rtpgate::ctl::media
