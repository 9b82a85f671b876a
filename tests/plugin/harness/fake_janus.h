// A scripted Janus 1.1.2 core for plugin tests: loads a plugin .so the way janus.c does,
// implements every janus_callbacks member, owns the janus_plugin_session handles and records
// what the plugin pushes. Callbacks run on the plugin's threads; the test API on the test thread.
//
// Janus callbacks carry no context pointer, so there is one core per process (instance()).
// The symbols a plugin resolves from the janus executable (janus_log_level, janus_vprintf,
// janus_plugin_result_new, ...) live in janus_exports.cc and must be exported from the test
// executable (meson: export_dynamic: true).
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "janus_headers.h"
#include "json_ref.h"

namespace rtpgate::test {

// One push_event() call, deep-copied.
struct PluginEvent {
  janus_plugin_session* handle = nullptr;
  std::optional<std::string> transaction;  // the plugin may push with a NULL transaction
  JsonRef message;                         // plugindata.data
  JsonRef jsep;                            // null when the plugin sent none

  const json_t* result() const;                    // message.result, or null
  std::string result_event() const;                // message.result.event, or ""
  std::optional<json_int_t> error_code() const;    // message.error_code
  std::optional<std::string> error() const;        // message.error
  std::optional<std::string> call_id() const;      // top-level message.call_id
  std::string dump() const;                        // for failure messages
};

// relay_rtp / relay_rtcp / relay_data, copied.
struct RelayedPacket {
  janus_plugin_session* handle = nullptr;
  int mindex = -1;
  bool video = false;
  std::vector<uint8_t> data;
  janus_plugin_rtp_extensions extensions{};  // relay_rtp only
};

// notify_event(), with the stolen reference.
struct NotifiedEvent {
  janus_plugin_session* handle = nullptr;  // null for plugin-wide events
  JsonRef event;
};

// What handle_message() returned (the result is destroyed with janus_plugin_result_destroy).
struct MessageResult {
  janus_plugin_result_type type = JANUS_PLUGIN_ERROR;
  std::optional<std::string> text;
  JsonRef content;
  std::string transaction;  // the transaction handed to the plugin
};

struct LoadOptions {
  std::string plugin_path;
  std::string config_dir;
  // If set, this janus executable is loaded first (as a library) so that the plugin can resolve
  // the core utilities the harness does not fake (janus_sdp_*, janus_config_*, janus_recorder_*,
  // libsrtp2, ...). The stock libjanus_sip.so needs it. If empty and dlopen fails on a missing
  // janus_* symbol, the harness retries with /usr/bin/janus when it exists.
  std::string janus_core_binary;
  bool events_enabled = true;
};

class FakeJanus {
 public:
  static FakeJanus& instance();

  // dlopen(RTLD_NOW | RTLD_GLOBAL), create(), mandatory members, API 102, init(). False + error
  // on any failure, like janus.c refusing the plugin.
  bool load(const LoadOptions& options, std::string* error);
  // plugin->destroy(). The library stays mapped (plugin threads may still be unwinding).
  void shutdown();
  janus_plugin* plugin() const { return plugin_; }
  janus_callbacks* callbacks();

  // --- handles (janus_plugin_session) ---
  // New handle as janus_ice_handle_attach_plugin() does; null if create_session set *error.
  // The reference counter starts at 2 after create_session(): the core's and the plugin's
  // (the plugin drops it when it frees its session), plus one the harness never drops.
  janus_plugin_session* attach(int* error = nullptr);
  // As janus_ice_handle_destroy(): stopped = 1, destroy_session(), drop the core's reference.
  // Returns destroy_session's error. The harness keeps the memory alive (one reference of its
  // own) so a test may still pass the pointer to the plugin afterwards.
  int detach(janus_plugin_session* handle);
  // References held by the plugin: 1 + whatever it took while attached, 0 once it let go
  // after detach (the core's and the harness's own excluded).
  int plugin_refs(janus_plugin_session* handle) const;
  bool is_attached(janus_plugin_session* handle) const;

  // --- requests ---
  // body_json/jsep_json are JSON text; the plugin receives its own references and a g_strdup'ed
  // transaction, as the core hands them over. An empty transaction means "generate one".
  MessageResult send(janus_plugin_session* handle, std::string_view body_json,
                     std::optional<std::string_view> jsep_json = std::nullopt,
                     std::string transaction = {});
  // Same with ready-made values (stolen; either may be null, e.g. to test "No message??").
  MessageResult send_raw(janus_plugin_session* handle, json_t* body, json_t* jsep,
                         std::string transaction = {});

  // --- what the plugin pushed ---
  // Oldest unread push_event for `handle`, waiting up to `timeout`.
  std::optional<PluginEvent> wait_event(janus_plugin_session* handle,
                                        std::chrono::milliseconds timeout);
  // Oldest unread push_event for `handle` that satisfies `match`; others stay queued.
  std::optional<PluginEvent> wait_event_if(janus_plugin_session* handle,
                                           const std::function<bool(const PluginEvent&)>& match,
                                           std::chrono::milliseconds timeout);
  size_t pending_events(janus_plugin_session* handle) const;
  // push_event() calls so far, all handles (lets tests notice a plugin that stopped answering).
  uint64_t events_pushed() const;
  // Events pushed for handles the core does not know (detached or never attached).
  std::vector<PluginEvent> take_orphan_events();

  std::optional<NotifiedEvent> wait_notification(std::chrono::milliseconds timeout);
  std::vector<NotifiedEvent> take_notifications();
  void set_events_enabled(bool enabled);

  std::vector<RelayedPacket> take_rtp(janus_plugin_session* handle);
  std::vector<RelayedPacket> take_rtcp(janus_plugin_session* handle);
  int end_session_calls(janus_plugin_session* handle) const;
  int close_pc_calls(janus_plugin_session* handle) const;
  int pli_calls(janus_plugin_session* handle) const;

  // query_session() (Admin API handle_info).
  JsonRef query_session(janus_plugin_session* handle);

 private:
  FakeJanus() = default;
  janus_plugin* plugin_ = nullptr;
  void* dl_handle_ = nullptr;
  void* core_handle_ = nullptr;
};

}  // namespace rtpgate::test
