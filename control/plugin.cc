#include "plugin.h"

#include <sys/resource.h>

#include <chrono>
#include <future>
#include <thread>

#include "admin.h"
#include "call_control.h"
#include "events.h"
#include "log.h"
#include "requests/request.h"
#include "session.h"
#include "sip/sip_stack.h"

namespace rtpgate::ctl {
namespace {

void raise_nofile(uint32_t want) {
  rlimit r{};
  if (want == 0 || getrlimit(RLIMIT_NOFILE, &r) != 0 || r.rlim_cur >= want) return;
  rlimit n = r;
  n.rlim_cur = std::min<rlim_t>(want, r.rlim_max);
  if (setrlimit(RLIMIT_NOFILE, &n) != 0 || n.rlim_cur < want)
    log(Log::Warn, "RLIMIT_NOFILE is %lu (wanted %u): raise the service's limit for many accounts",
        static_cast<unsigned long>(n.rlim_cur), want);
}

}  // namespace

Plugin& Plugin::instance() {
  static Plugin p;
  return p;
}

int Plugin::init(janus_plugin* self, janus_callbacks* cb, const char* config_path) {
  if (initialised_) return -1;
  if (cb == nullptr || config_path == nullptr) return -1;
  self_ = self;
  cb_ = cb;
  std::string why;
  if (!load_config(config_path, cfg_.package, &cfg_, &why)) {
    log(Log::Fatal, "configuration: %s", why.c_str());
    return -1;
  }
  local_ip_ = resolve_local_ip(cfg_.local_ip);
  raise_nofile(cfg_.nofile_limit);
  media::DataPlaneOptions o;
  o.shm_name = cfg_.shm_name;
  o.cmd_timeout_ms = cfg_.cmd_timeout_ms;
  o.port_min = cfg_.rtp_port_min;
  o.port_max = cfg_.rtp_port_max;
  o.dscp_audio = cfg_.dscp_audio_rtp;
  o.dscp_video = cfg_.dscp_video_rtp;
  if (!dp_.start(o, &why)) {   // a missing data plane is not fatal: it may come later
    log(Log::Fatal, "data plane link: %s", why.c_str());
    return -1;
  }
  if (!loop_.start(&why)) {
    log(Log::Fatal, "%s", why.c_str());
    dp_.stop();
    return -1;
  }
  stopping_ = false;
  initialised_ = true;
  log(Log::Info, "%s ready: SIP on %s, data plane region %s (%s)", cfg_.package.c_str(), local_ip_.c_str(),
      cfg_.shm_name.c_str(), dp_.available(&why) ? "attached" : why.c_str());
  return 0;
}

void Plugin::destroy() {
  if (!initialised_) return;
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  // Tear every session down on the loop, then give Sofia a moment to finish shutdowns.
  std::vector<std::shared_ptr<Session>> all;
  {
    std::lock_guard lk(mu_);
    for (auto& [h, s] : sessions_) all.push_back(s);
    sessions_.clear();
  }
  loop_.post([this, all] {
    for (auto& s : all) teardown_session(s);
  });
  for (int i = 0; i < 40 && SipStack::live_count() > 0; i++) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  loop_.stop();
  dp_.stop();
  initialised_ = false;
  log(Log::Info, "%s stopped", cfg_.package.c_str());
}

std::shared_ptr<Session> Plugin::find(janus_plugin_session* h) {
  std::lock_guard lk(mu_);
  auto it = sessions_.find(h);
  return it == sessions_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<Session>> Plugin::all_sessions() {
  std::lock_guard lk(mu_);
  std::vector<std::shared_ptr<Session>> v;
  v.reserve(sessions_.size());
  for (auto& [h, s] : sessions_) v.push_back(s);
  return v;
}

json_t* Plugin::handle_admin_message(json_t* message) {
  if (!initialised_ || stopping_) return nullptr;
  return admin_message(message);
}

void Plugin::create_session(janus_plugin_session* h, int* error) {
  std::lock_guard lk(mu_);
  if (!initialised_ || stopping_) {
    *error = -1;
    return;
  }
  auto s = std::make_shared<Session>(h);
  h->plugin_handle = s.get();
  sessions_[h] = std::move(s);
  *error = 0;
}

janus_plugin_result* Plugin::handle_message(janus_plugin_session* h, char* transaction, json_t* message,
                                            json_t* jsep) {
  Request r;
  r.transaction = transaction ? transaction : "";
  g_free(transaction);
  r.body = Json(message);
  r.jsep = Json(jsep);
  if (stopping_ || !initialised_)
    return janus_plugin_result_new(JANUS_PLUGIN_ERROR, stopping_ ? "Shutting down" : "Plugin not initialized", nullptr);
  r.session = find(h);
  if (!r.session) return janus_plugin_result_new(JANUS_PLUGIN_ERROR, "No session associated with this handle", nullptr);
  // Everything else happens on the Sofia loop, in arrival order: never block here.
  auto boxed = std::make_shared<Request>(std::move(r));
  if (!loop_.post([boxed] {
        if (!boxed->session->destroyed.load()) dispatch_request(*boxed);
      }))
    return janus_plugin_result_new(JANUS_PLUGIN_ERROR, "Shutting down", nullptr);
  return janus_plugin_result_new(JANUS_PLUGIN_OK_WAIT, nullptr, nullptr);
}

void Plugin::setup_media(janus_plugin_session* h) {
  auto s = find(h);
  if (!s) return;
  s->pc_up = true;
  loop_.post([s] { on_pc_up(*s); });
}

void Plugin::incoming_rtp(janus_plugin_session* h, janus_plugin_rtp* pkt) {
  if (h == nullptr || g_atomic_int_get(&h->stopped) || pkt == nullptr) return;
  auto* s = static_cast<Session*>(h->plugin_handle);
  if (s == nullptr || s->destroyed.load(std::memory_order_relaxed)) return;
  s->media.from_browser(pkt->video, false, reinterpret_cast<uint8_t*>(pkt->buffer), pkt->length);
}

void Plugin::incoming_rtcp(janus_plugin_session* h, janus_plugin_rtcp* pkt) {
  if (h == nullptr || g_atomic_int_get(&h->stopped) || pkt == nullptr) return;
  auto* s = static_cast<Session*>(h->plugin_handle);
  if (s == nullptr || s->destroyed.load(std::memory_order_relaxed)) return;
  s->media.from_browser(pkt->video, true, reinterpret_cast<uint8_t*>(pkt->buffer), pkt->length);
}

void Plugin::hangup_media(janus_plugin_session* h) {
  auto s = find(h);
  if (!s) return;
  s->pc_up = false;
  loop_.post([s] { on_pc_down(*s); });
}

void Plugin::destroy_session(janus_plugin_session* h, int* error) {
  std::shared_ptr<Session> s;
  {
    std::lock_guard lk(mu_);
    auto it = sessions_.find(h);
    if (it == sessions_.end()) {
      *error = -2;
      return;
    }
    s = std::move(it->second);
    sessions_.erase(it);
  }
  // Stop the media callbacks first: Janus may still call incoming_rtp until we return.
  s->destroyed = true;
  s->media.disable();
  loop_.post([this, s] { teardown_session(s); });
  *error = 0;
}

void Plugin::teardown_session(const std::shared_ptr<Session>& s) {
  s->destroyed = true;
  end_session_state(*s);
}

json_t* Plugin::query_session(janus_plugin_session* h) {
  auto s = find(h);
  if (!s) return nullptr;
  // Session state belongs to the loop: read it there.
  auto done = std::make_shared<std::promise<Json>>();
  std::future<Json> f = done->get_future();
  if (!loop_.post([s, done] { done->set_value(session_info(*s)); })) return nullptr;
  if (f.wait_for(std::chrono::seconds(2)) != std::future_status::ready) return nullptr;
  return f.get().release();
}

}  // namespace rtpgate::ctl
