// Recordings and PLIs of a relay stream, done by the data plane (DataPlaneLink::
// start_recording / stop_recording / request_pli): a recording entry in the shared region,
// REC_START, then the RTP flow pointed at it (FLOW_MODIFY); stopping undoes it in the
// opposite order and frees the entry once REC_STOP confirmed every copy was written.
// Control thread, under the link's control lock.
#include <cstring>

#include "log.h"
#include "media/dataplane_link.h"
#include "media/link_internal.h"

namespace rtpgate::ctl::media {
namespace {

bool copy_str(char* dst, size_t cap, const std::string& s) {
  if (s.size() >= cap) return false;
  std::memcpy(dst, s.c_str(), s.size() + 1);
  return true;
}

bool fill_entry(const RecSpec& r, bool video, bool from_peer, uint32_t cookie, rtpgate_shm_rec_entry* e,
                std::string* why) {
  std::memset(e, 0, sizeof *e);
  e->cookie = cookie;
  e->medium = video ? RTPGATE_REC_VIDEO : RTPGATE_REC_AUDIO;
  e->flags = video && from_peer && r.pli ? RTPGATE_REC_F_PLI : 0;
  e->video_orient_ext = static_cast<uint8_t>(r.video_orient_ext > 0 && r.video_orient_ext < 256 ? r.video_orient_ext : 0);
  e->clock_hz = r.clock_hz;
  if (r.path.empty() || r.path[0] != '/') return *why = "recording path must be absolute", false;
  if (!copy_str(e->path, sizeof e->path, r.path)) return *why = "recording path too long", false;
  if (r.codec.empty() || !copy_str(e->codec, sizeof e->codec, r.codec)) return *why = "no codec to record", false;
  if (!copy_str(e->fmtp, sizeof e->fmtp, r.fmtp)) e->fmtp[0] = '\0';  // "f" is informational only
  return true;
}

using link_util::errc_text;

}  // namespace

Errc DataPlaneLink::apply_rec_locked(Stream& s) {
  shm::ControlClient& cc = cmds_->client();
  rtpgate_shm_flow_params p = cc.region().flow(s.rtp_flow).params;
  p.record_slot = s.rec[0] != 0 && !s.rec_paused[0] ? s.rec[0] : RTPGATE_REC_NONE;
  p.record_tx_slot = s.rec[1] != 0 && !s.rec_paused[1] ? s.rec[1] : RTPGATE_REC_NONE;
  cc.write_params(s.rtp_flow, p);
  FlowCmd mod{RTPGATE_CMD_FLOW_MODIFY, s.rtp_flow};
  cmds_->run(&mod, 1, opt_.cmd_timeout_ms);
  return mod.result;
}

void DataPlaneLink::stop_recording_locked(Stream& s, int dir, bool detach) {
  const uint32_t idx = s.rec[dir];
  if (idx == 0) return;
  s.rec[dir] = 0;
  s.rec_paused[dir] = false;
  if (s.orphaned || s.generation != generation_ || !cmds_) return;  // that region is gone
  if (detach) apply_rec_locked(s);  // no new copies: the file closes once the last ones are written
  FlowCmd stop{RTPGATE_CMD_REC_STOP, idx};
  cmds_->run(&stop, 1, opt_.cmd_timeout_ms);
  // Not confirmed in time: the entry stays allocated (never reused while a file may be open).
  if (stop.result == Errc::Ok) cmds_->client().free_rec(idx);
  else log(Log::Warn, "media: recording entry %u not confirmed closed (%s)", idx, std::string(to_string(stop.result)).c_str());
}

bool DataPlaneLink::start_recording(StreamId id, bool from_peer, const RecSpec& r, std::string* why) {
  std::lock_guard<std::mutex> g(ctl_mu_);
  Stream* s = live_stream_locked(id, why);
  if (s == nullptr) return false;
  shm::ControlClient& cc = cmds_->client();
  if (cc.hdr().rec_capacity < 2) return *why = "the rtpgate data plane has recording disabled (rec_capacity)", false;
  const int dir = from_peer ? 0 : 1;
  if (s->rec[dir] != 0) stop_recording_locked(*s, dir, true);  // restart: the running file is closed first
  rtpgate_shm_rec_entry e;
  if (!fill_entry(r, s->video, from_peer, cc.region().flow(s->rtp_flow).params.cookie, &e, why)) return false;
  auto idx = cc.alloc_rec();
  if (!idx) return *why = "rtpgate recording table full (" + std::to_string(cc.hdr().rec_capacity - 1) + ")", false;
  cc.write_rec(idx.value(), e);
  FlowCmd start{RTPGATE_CMD_REC_START, idx.value()};
  cmds_->run(&start, 1, opt_.cmd_timeout_ms);
  if (start.result != Errc::Ok) {
    if (start.result == Errc::Timeout) {
      s->rec[dir] = idx.value();  // may still open (no flow copies for it yet): stop and free it properly
      stop_recording_locked(*s, dir, false);
    } else {
      cc.free_rec(idx.value());
    }
    return *why = errc_text("the data plane refused the recording", start.result), false;
  }
  s->rec[dir] = idx.value();
  if (const Errc m = apply_rec_locked(*s); m != Errc::Ok) {
    stop_recording_locked(*s, dir, true);
    return *why = errc_text("cannot point the relay flow at the recording", m), false;
  }
  return true;
}

void DataPlaneLink::stop_recording(StreamId id, bool from_peer) {
  std::lock_guard<std::mutex> g(ctl_mu_);
  Stream* s = find_locked(id);
  if (s == nullptr) return;
  const int dir = from_peer ? 0 : 1;
  refresh_locked();
  stop_recording_locked(*s, dir, true);
}

bool DataPlaneLink::pause_recording(StreamId id, bool from_peer, bool paused, std::string* why) {
  std::lock_guard<std::mutex> g(ctl_mu_);
  Stream* s = live_stream_locked(id, why);
  const int dir = from_peer ? 0 : 1;
  if (s == nullptr) return false;
  if (s->rec[dir] == 0) return *why = "not recording", false;
  if (s->rec_paused[dir] == paused) return true;
  s->rec_paused[dir] = paused;
  if (const Errc e = apply_rec_locked(*s); e != Errc::Ok) return *why = errc_text("cannot change the recording", e), false;
  return true;
}

bool DataPlaneLink::recording_status(StreamId id, bool from_peer, rtpgate_shm_rec_status* out) {
  std::lock_guard<std::mutex> g(ctl_mu_);
  Stream* s = find_locked(id);
  const int dir = from_peer ? 0 : 1;
  if (s == nullptr || s->rec[dir] == 0 || s->orphaned || s->generation != generation_ || !cmds_) return false;
  const rtpgate_shm_rec_status& st = cmds_->client().region().rec(s->rec[dir]).status;
  out->state = __atomic_load_n(&st.state, __ATOMIC_ACQUIRE);
  out->err = __atomic_load_n(&st.err, __ATOMIC_RELAXED);
  out->frames = __atomic_load_n(&st.frames, __ATOMIC_RELAXED);
  out->bytes = __atomic_load_n(&st.bytes, __ATOMIC_RELAXED);
  // Lost copies are counted by the workers on the flow (published by housekeeping).
  const rtpgate_shm_flow_counters& fc = cmds_->client().region().flow(s->rtp_flow).counters;
  out->drops_ring = __atomic_load_n(dir == 0 ? &fc.rec_lost_rx : &fc.rec_lost_tx, __ATOMIC_RELAXED);
  out->drops_write = __atomic_load_n(&st.drops_write, __ATOMIC_RELAXED);
  out->first_frame_us = __atomic_load_n(&st.first_frame_us, __ATOMIC_RELAXED);
  out->ssrc_changes = __atomic_load_n(&st.ssrc_changes, __ATOMIC_RELAXED);
  return true;
}

bool DataPlaneLink::request_pli(StreamId id, uint32_t sender_ssrc, bool force, std::string* why) {
  std::lock_guard<std::mutex> g(ctl_mu_);
  Stream* s = live_stream_locked(id, why);
  if (s == nullptr) return false;
  FlowCmd c{RTPGATE_CMD_PLI, s->rtp_flow};
  c.pli.sender_ssrc = sender_ssrc;
  c.pli.flags = force ? RTPGATE_PLI_F_FORCE : 0;
  cmds_->run(&c, 1, opt_.cmd_timeout_ms);
  if (c.result != Errc::Ok) return *why = errc_text("the data plane refused the PLI", c.result), false;
  return true;
}

}  // namespace rtpgate::ctl::media
