// `call` (spec §4.3): an outgoing INVITE with the browser's offer rewritten for SIP.
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_tag.h>
#include <strings.h>

#include "call_control.h"
#include "log.h"
#include "plugin.h"
#include "requests/request.h"
#include "requests/srtp_params.h"
#include "srtp_negotiation.h"
#include "sip/sip_stack.h"
#include "sip/sip_util.h"
#include "transfers.h"

namespace rtpgate::ctl {
namespace {

ApiError check_state(const Session& s) {
  if (!s.stack) return {kErrWrongState, "Wrong state (register first)"};
  if (!can_place_calls(s.account.reg)) return {kErrWrongState, "Wrong state (not registered)"};
  if (s.call.status >= CallStatus::Inviting)
    return {kErrWrongState, std::string("Wrong state (already in a call? status=") + name(s.call.status) + ")"};
  return {};
}

std::string from_header(const Session& s) {
  const Account& a = s.account;
  const std::string& display = a.display_name;
  return display.empty() ? "<" + a.identity + ">" : "\"" + display + "\" <" + a.identity + ">";
}

}  // namespace

void handle_call(Request& r) {
  Session& s = r.s();
  json_t* b = r.body.get();
  if (ApiError e = check_state(s)) return r.fail(e);
  if (ApiError e = validate(b, {{"uri", JType::String, kRequired},
                                {"call_id", JType::String, 0},
                                {"headers", JType::Object, 0},
                                {"srtp", JType::String, 0},
                                {"srtp_profile", JType::String, 0},
                                {"autoaccept_reinvites", JType::Boolean, 0},
                                {"refer_id", JType::Integer, 0},
                                {"secret", JType::String, 0},
                                {"ha1_secret", JType::String, 0},
                                {"authuser", JType::String, 0}}))
    return r.fail(e);
  if (has(b, "secret") && has(b, "ha1_secret"))
    return r.fail(kErrInvalidElement, "Conflicting elements specified (secret and ha1_secret)");
  SrtpChoice srtp;
  if (ApiError e = parse_srtp(b, /*profile_matters=*/true, &srtp)) return r.fail(e);
  const std::string uri = str_or(b, "uri");
  if (!valid_uri(uri, UriKind::Sip)) return r.fail(kErrInvalidAddress, "Invalid user address " + uri + "\n");
  std::string browser_sdp;
  sdp::BrowserSdpInfo info;
  if (ApiError e = check_browser_jsep(r.jsep.get(), &browser_sdp, &info)) return r.fail(e);
  if (s.helper && (!s.stack || s.stack->shut_down())) return r.fail(kErrHelper, "Invalid master SIP stack");
  if (!s.stack || s.stack->nua() == nullptr) return r.fail(kErrLibsofia, "Invalid NUA");

  if (ApiError e = srtp_begin_offer(s, srtp, info.has_audio, info.has_video, "Error manipulating SDP"))
    return r.fail(e);
  std::string local;
  if (ApiError e = prepare_local_sdp(s, browser_sdp, info, sdp::SdpType::Offer, false, "Error manipulating SDP", &local)) {
    s.call.sdes.clear();
    return r.fail(e);
  }
  nua_handle_t* nh = nua_handle(s.stack->nua(), reinterpret_cast<nua_hmagic_t*>(&s), SIPTAG_TO_STR(uri.c_str()),
                                TAG_END());
  if (nh == nullptr) {
    s.media.close();
    srtp_wipe_call(s);
    return r.fail(kErrLibsofia, "Invalid NUA Handle");
  }
  CallState& c = s.call;
  c.nh = nh;
  c.call_id = str_or(b, "call_id", random_token(23));
  c.callee = uri;
  c.outgoing = true;
  c.status = CallStatus::Inviting;
  c.establishing = true;
  c.autoaccept_reinvites = bool_or(b, "autoaccept_reinvites", true);
  c.srtp = srtp.mode;
  c.srtp_profile = srtp.profile;
  c.has_call_credentials = has(b, "secret") || has(b, "ha1_secret");
  c.call_secret = str_or(b, "secret", str_or(b, "ha1_secret"));
  c.call_secret_is_ha1 = has(b, "ha1_secret");
  c.call_authuser = str_or(b, "authuser");
  Plugin::instance().callids[c.call_id] = r.session;
  s.transaction = r.transaction;

  std::string hdrs = custom_headers(json_object_get(b, "headers"));
  const std::string referred_by = link_transfer(s, int_or(b, "refer_id", 0), &hdrs);   // spec §8
  const std::string from = from_header(s);
  const Account& a = sending_account(s);
  nua_invite(nh, SIPTAG_FROM_STR(from.c_str()), SIPTAG_CALL_ID_STR(c.call_id.c_str()),
             SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(local.c_str()),
             TAG_IF(!a.outbound_proxy.empty(), NUTAG_PROXY(a.outbound_proxy.c_str())),
             TAG_IF(!referred_by.empty(), SIPTAG_REFERRED_BY_STR(referred_by.c_str())),
             TAG_IF(!hdrs.empty(), SIPTAG_HEADER_STR(hdrs.c_str())), NUTAG_AUTOANSWER(0), NUTAG_AUTOACK(0),
             TAG_END());
  Json res = Events::named("calling");
  res.set("call_id", json_string(c.call_id.c_str()));
  r.ok(std::move(res));
  Json ev = Events::named("calling");
  ev.set("callee", json_string(uri.c_str()));
  ev.set("call-id", json_string(c.call_id.c_str()));
  ev.set("sdp", json_string(local.c_str()));
  Events::notify(&s, std::move(ev));
  sdp::wipe_string(&local);   // may hold our SRTP keys (c.local_sdp keeps the copy in use)
}

}  // namespace rtpgate::ctl
