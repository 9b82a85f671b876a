#include "call_control.h"

#include <sofia-sip/msg_header.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>

#include "admin.h"
#include "events.h"
#include "log.h"
#include "plugin.h"
#include "sdp/sdp.h"
#include "session.h"
#include "sip/sip_stack.h"
#include "sip/sip_util.h"
#include "srtp_negotiation.h"

namespace rtpgate::ctl {

ApiError check_browser_jsep(json_t* jsep, std::string* sdp_out, sdp::BrowserSdpInfo* info) {
  json_t* sdp = json_object_get(jsep, "sdp");
  if (!json_is_string(sdp)) return {kErrMissingSdp, "Missing SDP"};
  if (json_is_true(json_object_get(jsep, "e2ee")))
    return {kErrInvalidElement, "Media encryption unsupported by this plugin"};
  *sdp_out = json_string_value(sdp);
  std::string why;
  if (sdp_out->rfind("v=", 0) != 0) return {kErrMissingSdp, "Error parsing SDP: Invalid SDP (doesn't start with v=)"};
  if (!sdp::inspect_browser(*sdp_out, info, &why)) return {kErrMissingSdp, "Error parsing SDP: " + why};
  if (info->has_application) return {kErrMissingSdp, "The SIP plugin does not support DataChannels"};
  return {};
}

SipSdpResult sdp_for_sip(Session& s, const std::string& browser_sdp, const sdp::BrowserSdpInfo& info,
                         sdp::SdpType type, bool bump_version, std::string* out) {
  std::string why;
  if (!s.media.open(s, info.has_audio, info.has_video, &why)) {
    log(Log::Err, "[%s] no relay ports: %s", s.account.username.c_str(), why.c_str());
    return SipSdpResult::NoPorts;
  }
  const PluginConfig& cfg = Plugin::instance().config();
  sdp::LocalMedia lm;
  lm.sdp_ip = cfg.sdp_ip.empty() ? s.media.relay_ip() : cfg.sdp_ip;
  lm.audio.port = s.media.port(false);
  lm.video.port = s.media.port(true);
  srtp_fill_local(s, &lm);   // our a=crypto lines and RTP/SAVP when SDES is on
  const bool ok = sdp::rewrite_for_sip(browser_sdp, type, lm, bump_version, out, &why);
  sdp::wipe_string(&lm.audio.crypto);
  sdp::wipe_string(&lm.video.crypto);
  if (ok) return SipSdpResult::Ok;
  log(Log::Err, "[%s] SDP rewrite failed: %s", s.account.username.c_str(), why.c_str());
  return SipSdpResult::RewriteFailed;
}

ApiError prepare_local_sdp(Session& s, const std::string& browser_sdp, const sdp::BrowserSdpInfo& info,
                           sdp::SdpType type, bool bump_version, const char* rewrite_fail_text, std::string* out) {
  switch (sdp_for_sip(s, browser_sdp, info, type, bump_version, out)) {
    case SipSdpResult::NoPorts:
      return {kErrIo, "Could not allocate RTP/RTCP ports"};
    case SipSdpResult::RewriteFailed:
      s.media.close();
      return {kErrIo, rewrite_fail_text};
    case SipSdpResult::Ok:
      break;
  }
  sdp::wipe_string(&s.call.local_sdp);
  s.call.local_sdp = *out;
  return {};
}

bool apply_remote_sdp(Session& s, const std::string& sdp, sdp::SdpType type, std::string* why) {
  sdp::RemoteMedia rm;
  if (!sdp::parse_remote(sdp, type, &rm, why)) return false;
  if (!rm.audio.present && !rm.video.present) return *why = "no audio and no video", false;
  const bool ok = s.media.set_remote(rm, why) && apply_remote_crypto(s, rm, type, why);
  if (ok) {
    sdp::wipe_keys(&s.call.remote);
    sdp::wipe_string(&s.call.remote_sdp);
    s.call.remote = rm;
    s.call.remote_sdp = sdp;
    s.call.remote_known = true;
  }
  sdp::wipe_keys(&rm);
  return ok;
}

void reset_call(Session& s) {
  CallState& c = s.call;
  s.media.close();
  srtp_wipe_call(s);
  auto& ids = Plugin::instance().callids;
  if (auto it = ids.find(c.call_id); it != ids.end()) {
    auto owner = it->second.lock();
    if (!owner || owner.get() == &s) ids.erase(it);
  }
  if (c.nh != nullptr) {
    nua_handle_bind(c.nh, nullptr);
    nua_handle_destroy(c.nh);
  }
  const bool pc_established = c.established;   // follows the PeerConnection, not the call
  c = CallState{};
  c.established = pc_established;
}

void capture_end_info(Session& s, const sip_t* sip) {
  if (sip == nullptr) return;
  CallState& c = s.call;
  if (const sip_reason_t* r = sip->sip_reason) {
    if (const char* text = msg_params_find(r->re_params, "text=")) {
      std::string t = text;
      if (t.size() >= 2 && t.front() == '"' && t.back() == '"') t = t.substr(1, t.size() - 2);
      c.end_reason_text = t;
    }
    c.end_reason_protocol = r->re_protocol ? r->re_protocol : "";
    const char* cause = msg_params_find(r->re_params, "cause=");
    c.end_reason_cause = cause ? cause : "";
  }
  if (Json h = incoming_headers(sip, s.account.incoming_header_prefixes)) c.end_headers = std::move(h);
}

void call_terminated(Session& s, int code, const std::string& reason, const sip_t* sip) {
  capture_end_info(s, sip);
  CallState& c = s.call;
  Json res = Events::named("hangup");
  Json ev = Events::named("hangup");
  if (!c.call_id.empty()) ev.set("call-id", json_string(c.call_id.c_str()));
  for (Json* j : {&res, &ev}) {
    j->set("code", json_integer(code));
    j->set("reason", json_string(reason.c_str()));
    if (!c.end_reason_text.empty()) j->set("reason_header", json_string(c.end_reason_text.c_str()));
    if (!c.end_reason_protocol.empty()) j->set("reason_header_protocol", json_string(c.end_reason_protocol.c_str()));
    if (!c.end_reason_cause.empty()) j->set("reason_header_cause", json_string(c.end_reason_cause.c_str()));
    if (c.end_headers) j->set("headers", json_deep_copy(c.end_headers.get()));
  }
  Events::result(s, s.transaction, std::move(res));
  Events::notify(&s, std::move(ev));
  reset_call(s);
  // As stock: the SIP call is over, so is the browser's PeerConnection.
  janus_callbacks* cb = Plugin::instance().callbacks();
  if (s.pc_up.load() && !s.destroyed.load() && cb != nullptr) cb->close_pc(s.handle());
}

void abort_call(Session& s, int code) {
  CallState& c = s.call;
  s.media.set_live(false);
  if (c.nh == nullptr) return;
  switch (c.status) {
    case CallStatus::Inviting: nua_cancel(c.nh, TAG_END()); break;
    case CallStatus::Invited:
    case CallStatus::Progress:
      nua_respond(c.nh, code, sip_status_phrase(code), TAG_END());
      break;
    case CallStatus::Closing:
    case CallStatus::Idle: return;
    default: nua_bye(c.nh, TAG_END()); break;
  }
  c.status = CallStatus::Closing;
}

// As stock: `established` follows the PeerConnection (it is part of the busy test).
void on_pc_up(Session& s) {
  s.call.established = true;
  s.call.establishing = false;
  log(Log::Verb, "[%s] WebRTC media is up", s.account.username.c_str());
}

void on_pc_down(Session& s) {
  CallState& c = s.call;
  c.established = false;
  c.establishing = false;
  if (c.status == CallStatus::Idle || c.status == CallStatus::Closing) return;
  // The browser is gone mid-call: tell the application, then end the SIP side.
  Events::result(s, "", Events::named("hangingup"));
  abort_call(s);
}

void end_session_state(Session& s) {
  Plugin& pl = Plugin::instance();
  if (s.call.nh != nullptr) {
    abort_call(s);
    // Let Sofia finish the dialog without us: the handle is destroyed on its terminated state.
    nua_handle_bind(s.call.nh, nullptr);
    s.call.nh = nullptr;
  }
  reset_call(s);
  s.messaging.release();   // un-SUBSCRIBEs, drops pending MESSAGEs (subscriptions.h)
  if (s.helper) {
    if (auto m = s.master.lock())
      std::erase_if(m->helpers, [&](const std::weak_ptr<Session>& w) {
        auto h = w.lock();
        return !h || h.get() == &s;
      });
    s.stack.reset();
    return;
  }
  for (auto& w : s.helpers)
    if (auto h = w.lock(); h && !h->destroyed.load()) pl.callbacks()->end_session(h->handle());
  s.helpers.clear();
  if (s.master_id != 0) pl.masters.erase(s.master_id);
  if (s.reg_nh != nullptr) {
    nua_handle_bind(s.reg_nh, nullptr);
    s.reg_nh = nullptr;
  }
  if (s.stack) {
    s.stack->shutdown();   // un-registers and ends dialogs; the nua goes when Sofia is done
    s.stack.reset();
  }
}

namespace {

// The account part of query_session (secrets hidden), also used for a helper's master.
void account_info(Json& j, const Account& a, bool with_identity) {
  if (!a.username.empty()) j.set("username", json_string(a.username.c_str()));
  if (!a.authuser.empty()) j.set("authuser", json_string(a.authuser.c_str()));
  if (!a.secret.empty()) j.set("secret", json_string("(hidden)"));
  if (!a.display_name.empty()) j.set("display_name", json_string(a.display_name.c_str()));
  if (!a.user_agent.empty()) j.set("user_agent", json_string(a.user_agent.c_str()));
  if (!a.identity.empty() && with_identity) j.set("identity", json_string(a.identity.c_str()));
  j.set("registration_status", json_string(name(a.reg)));
}

}  // namespace

Json session_info(Session& s) {
  Json j = Json::object();
  j.set("unique_id", json_string(s.unique_id.c_str()));
  if (s.helper) {
    j.set("helper", json_true());
    if (auto m = s.master.lock()) {
      Json mj = Json::object();
      account_info(mj, m->account, /*with_identity=*/true);
      j.set("master", mj.release());
    }
  }
  // A helper's identity is its master's: shown under "master" only (as stock).
  account_info(j, s.account, /*with_identity=*/!s.helper);
  j.set("call_status", json_string(name(s.call.status)));
  if (!s.helpers.empty()) j.set("helpers", json_integer(static_cast<json_int_t>(s.helpers.size())));
  if (!s.call.callee.empty()) {
    j.set("callee", json_string(s.call.callee.c_str()));
    srtp_info(s, j);
  }
  // Spec §15.1: the file names (as stock: without the directory), only while recording;
  // full paths and counters under "rtpgate".
  Json rec;
  for (bool v : {false, true})
    for (bool peer : {false, true})
      if (std::string f = s.media.recording_file(v, peer); !f.empty()) {
        if (!rec) rec = Json::object();
        rec.set(std::string(v ? "video" : "audio").append(peer ? "-peer" : "").c_str(),
                json_string(f.substr(f.rfind('/') + 1).c_str()));
      }
  if (rec) j.set("recording", rec.release());
  j.set("establishing", json_integer(s.call.establishing ? 1 : 0));
  j.set("established", json_integer(s.call.established ? 1 : 0));
  j.set("hangingup", json_integer(s.call.status == CallStatus::Closing ? 1 : 0));
  j.set("destroyed", json_integer(s.destroyed.load() ? 1 : 0));
  if (Json m = s.media.info()) {
    if (!s.call.forwarders.by_id.empty()) m.set("rtp_forwarders", forwarders_info(s).release());  // admin.h
    if (Json r = s.media.recording_info()) m.set("recordings", r.release());
    j.set("rtpgate", m.release());
  }
  return j;
}

}  // namespace rtpgate::ctl
