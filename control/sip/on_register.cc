// Replies to REGISTER (spec §4.1 outcomes, §4.2).
#include <sofia-sip/nua_tag.h>

#include "events.h"
#include "plugin.h"
#include "session.h"
#include "sip/sip_events.h"
#include "sip/sip_util.h"

namespace rtpgate::ctl {
namespace {

void registered(Session& s, const sip_t* sip) {
  if (static_cast<int>(s.account.reg) < static_cast<int>(RegStatus::Registered)) s.account.reg = RegStatus::Registered;
  Json res = Events::named("registered");
  res.set("username", json_string(s.account.username.c_str()));
  res.set("register_sent", json_true());
  res.set("master_id", json_integer(s.master_id));
  if (Json h = incoming_headers(sip, s.account.incoming_header_prefixes)) res.set("headers", h.release());
  Json top = Json::object();
  top.set("unique_id", json_string(s.unique_id.c_str()));
  Events::result_with(s, s.transaction, std::move(res), std::move(top));
  Json ev = Events::named("registered");
  ev.set("identity", json_string(s.account.identity.c_str()));
  if (!s.account.proxy.empty()) ev.set("proxy", json_string(s.account.proxy.c_str()));
  Events::notify(&s, std::move(ev));
}

void unregistered(Session& s, const sip_t* sip) {
  s.account.reg = RegStatus::Unregistered;
  s.messaging.release();   // no refreshes for an account that is gone (subscriptions.h)
  Json res = Events::named("unregistered");
  res.set("username", json_string(s.account.username.c_str()));
  if (Json h = incoming_headers(sip, s.account.incoming_header_prefixes)) res.set("headers", h.release());
  Json top = Json::object();
  top.set("unique_id", json_string(s.unique_id.c_str()));
  Events::result_with(s, s.transaction, std::move(res), std::move(top));
  Json ev = Events::named("unregistered");
  ev.set("identity", json_string(s.account.identity.c_str()));
  if (!s.account.proxy.empty()) ev.set("proxy", json_string(s.account.proxy.c_str()));
  Events::notify(&s, std::move(ev));
  // A master that unregisters takes its helpers with it (spec §4.2).
  janus_callbacks* cb = Plugin::instance().callbacks();
  for (auto& w : s.helpers)
    if (auto h = w.lock(); h && !h->destroyed.load()) cb->end_session(h->handle());
  s.helpers.clear();
}

void failed(Session& s, int status, const char* phrase, const sip_t* sip) {
  Json res = Events::named("registration_failed");
  res.set("code", json_integer(status));
  res.set("reason", json_string(phrase));
  if (Json h = incoming_headers(sip, s.account.incoming_header_prefixes)) res.set("headers", h.release());
  // The account is cleared: a new register starts from scratch.
  const std::vector<std::string> prefixes = s.account.incoming_header_prefixes;
  s.account = Account{};
  s.account.incoming_header_prefixes = prefixes;
  s.account.reg = RegStatus::Unregistered;
  Events::result(s, s.transaction, std::move(res));
  Json ev = Events::named("registration_failed");
  ev.set("code", json_integer(status));
  ev.set("reason", json_string(phrase));
  Events::notify(&s, std::move(ev));
}

}  // namespace

void on_register_reply(Session& s, nua_event_t event, int status, const char* phrase, nua_handle_t* nh,
                       const sip_t* sip) {
  if (status < 200) return;
  if ((status == 401 || status == 407) && s.reg_auth_tries < 2) {
    s.reg_auth_tries++;
    if (authenticate(nh, sip, s.account.authuser, s.account.secret, s.account.secret_is_ha1)) return;
  }
  s.reg_auth_tries = 0;
  if (status >= 200 && status < 300) {
    if (event == nua_r_unregister) return unregistered(s, sip);
    if (s.account.reg == RegStatus::Unregistering) return;   // a refresh racing our un-REGISTER
    return registered(s, sip);
  }
  if (event == nua_r_unregister) {
    // The registrar refused the un-REGISTER: we are no longer registered either way.
    return unregistered(s, sip);
  }
  failed(s, status, phrase, sip);
}

}  // namespace rtpgate::ctl
