// SDES-SRTP of a relay stream (DataPlaneLink::set_srtp): SRTP entries in the shared region,
// SRTP_SET, FLOW_MODIFY of both flows, SRTP_DEL of replaced contexts. Control thread,
// under the link's control lock. Key material is never logged and wiped where copied.
#include <string.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "log.h"
#include "media/dataplane_link.h"
#include "media/link_internal.h"

namespace rtpgate::ctl::media {
namespace {

bool same_key(const SrtpKey& a, const SrtpKey& b) noexcept {
  return a.profile == b.profile && a.key_len == b.key_len && a.salt_len == b.salt_len &&
         std::memcmp(a.key, b.key, a.key_len) == 0 && std::memcmp(a.salt, b.salt, a.salt_len) == 0;
}

bool fill_entry(const SrtpKey& k, bool protect, uint32_t cookie, rtpgate_shm_srtp_entry* e) noexcept {
  if (k.key_len != srtp_key_len(k.profile) || k.salt_len != srtp_salt_len(k.profile) || k.key_len == 0) return false;
  std::memset(e, 0, sizeof(*e));
  e->cookie = cookie;
  e->profile = static_cast<uint8_t>(k.profile);  // same numbers as rtpgate_srtp_profile
  e->direction = protect ? RTPGATE_SRTP_DIR_PROTECT : RTPGATE_SRTP_DIR_UNPROTECT;
  e->key_len = k.key_len;
  e->salt_len = k.salt_len;
  std::memcpy(e->key, k.key, k.key_len);
  std::memcpy(e->salt, k.salt, k.salt_len);
  return true;
}

using link_util::errc_text;

// SRTP_DEL of `n` entries; the confirmed ones (or already gone) are freed in the region.
void delete_srtp(FlowCommands& cmds, FlowCmd* dels, uint32_t n, uint32_t timeout_ms) noexcept {
  if (n == 0) return;
  cmds.run(dels, n, timeout_ms);
  for (uint32_t i = 0; i < n; i++)
    if (dels[i].result == Errc::Ok || dels[i].result == Errc::NoSuchFlow) cmds.client().free_srtp(dels[i].flow_id);
}

}  // namespace

bool DataPlaneLink::set_srtp(StreamId id, const SrtpKey* to_peer, const SrtpKey* from_peer, std::string* why) {
  std::lock_guard<std::mutex> g(ctl_mu_);
  Stream* s = live_stream_locked(id, why);
  return s != nullptr && set_srtp_locked(*s, to_peer, from_peer, why);
}

bool DataPlaneLink::set_srtp_locked(Stream& st, const SrtpKey* to_peer, const SrtpKey* from_peer, std::string* why) {
  Stream* s = &st;
  shm::ControlClient& cc = cmds_->client();
  if (cc.hdr().srtp_capacity < 2) return *why = "the rtpgate data plane has no SRTP capacity (srtp_capacity)", false;
  // [0] inbound (from the peer, unprotect), [1] outbound (to the peer, protect).
  const SrtpKey* want[2] = {from_peer != nullptr && from_peer->valid() ? from_peer : nullptr,
                            to_peer != nullptr && to_peer->valid() ? to_peer : nullptr};
  uint32_t* cur_idx[2] = {&s->srtp.in_idx, &s->srtp.out_idx};
  SrtpKey* cur_key[2] = {&s->srtp.in_key, &s->srtp.out_key};
  uint32_t next[2] = {*cur_idx[0], *cur_idx[1]};
  bool change[2] = {false, false};
  FlowCmd sets[2];
  uint32_t n_sets = 0;
  for (int d = 0; d < 2; d++) {
    change[d] = want[d] != nullptr ? *cur_idx[d] == 0 || !same_key(*cur_key[d], *want[d]) : *cur_idx[d] != 0;
    if (!change[d]) continue;
    next[d] = 0;
    if (want[d] == nullptr) continue;
    rtpgate_shm_srtp_entry e;
    if (!fill_entry(*want[d], d == 1, cc.region().flow(s->rtp_flow).params.cookie, &e)) {
      for (uint32_t i = 0; i < n_sets; i++) cc.free_srtp(sets[i].flow_id);
      return *why = "bad SRTP key length for the profile", false;
    }
    auto idx = cc.alloc_srtp();
    if (!idx) {
      explicit_bzero(&e, sizeof(e));
      for (uint32_t i = 0; i < n_sets; i++) cc.free_srtp(sets[i].flow_id);
      return *why = "rtpgate SRTP table full (" + std::to_string(cc.hdr().srtp_capacity - 1) + " contexts)", false;
    }
    cc.write_srtp(idx.value(), e);
    explicit_bzero(&e, sizeof(e));
    next[d] = idx.value();
    sets[n_sets++] = FlowCmd{RTPGATE_CMD_SRTP_SET, idx.value()};
  }
  if (!change[0] && !change[1]) return true;
  cmds_->run(sets, n_sets, opt_.cmd_timeout_ms);
  Errc fail = Errc::Ok;
  for (uint32_t i = 0; i < n_sets; i++)
    if (sets[i].result != Errc::Ok) fail = sets[i].result;
  if (fail == Errc::Ok) {
    // Both flows (RTP, and RTCP with rtcp-mux or on port + 1) use the same contexts.
    for (uint32_t flow : {s->rtcp_flow, s->rtp_flow}) {
      rtpgate_shm_flow_params p = cc.region().flow(flow).params;
      p.srtp_slot = next[0] != 0 ? next[0] : UINT32_MAX;
      p.srtp_out_slot = next[1];
      p.flags = static_cast<uint16_t>(next[0] != 0 ? p.flags | RTPGATE_FLOW_F_SRTP_AUTH
                                                   : p.flags & ~RTPGATE_FLOW_F_SRTP_AUTH);
      cc.write_params(flow, p);
    }
    FlowCmd mods[2] = {{RTPGATE_CMD_FLOW_MODIFY, s->rtcp_flow}, {RTPGATE_CMD_FLOW_MODIFY, s->rtp_flow}};
    cmds_->run(mods, 2, opt_.cmd_timeout_ms);
    fail = mods[0].result != Errc::Ok ? mods[0].result : mods[1].result;
    if (fail != Errc::Ok) *why = errc_text("cannot point the relay flows at the SRTP contexts", fail);
  } else {
    *why = errc_text("the data plane refused the SRTP context", fail);
  }
  // Contexts that are no longer used: the replaced ones on success, the new ones otherwise.
  FlowCmd dels[2];
  uint32_t n_dels = 0;
  for (int d = 0; d < 2; d++) {
    const uint32_t gone = fail == Errc::Ok ? *cur_idx[d] : next[d];
    if (!change[d] || gone == 0) continue;
    dels[n_dels++] = FlowCmd{RTPGATE_CMD_SRTP_DEL, gone};
  }
  delete_srtp(*cmds_, dels, n_dels, opt_.cmd_timeout_ms);
  if (fail != Errc::Ok) return false;
  for (int d = 0; d < 2; d++) {
    if (!change[d]) continue;
    *cur_idx[d] = next[d];
    if (want[d] != nullptr) *cur_key[d] = *want[d];
    else cur_key[d]->wipe();
  }
  return true;
}

bool DataPlaneLink::stream_srtp(StreamId id, StreamSrtpSlots* out) {
  std::lock_guard<std::mutex> g(ctl_mu_);
  const Stream* s = find_locked(id);
  if (s == nullptr || !cmds_ || s->orphaned || s->generation != generation_) return false;
  const auto& r = cmds_->client().region();
  const rtpgate_shm_flow_params& rtp = r.flow(s->rtp_flow).params;
  const rtpgate_shm_flow_params& rtcp = r.flow(s->rtcp_flow).params;
  const uint32_t cap = cmds_->client().hdr().srtp_capacity;
  const auto slot = [cap](uint32_t idx) { return idx < cap ? idx : 0u; };   // UINT32_MAX = plain
  out->in_slot = slot(rtp.srtp_slot);
  out->out_slot = slot(rtp.srtp_out_slot);
  out->in_profile = out->in_slot != 0 ? r.srtp(out->in_slot).profile : 0;
  out->out_profile = out->out_slot != 0 ? r.srtp(out->out_slot).profile : 0;
  out->rtcp_same = slot(rtcp.srtp_slot) == out->in_slot && slot(rtcp.srtp_out_slot) == out->out_slot;
  return true;
}

void DataPlaneLink::reclaim_srtp_leftovers_locked() {
  shm::ControlClient& cc = cmds_->client();
  const rtpgate_shm_header& h = cc.hdr();
  std::vector<FlowCmd> dels;
  for (uint32_t i = 1; i < h.srtp_capacity; i++) {
    if (!((cc.region().srtp_bitmap()[i / 64] >> (i % 64)) & 1u)) continue;
    if ((cc.region().srtp(i).cookie >> 24) != link_util::kCookieTag) continue;  // not ours (rtpgatectl, tests)
    bool used = false;
    for (const auto& [sid, st] : streams_)
      used = used || (st->generation == generation_ && (st->srtp.in_idx == i || st->srtp.out_idx == i));
    if (!used) dels.push_back(FlowCmd{RTPGATE_CMD_SRTP_DEL, i});
  }
  if (dels.empty()) return;
  log(Log::Warn, "media: deleting %zu SRTP context(s) left by an earlier plugin instance", dels.size());
  for (size_t k = 0; k < dels.size(); k += 32)
    delete_srtp(*cmds_, &dels[k], static_cast<uint32_t>(std::min<size_t>(32, dels.size() - k)), opt_.cmd_timeout_ms);
}

void DataPlaneLink::release_srtp_locked(Stream& s) {
  FlowCmd dels[2];
  uint32_t n = 0;
  for (uint32_t idx : {s.srtp.in_idx, s.srtp.out_idx})
    if (idx != 0) dels[n++] = FlowCmd{RTPGATE_CMD_SRTP_DEL, idx};
  if (cmds_) delete_srtp(*cmds_, dels, n, opt_.cmd_timeout_ms);
  s.srtp.in_idx = s.srtp.out_idx = 0;
  s.srtp.in_key.wipe();
  s.srtp.out_key.wipe();
}

}  // namespace rtpgate::ctl::media
