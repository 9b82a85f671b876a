// The plugin instance: configuration, the Sofia loop, the data-plane link and the
// session table. The C ABI (plugin_abi.cc) forwards every Janus call here.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "config.h"
#include "janus_api.h"
#include "media/dataplane_link.h"
#include "sip/sofia_loop.h"

namespace rtpgate::ctl {

class Session;

class Plugin {
 public:
  static Plugin& instance();

  // Janus entry points (any thread unless noted).
  int init(janus_plugin* self, janus_callbacks* cb, const char* config_path);
  void destroy();
  void create_session(janus_plugin_session* h, int* error);
  janus_plugin_result* handle_message(janus_plugin_session* h, char* transaction, json_t* message, json_t* jsep);
  void setup_media(janus_plugin_session* h);
  void incoming_rtp(janus_plugin_session* h, janus_plugin_rtp* pkt);
  void incoming_rtcp(janus_plugin_session* h, janus_plugin_rtcp* pkt);
  void hangup_media(janus_plugin_session* h);
  void destroy_session(janus_plugin_session* h, int* error);
  json_t* query_session(janus_plugin_session* h);
  json_t* handle_admin_message(json_t* message);  // admin.h

  janus_plugin* descriptor() const noexcept { return self_; }
  janus_callbacks* callbacks() const noexcept { return cb_; }
  const PluginConfig& config() const noexcept { return cfg_; }
  const std::string& local_ip() const noexcept { return local_ip_; }
  SofiaLoop& loop() noexcept { return loop_; }
  media::DataPlaneLink& dataplane() noexcept { return dp_; }

  std::shared_ptr<Session> find(janus_plugin_session* h);
  std::vector<std::shared_ptr<Session>> all_sessions();

  // Loop thread only: masters by master_id, calls by Call-ID.
  std::map<uint32_t, std::weak_ptr<Session>> masters;
  std::unordered_map<std::string, std::weak_ptr<Session>> callids;

 private:
  Plugin() = default;
  void teardown_session(const std::shared_ptr<Session>& s);

  janus_plugin* self_ = nullptr;
  janus_callbacks* cb_ = nullptr;
  PluginConfig cfg_;
  std::string local_ip_;
  SofiaLoop loop_;
  media::DataPlaneLink dp_;
  std::mutex mu_;
  std::unordered_map<janus_plugin_session*, std::shared_ptr<Session>> sessions_;
  bool initialised_ = false;
  bool stopping_ = false;
};

}  // namespace rtpgate::ctl
