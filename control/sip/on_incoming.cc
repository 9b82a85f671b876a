// Incoming INVITE (spec §6): busy rule and helpers, offerless calls via ACK; re-INVITEs
// are handed to on_reinvite.cc.
#include <sofia-sip/msg_header.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>

#include "call_control.h"
#include "events.h"
#include "log.h"
#include "sdp/sdp.h"
#include "plugin.h"
#include "session.h"
#include "sip/reinvite.h"
#include "sip/sip_events.h"
#include "sip/sip_stack.h"
#include "sip/sip_util.h"
#include "srtp_negotiation.h"

namespace rtpgate::ctl {
namespace {

bool busy(const Session& s) { return s.call.nh != nullptr || s.call.establishing || s.call.established; }

std::shared_ptr<Session> free_helper(Session& master) {
  for (auto& w : master.helpers)
    if (auto h = w.lock(); h && !h->destroyed.load() && !busy(*h)) return h;
  return nullptr;
}

void missed_call(Session& master, const sip_t* sip) {
  Json res = Events::named("missed_call");
  res.set("caller", json_string(addr_uri(sip->sip_from).c_str()));
  set_displayname(res, sip->sip_from);
  res.set("callee", json_string(addr_uri(sip->sip_to).c_str()));
  Json top = Json::object();
  if (sip->sip_call_id && sip->sip_call_id->i_id) top.set("call_id", json_string(sip->sip_call_id->i_id));
  Events::result_with(master, master.transaction, std::move(res), std::move(top));
  Json ev = Events::named("missed_call");
  ev.set("caller", json_string(addr_uri(sip->sip_from).c_str()));
  ev.set("callee", json_string(addr_uri(sip->sip_to).c_str()));
  Events::notify(&master, std::move(ev));
}

void new_call(const std::shared_ptr<Session>& target, nua_handle_t* nh, const sip_t* sip) {
  Session& s = *target;
  CallState& c = s.call;
  nua_handle_bind(nh, reinterpret_cast<nua_hmagic_t*>(&s));
  c = CallState{};
  c.nh = nh;
  c.status = CallStatus::Invited;
  c.establishing = true;
  c.callee = addr_uri(sip->sip_from);
  c.call_id = sip->sip_call_id && sip->sip_call_id->i_id ? sip->sip_call_id->i_id : "";
  const std::string sdp = sdp_body(sip);
  c.offerless = sdp.empty();
  if (!c.offerless) {
    std::string why;
    sdp::RemoteMedia rm;
    // 488 when it does not parse, has no audio and no video, or no medium has an address.
    const auto usable = [](const sdp::RemoteMedium& m) { return m.present && !m.addr.empty(); };
    if (!sdp::parse_remote(sdp, sdp::SdpType::Offer, &rm, &why) || (!usable(rm.audio) && !usable(rm.video))) {
      log_peer(Log::Warn, "[%s] incoming INVITE with unusable SDP: %s", s.account.username.c_str(), why.c_str());
      nua_respond(nh, 488, sip_status_phrase(488), TAG_END());
      c = CallState{};
      nua_handle_destroy(nh);
      return;
    }
    apply_remote_crypto(s, rm, sdp::SdpType::Offer, &why);   // no streams yet: keys only
    c.remote_sdp = sdp;
    c.remote = rm;
    c.remote_known = true;
    sdp::wipe_keys(&rm);
  }
  Plugin::instance().callids[c.call_id] = target;
  offer_to_app(s, "incomingcall", sip, c.offerless ? std::string() : sdp);
  if (s.account.automatic_ringing) nua_respond(nh, 180, sip_status_phrase(180), TAG_END());
}

}  // namespace

void offer_to_app(Session& s, const char* name, const sip_t* sip, const std::string& sdp) {
  const CallState& c = s.call;
  Json res = Events::named(name);
  res.set("username", json_string(c.callee.c_str()));
  if (!c.call_id.empty()) res.set("call_id", json_string(c.call_id.c_str()));
  set_displayname(res, sip->sip_from);
  res.set("callee", json_string(addr_uri(sip->sip_to).c_str()));
  if (Json h = incoming_headers(sip, s.account.incoming_header_prefixes)) res.set("headers", h.release());
  const std::string referred_by = referred_by_header(sip);   // transfers (spec §5)
  if (!referred_by.empty()) res.set("referred_by", json_string(referred_by.c_str()));
  if (sip->sip_replaces && sip->sip_replaces->rp_call_id) res.set("replaces", json_string(sip->sip_replaces->rp_call_id));
  if (is_focus(sip)) res.set("isfocus", json_true());
  if (!sdp.empty() && sdp::peer_offered(c.sdes))   // srtp_negotiation.h
    res.set("srtp", json_string(c.sdes.required ? "sdes_mandatory" : "sdes_optional"));
  Json jsep;
  if (!sdp.empty()) {
    jsep = Json::object();
    jsep.set("type", json_string("offer"));
    jsep.set("sdp", json_string(sdp.c_str()));
  }
  Events::result(s, s.transaction, std::move(res), std::move(jsep));
  Json ev = Events::named(name);
  if (!c.call_id.empty()) ev.set("call-id", json_string(c.call_id.c_str()));
  ev.set("username", json_string(c.callee.c_str()));
  set_displayname(ev, sip->sip_from);
  ev.set("callee", json_string(addr_uri(sip->sip_to).c_str()));
  if (!referred_by.empty()) ev.set("referred_by", json_string(referred_by.c_str()));
  Events::notify(&s, std::move(ev));
}

void on_incoming_invite(SipStack& stack, Session* bound, nua_handle_t* nh, const sip_t* sip) {
  if (bound != nullptr && !bound->destroyed.load() && bound->call.nh == nh) return on_incoming_reinvite(*bound, nh, sip);
  std::shared_ptr<Session> master = stack.owner();
  if (!master || master->destroyed.load()) {
    nua_respond(nh, 500, sip_status_phrase(500), TAG_END());
    nua_handle_destroy(nh);
    return;
  }
  if (sip == nullptr || sip->sip_from == nullptr || sip->sip_to == nullptr) {
    nua_respond(nh, 400, sip_status_phrase(400), TAG_END());
    nua_handle_destroy(nh);
    return;
  }
  std::shared_ptr<Session> target = master;
  if (busy(*master)) {
    target = free_helper(*master);
    if (!target) {
      nua_respond(nh, 486, sip_status_phrase(486), TAG_END());
      nua_handle_destroy(nh);
      missed_call(*master, sip);
      return;
    }
  }
  new_call(target, nh, sip);
}

void on_incoming_ack(Session& s, nua_handle_t* nh, const sip_t* sip) {
  CallState& c = s.call;
  if (nh == c.nh && on_reinvite_ack(s, sip)) return;   // answer to our offer in a re-INVITE's 200
  if (nh != c.nh || !c.offerless) return;
  const std::string sdp = sdp_body(sip);
  std::string why;
  if (sdp.empty() || !apply_remote_sdp(s, sdp, sdp::SdpType::Answer, &why)) {
    log_peer(Log::Warn, "[%s] ACK without a usable SDP answer: hanging up", s.account.username.c_str());
    abort_call(s);
    return;
  }
  c.offerless = false;
  s.media.set_live(true);
  Json res = Events::named("accepted");
  res.set("username", json_string(c.callee.c_str()));
  Json jsep = Json::object();
  jsep.set("type", json_string("answer"));
  jsep.set("sdp", json_string(sdp.c_str()));
  Events::result(s, s.transaction, std::move(res), std::move(jsep));
}

}  // namespace rtpgate::ctl
