#include "call_media.h"

#include <string.h>

#include <thread>

#include "admin.h"
#include "events.h"
#include "janus_api.h"
#include "log.h"
#include "media/browser_relay.h"
#include "plugin.h"
#include "session.h"

namespace rtpgate::ctl {

struct Medium {
  std::unique_ptr<media::BrowserRelay> relay;
  media::StreamInfo info;
  std::atomic<media::StreamId> id{media::kNoStream};
  std::string rec_file[2];  // [0] the browser's media, [1] the peer's ("" = not recording)
};

struct CallMedia::Impl {
  Medium audio, video;
  janus_plugin_session* handle = nullptr;
  std::atomic<bool> live{false};
  bool held = false;                   // our hold (loop thread)
  sdp::Direction hold_dir = sdp::Direction::SendOnly;
  std::atomic<bool> enabled{true};
  std::atomic<uint32_t> inflight{0};   // from_browser calls in progress (close waits for 0)
  std::string ip;

  Medium& m(bool v) { return v ? video : audio; }
  const Medium& m(bool v) const { return v ? video : audio; }
};

namespace {

// Bridge thread: a packet from the SIP peer, after the relay's rules, to the browser.
void relay_to_browser(void* ctx, bool video, bool rtcp, char* buf, uint16_t len) {
  auto* impl = static_cast<CallMedia::Impl*>(ctx);
  janus_plugin_session* h = impl->handle;
  janus_callbacks* cb = Plugin::instance().callbacks();
  if (!impl->enabled.load(std::memory_order_relaxed) || h == nullptr || cb == nullptr || g_atomic_int_get(&h->stopped))
    return;
  if (rtcp) {
    janus_plugin_rtcp p{};
    p.mindex = -1;
    p.video = video;
    p.buffer = buf;
    p.length = len;
    cb->relay_rtcp(h, &p);
    return;
  }
  janus_plugin_rtp p{};
  p.mindex = -1;
  p.video = video;
  p.buffer = buf;
  p.length = len;
  janus_plugin_rtp_extensions_reset(&p.extensions);
  cb->relay_rtp(h, &p);
}

// Bridge thread: an RFC 2833 event from the peer (spec §13). The event is built and pushed
// on the loop, where the session's call state lives.
void dtmf_to_app(void* ctx, const media::DtmfEvent& ev) {
  auto* impl = static_cast<CallMedia::Impl*>(ctx);
  if (!impl->enabled.load(std::memory_order_relaxed) || impl->handle == nullptr) return;
  std::shared_ptr<Session> s = Plugin::instance().find(impl->handle);
  if (!s) return;
  Plugin::instance().loop().post([s, ev] {
    if (s->destroyed.load() || !established(s->call.status)) return;
    Json r = Events::named("dtmf");
    r.set("sender", json_string(s->call.callee.c_str()));
    const char sig[2] = {ev.signal, '\0'};
    r.set("signal", json_string(sig));
    r.set("duration", json_integer(ev.duration));
    Events::result(*s, s->transaction, std::move(r));
  });
}

void close_medium(CallMedia::Impl& impl, Medium& m) {
  const media::StreamId id = m.id.exchange(media::kNoStream);
  // Janus threads that already read the id finish before the relay goes away.
  while (impl.inflight.load() != 0) std::this_thread::yield();
  if (id != media::kNoStream) Plugin::instance().dataplane().close_stream(id);
  m.relay.reset();
  m.info = {};
  m.rec_file[0].clear();  // close_stream closed them
  m.rec_file[1].clear();
}

}  // namespace

CallMedia::CallMedia() : impl_(std::make_unique<Impl>()) {}

CallMedia::~CallMedia() { close(); }

bool CallMedia::open(Session& s, bool audio, bool video, std::string* why) {
  Impl& im = *impl_;
  im.handle = s.handle();
  im.enabled = !s.destroyed.load();
  const std::string& want = Plugin::instance().config().local_media_ip;
  bool opened[2] = {false, false};
  for (bool v : {false, true}) {
    Medium& m = im.m(v);
    if (!(v ? video : audio) || m.id.load() != media::kNoStream) continue;
    m.relay = std::make_unique<media::BrowserRelay>(v, &relay_to_browser, &im);
    if (!v) m.relay->set_dtmf_sink(&dtmf_to_app, &im);
    media::StreamInfo info;
    if (!Plugin::instance().dataplane().open_stream(im.ip.empty() ? want : im.ip, v, m.relay.get(), &info, why)) {
      m.relay.reset();
      // A mid-call update keeps the streams it found; a new call ends up with none.
      if (opened[0]) close_medium(im, im.audio);
      if (!has(false) && !has(true)) close();
      return false;
    }
    opened[v ? 1 : 0] = true;
    m.info = info;
    im.ip = info.ip;
    m.id.store(info.id);
  }
  return true;
}

std::string CallMedia::relay_ip() const { return impl_->ip; }
uint16_t CallMedia::port(bool video) const { return impl_->m(video).info.rtp_port; }
bool CallMedia::has(bool video) const { return impl_->m(video).id.load() != media::kNoStream; }

bool CallMedia::set_remote(const sdp::RemoteMedia& r, std::string* why) {
  for (bool v : {false, true}) {
    Medium& m = impl_->m(v);
    const media::StreamId id = m.id.load();
    if (id == media::kNoStream) continue;
    const sdp::RemoteMedium& rm = v ? r.video : r.audio;
    media::PeerTarget t;
    t.addr = rm.present ? rm.addr : "";
    t.family = rm.family;
    t.rtp_port = rm.port;
    t.rtcp_port = rm.rtcp_mux ? rm.port : rm.rtcp_port;
    t.send = rm.present && rm.send && (!impl_->held || impl_->hold_dir == sdp::Direction::SendOnly);
    t.recv = rm.present && rm.recv && (!impl_->held || impl_->hold_dir == sdp::Direction::RecvOnly);
    t.on_hold = !rm.present || rm.on_hold_addr || rm.addr.empty();
    if (!Plugin::instance().dataplane().set_peer(id, t, why)) return false;
    m.relay->set_recv(t.recv);
    m.relay->set_on_hold(t.on_hold);
    if (rm.clock_rate != 0) m.relay->set_clock_rate(rm.clock_rate);
    if (!v) m.relay->set_dtmf_pt(rm.dtmf_pt);
  }
  return true;
}

void CallMedia::set_local_hold(bool held, sdp::Direction dir) noexcept {
  impl_->held = held;
  impl_->hold_dir = dir;
}

void CallMedia::set_live(bool live) noexcept { impl_->live.store(live); }

void CallMedia::close() {
  impl_->live = false;
  impl_->held = false;
  close_medium(*impl_, impl_->audio);
  close_medium(*impl_, impl_->video);
  impl_->ip.clear();
}

void CallMedia::disable() noexcept {
  impl_->enabled = false;
  impl_->live = false;
}

void CallMedia::from_browser(bool video, bool rtcp, uint8_t* buf, uint16_t len) noexcept {
  Impl& im = *impl_;
  im.inflight.fetch_add(1);
  Medium& m = im.m(video);
  const media::StreamId id = m.id.load();
  if (id != media::kNoStream && im.live.load(std::memory_order_relaxed) && im.enabled.load(std::memory_order_relaxed)) {
    if (!rtcp) {
      m.relay->note_browser_rtp(buf, len);
      Plugin::instance().dataplane().send_to_peer(id, false, buf, len);
    } else if (m.relay->fix_browser_rtcp(buf, len)) {
      Plugin::instance().dataplane().send_to_peer(id, true, buf, len);
    }
  }
  im.inflight.fetch_sub(1);
}

bool CallMedia::send_peer_pli(bool force) {
  Medium& m = impl_->video;
  const media::StreamId id = m.id.load();
  if (id == media::kNoStream || !m.relay) return false;
  std::string why;
  if (Plugin::instance().dataplane().request_pli(id, m.relay->browser_ssrc(), force, &why)) return true;
  log(Log::Warn, "media: no PLI to the peer: %s", why.c_str());
  return false;
}

bool CallMedia::start_recording(bool video, bool peer, const media::RecSpec& r, std::string* why) {
  Medium& m = impl_->m(video);
  const media::StreamId id = m.id.load();
  if (id == media::kNoStream) return *why = std::string("no ") + (video ? "video" : "audio") + " stream in this call", false;
  if (!Plugin::instance().dataplane().start_recording(id, peer, r, why)) return false;
  m.rec_file[peer ? 1 : 0] = r.path;
  return true;
}

void CallMedia::stop_recording(bool video, bool peer) {
  Medium& m = impl_->m(video);
  const media::StreamId id = m.id.load();
  if (id != media::kNoStream) Plugin::instance().dataplane().stop_recording(id, peer);
  m.rec_file[peer ? 1 : 0].clear();
}

bool CallMedia::pause_recording(bool video, bool peer, bool paused, std::string* why) {
  const media::StreamId id = impl_->m(video).id.load();
  if (id == media::kNoStream || impl_->m(video).rec_file[peer ? 1 : 0].empty()) return *why = "not recording", false;
  return Plugin::instance().dataplane().pause_recording(id, peer, paused, why);
}

std::string CallMedia::recording_file(bool video, bool peer) const { return impl_->m(video).rec_file[peer ? 1 : 0]; }

Json CallMedia::recording_info() const {
  Json j;
  for (bool v : {false, true}) {
    const Medium& m = impl_->m(v);
    for (bool peer : {false, true}) {
      const std::string& f = m.rec_file[peer ? 1 : 0];
      if (f.empty()) continue;
      if (!j) j = Json::object();
      Json r = Json::object();
      r.set("file", json_string(f.c_str()));
      rtpgate_shm_rec_status st{};
      if (Plugin::instance().dataplane().recording_status(m.id.load(), peer, &st)) {
        static const char* const kStates[] = {"free", "opening", "open", "failed", "closed"};
        r.set("state", json_string(st.state < 5 ? kStates[st.state] : "unknown"));
        if (st.err != 0) r.set("error", json_string(strerror(st.err)));
        r.set("frames", json_integer(static_cast<json_int_t>(st.frames)));
        r.set("bytes", json_integer(static_cast<json_int_t>(st.bytes)));
        r.set("drops_ring", json_integer(static_cast<json_int_t>(st.drops_ring)));
        r.set("drops_write", json_integer(static_cast<json_int_t>(st.drops_write)));
        r.set("ssrc_changes", json_integer(static_cast<json_int_t>(st.ssrc_changes)));
      }
      j.set(std::string(v ? "video" : "audio").append(peer ? "-peer" : "").c_str(), r.release());
    }
  }
  return j;
}

bool CallMedia::add_forwarder(bool video, bool peer, const media::FwdTarget& t, uint32_t* handle, std::string* why) {
  const media::StreamId id = impl_->m(video).id.load();
  if (id == media::kNoStream) return *why = std::string("no ") + (video ? "video" : "audio") + " stream in this call", false;
  return Plugin::instance().dataplane().add_forwarder(id, peer, t, handle, why);
}

void CallMedia::remove_forwarder(bool video, uint32_t handle) {
  const media::StreamId id = impl_->m(video).id.load();
  if (id != media::kNoStream) Plugin::instance().dataplane().remove_forwarder(id, handle);
}

bool CallMedia::forwarder_counters(bool video, uint32_t handle, media::FwdCounters* out) const {
  const media::StreamId id = impl_->m(video).id.load();
  return id != media::kNoStream && Plugin::instance().dataplane().forwarder_counters(id, handle, out);
}

Json CallMedia::info() const {
  const Impl& im = *impl_;
  if (im.audio.id.load() == media::kNoStream && im.video.id.load() == media::kNoStream) return {};
  Json j = Json::object();
  j.set("relay_ip", json_string(im.ip.c_str()));
  for (bool v : {false, true}) {
    const Medium& m = im.m(v);
    if (m.id.load() == media::kNoStream) continue;
    Json mj = Json::object();
    mj.set("rtp_port", json_integer(m.info.rtp_port));
    mj.set("peer_ssrc", json_integer(m.relay->peer_ssrc()));
    mj.set("browser_ssrc", json_integer(m.relay->browser_ssrc()));
    const media::RelayCounters& c = m.relay->counters();
    mj.set("relayed_rtp", json_integer(static_cast<json_int_t>(c.relayed_rtp.load())));
    mj.set("relayed_rtcp", json_integer(static_cast<json_int_t>(c.relayed_rtcp.load())));
    mj.set("drop_not_rtp", json_integer(static_cast<json_int_t>(c.drop_not_rtp.load())));
    media::StreamCounters sc;
    if (Plugin::instance().dataplane().stream_counters(m.id.load(), &sc)) {
      mj.set("to_peer_pkts", json_integer(static_cast<json_int_t>(sc.to_dp_pkts)));
      mj.set("to_peer_drop_ring_full", json_integer(static_cast<json_int_t>(sc.drop_ring_full)));
      mj.set("to_peer_drop_direction", json_integer(static_cast<json_int_t>(sc.drop_direction)));
    }
    mj.set("dtmf_events", json_integer(static_cast<json_int_t>(c.dtmf_events.load())));
    uint32_t flows[2];
    rtpgate_shm_flow_counters fc[2];
    if (Plugin::instance().dataplane().stream_flows(m.id.load(), flows, fc)) {  // the data plane's view
      mj.set("rtp_flow", json_integer(flows[0]));
      mj.set("rtcp_flow", json_integer(flows[1]));
      mj.set("rtp_flow_counters", flow_counters_json(fc[0]).release());
      mj.set("rtcp_flow_counters", flow_counters_json(fc[1]).release());
    }
    media::StreamSrtpSlots ss;
    if (Plugin::instance().dataplane().stream_srtp(m.id.load(), &ss)) {   // SDES contexts, never keys
      const auto profile = [](uint8_t p) { return json_string(media::srtp_profile_name(media::SrtpProfile{p})); };
      mj.set("srtp_in_slot", json_integer(ss.in_slot));
      mj.set("srtp_in_profile", profile(ss.in_profile));
      mj.set("srtp_out_slot", json_integer(ss.out_slot));
      mj.set("srtp_out_profile", profile(ss.out_profile));
      mj.set("srtp_rtcp_same", ss.rtcp_same ? json_true() : json_false());
    }
    j.set(v ? "video" : "audio", mj.release());
  }
  return j;
}

bool CallMedia::set_srtp(bool video, const media::SrtpKey* to_peer, const media::SrtpKey* from_peer,
                         std::string* why) {
  const media::StreamId id = impl_->m(video).id.load();
  if (id == media::kNoStream) return *why = std::string("no ") + (video ? "video" : "audio") + " stream in this call", false;
  return Plugin::instance().dataplane().set_srtp(id, to_peer, from_peer, why);
}

}  // namespace rtpgate::ctl
