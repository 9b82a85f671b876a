// The C ABI Janus loads: create() and the janus_plugin descriptor (member order is ABI,
// spec §16.3). Everything forwards to Plugin.
#include "janus_api.h"
#include "plugin.h"

using rtpgate::ctl::Plugin;

namespace {

int p_init(janus_callbacks* cb, const char* config_path);
void p_destroy() { Plugin::instance().destroy(); }
int p_api() { return JANUS_PLUGIN_API_VERSION; }
int p_version() { return 10; }
const char* p_version_string() { return "0.0.10"; }
const char* p_description() { return "rtpgate: janus.plugin.sip on Sofia-SIP with a DPDK media data plane"; }
const char* p_name() { return "JANUS SIP plugin (rtpgate)"; }
const char* p_author() { return "rtpgate"; }
const char* p_package() { return Plugin::instance().config().package.c_str(); }
void p_create_session(janus_plugin_session* h, int* error) { Plugin::instance().create_session(h, error); }
janus_plugin_result* p_handle_message(janus_plugin_session* h, char* transaction, json_t* message, json_t* jsep) {
  return Plugin::instance().handle_message(h, transaction, message, jsep);
}
void p_setup_media(janus_plugin_session* h) { Plugin::instance().setup_media(h); }
void p_incoming_rtp(janus_plugin_session* h, janus_plugin_rtp* p) { Plugin::instance().incoming_rtp(h, p); }
void p_incoming_rtcp(janus_plugin_session* h, janus_plugin_rtcp* p) { Plugin::instance().incoming_rtcp(h, p); }
void p_hangup_media(janus_plugin_session* h) { Plugin::instance().hangup_media(h); }
void p_destroy_session(janus_plugin_session* h, int* error) { Plugin::instance().destroy_session(h, error); }
json_t* p_query_session(janus_plugin_session* h) { return Plugin::instance().query_session(h); }
json_t* p_handle_admin_message(json_t* message) { return Plugin::instance().handle_admin_message(message); }

// JANUS_PLUGIN_INIT is C-only: all 21 members in order.
janus_plugin g_plugin = {
    .init = p_init,
    .destroy = p_destroy,
    .get_api_compatibility = p_api,
    .get_version = p_version,
    .get_version_string = p_version_string,
    .get_description = p_description,
    .get_name = p_name,
    .get_author = p_author,
    .get_package = p_package,
    .create_session = p_create_session,
    .handle_message = p_handle_message,
    .handle_admin_message = p_handle_admin_message,
    .setup_media = p_setup_media,
    .incoming_rtp = p_incoming_rtp,
    .incoming_rtcp = p_incoming_rtcp,
    .incoming_data = nullptr,
    .data_ready = nullptr,
    .slow_link = nullptr,
    .hangup_media = p_hangup_media,
    .destroy_session = p_destroy_session,
    .query_session = p_query_session,
};

int p_init(janus_callbacks* cb, const char* config_path) { return Plugin::instance().init(&g_plugin, cb, config_path); }

}  // namespace

extern "C" __attribute__((visibility("default"))) janus_plugin* create(void) { return &g_plugin; }
