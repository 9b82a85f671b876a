#include "call_media.h"

#include <thread>

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
};

struct CallMedia::Impl {
  Medium audio, video;
  janus_plugin_session* handle = nullptr;
  std::atomic<bool> live{false};
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

void close_medium(CallMedia::Impl& impl, Medium& m) {
  const media::StreamId id = m.id.exchange(media::kNoStream);
  // Janus threads that already read the id finish before the relay goes away.
  while (impl.inflight.load() != 0) std::this_thread::yield();
  if (id != media::kNoStream) Plugin::instance().dataplane().close_stream(id);
  m.relay.reset();
  m.info = {};
}

}  // namespace

CallMedia::CallMedia() : impl_(std::make_unique<Impl>()) {}

CallMedia::~CallMedia() { close(); }

bool CallMedia::open(Session& s, bool audio, bool video, std::string* why) {
  Impl& im = *impl_;
  im.handle = s.handle();
  im.enabled = !s.destroyed.load();
  const std::string& want = Plugin::instance().config().local_media_ip;
  for (bool v : {false, true}) {
    Medium& m = im.m(v);
    if (!(v ? video : audio) || m.id.load() != media::kNoStream) continue;
    m.relay = std::make_unique<media::BrowserRelay>(v, &relay_to_browser, &im);
    media::StreamInfo info;
    if (!Plugin::instance().dataplane().open_stream(im.ip.empty() ? want : im.ip, v, m.relay.get(), &info, why)) {
      m.relay.reset();
      close();
      return false;
    }
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
    t.send = rm.present && rm.send;
    t.recv = rm.present && rm.recv;
    t.on_hold = !rm.present || rm.on_hold_addr || rm.addr.empty();
    if (!Plugin::instance().dataplane().set_peer(id, t, why)) return false;
    m.relay->set_recv(t.recv);
    m.relay->set_on_hold(t.on_hold);
    if (rm.clock_rate != 0) m.relay->set_clock_rate(rm.clock_rate);
  }
  return true;
}

void CallMedia::set_live(bool live) noexcept { impl_->live.store(live); }

void CallMedia::close() {
  impl_->live = false;
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
    }
    j.set(v ? "video" : "audio", mj.release());
  }
  return j;
}

}  // namespace rtpgate::ctl
