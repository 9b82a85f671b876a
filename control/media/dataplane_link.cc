// DataPlaneLink control side: attach/detach, streams (ports + flows), send_to_peer.
// Control calls run on the plugin's control thread; send_to_peer on any Janus thread.
#include "media/dataplane_link.h"

#include <algorithm>
#include <cinttypes>
#include <vector>

#include "log.h"
#include "media/flow_params.h"
#include "media/media_addr.h"

namespace rtpgate::ctl::media {
namespace {

constexpr uint32_t kCookieTag = 0xC7;  // high byte of every cookie this plugin writes
constexpr uint64_t kMinDpMaxAgeMs = 1000;

void bump(std::atomic<uint64_t>& c, uint64_t n = 1) noexcept { c.fetch_add(n, std::memory_order_relaxed); }

uint32_t cookie_of(StreamId id) noexcept {
  return kCookieTag << 24 | (static_cast<uint32_t>(id >> 32) & 0x00ffffffu);
}

std::string cmd_error(const char* what, Errc e, uint32_t timeout_ms) {
  if (e == Errc::Timeout)
    return std::string(what) + ": rtpgate data plane did not answer within " + std::to_string(timeout_ms) + " ms";
  return std::string(what) + ": rtpgate data plane refused the flow (" + std::string(to_string(e)) + ")";
}

// Takes the dispatch lock ahead of the bridge thread (which backs off while we wait).
class DispatchLock {
 public:
  DispatchLock(std::mutex& mu, std::atomic<uint32_t>& waiters) : mu_(mu), waiters_(waiters) {
    waiters_.fetch_add(1, std::memory_order_relaxed);
    mu_.lock();
    waiters_.fetch_sub(1, std::memory_order_relaxed);
  }
  ~DispatchLock() { mu_.unlock(); }
  DispatchLock(const DispatchLock&) = delete;
  DispatchLock& operator=(const DispatchLock&) = delete;

 private:
  std::mutex& mu_;
  std::atomic<uint32_t>& waiters_;
};

}  // namespace

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
  if (!cc.dp_alive(std::max<uint64_t>(kMinDpMaxAgeMs, 5ull * cc.hdr().heartbeat_interval_ms))) return;
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
  const uint64_t max_age_ms = std::max<uint64_t>(kMinDpMaxAgeMs, 5ull * cc.hdr().heartbeat_interval_ms);
  if (!cc.dp_alive(max_age_ms)) {
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
  for (uint32_t i = 0; i < n_from_dp_; i++) s->start_pos[i] = __atomic_load_n(&from_dp_[i]->head, __ATOMIC_ACQUIRE);
  register_locked(s.get());
  FlowSpec spec;
  spec.local = s->local;
  spec.cookie = cookie_of(s->id);
  spec.local_port = static_cast<uint16_t>(port + 1);
  spec.rtcp = true;
  cc.write_params(s->rtcp_flow, make_flow_params(spec));
  spec.local_port = port;
  spec.rtcp = false;
  spec.rtcp_flow_id = s->rtcp_flow;
  spec.dscp = video ? opt_.dscp_video : opt_.dscp_audio;
  cc.write_params(s->rtp_flow, make_flow_params(spec));
  FlowCmd cmds[2] = {{RTPGATE_CMD_FLOW_INSTALL, s->rtcp_flow}, {RTPGATE_CMD_FLOW_INSTALL, s->rtp_flow}};
  cmds_->run(cmds, 2, opt_.cmd_timeout_ms);
  if (cmds[0].result != Errc::Ok || cmds[1].result != Errc::Ok) {
    unregister_locked(s.get());
    const auto installed = [](const FlowCmd& c) { return c.result == Errc::Ok || (c.result == Errc::Timeout && c.seq); };
    const FlowRelease rel[2] = {{s->rtcp_flow, addr_idx, static_cast<uint16_t>(port + 1), installed(cmds[0])},
                                {s->rtp_flow, addr_idx, port, installed(cmds[1])}};
    cmds_->remove_and_free(rel, 2, opt_.cmd_timeout_ms);
    *why = cmd_error("cannot install the relay flows", cmds[0].result != Errc::Ok ? cmds[0].result : cmds[1].result,
                     opt_.cmd_timeout_ms);
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
  Stream* s = find_locked(id);
  if (s == nullptr) return *why = "no such media stream", false;
  if (!refresh_locked() || s->orphaned || s->generation != generation_)
    return *why = "the rtpgate data plane restarted: the media stream is gone", false;
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
  rtp_params.fwd = chain_heads(s->fwds);  // forwarders survive a new peer address
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
    release_srtp_locked(*s);
    release_fwd_srtp_locked(*s);  // forwarders.cc
  }
  streams_.erase(it);
  n_streams_.store(streams_.size());
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

// ---- browser -> peer (any thread) --------------------------------------------------------

bool DataPlaneLink::send_to_peer(StreamId id, bool rtcp, const uint8_t* data, uint16_t len) noexcept {
  if (id == kNoStream) {
    bump(ctr_.drop_send_stale);
    return false;
  }
  const auto fid = static_cast<uint32_t>(id);
  Stream* st = nullptr;
  enum { kStale, kNoPeer, kDirection } refused = kStale;
  // Both run under the ring's lock: owners_ cannot be replaced and a closing stream waits
  // for us in rings_.barrier() before its Stream is freed.
  auto check = [&]() noexcept -> uint32_t {
    if (fid >= owner_cap_ || owners_[fid].token.load(std::memory_order_acquire) != id) return UINT32_MAX;
    st = owners_[fid].stream.load(std::memory_order_relaxed);
    const uint32_t ss = st->send_state.load(std::memory_order_relaxed);
    if (!(ss & Stream::kPeerSet)) {
      refused = kNoPeer;
      bump(st->drop_no_peer);
      return UINT32_MAX;
    }
    if (!(ss & Stream::kSendOk)) {
      refused = kDirection;
      bump(st->drop_direction);
      return UINT32_MAX;
    }
    return rtcp ? st->rtcp_flow : st->rtp_flow;
  };
  auto done = [&](PushResult r) noexcept { bump(r == PushResult::Ok ? st->to_dp_pkts : st->drop_ring_full); };
  switch (rings_.push(id, check, done, rtcp, data, len)) {
    case PushResult::Ok:
      bump(ctr_.to_dp_pkts);
      return true;
    case PushResult::Full:
      bump(ctr_.drop_send_ring_full);
      break;
    case PushResult::TooBig:
      bump(ctr_.drop_send_too_big);
      break;
    case PushResult::NoRing:
      bump(ctr_.drop_send_no_ring);
      break;
    case PushResult::Refused:
      bump(refused == kNoPeer ? ctr_.drop_send_no_peer
                              : refused == kDirection ? ctr_.drop_send_direction : ctr_.drop_send_stale);
      break;
  }
  return false;
}

}  // namespace rtpgate::ctl::media
