// `register` (spec §4.1): guest, helper, no-REGISTER and REGISTER with digest auth.
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_tag.h>

#include <random>

#include "log.h"
#include "plugin.h"
#include "requests/request.h"
#include "sip/sip_stack.h"
#include "sip/sip_util.h"

namespace rtpgate::ctl {
namespace {

uint32_t new_master_id() {
  static std::mt19937 rng{std::random_device{}()};
  auto& masters = Plugin::instance().masters;
  for (;;) {
    const uint32_t id = rng() & 0x7fffffffu;
    if (id != 0 && masters.find(id) == masters.end()) return id;
  }
}

// `registered` for guests, send_register:false and helpers (no REGISTER sent), and its
// event-handler notification.
void registered_without_register(Request& r, bool helper) {
  Session& s = r.s();
  Json res = Events::named("registered");
  res.set("username", json_string(s.account.username.c_str()));
  res.set("register_sent", json_false());
  if (helper) res.set("helper", json_true());
  res.set("master_id", json_integer(s.master_id));
  res.set("unique_id", json_string(s.unique_id.c_str()));
  r.ok(std::move(res));
  Json ev = Events::named("registered");
  ev.set("identity", json_string(s.account.identity.c_str()));
  ev.set("type", json_string("guest"));
  ev.set("master_id", json_integer(s.master_id));
  ev.set("unique_id", json_string(s.unique_id.c_str()));
  if (helper) ev.set("helper", json_true());
  Events::notify(&s, std::move(ev));
}

void register_helper(Request& r) {
  Session& s = r.s();
  json_t* b = r.body.get();
  if (!has(b, "master_id")) return r.fail(kErrMissingElement, "Missing mandatory element for helper (master_id)");
  const long long mid = int_or(b, "master_id", 0);
  if (s.helper) return r.fail(kErrHelper, "Session already a helper (" + std::to_string(mid) + ")");
  auto& masters = Plugin::instance().masters;
  auto it = masters.find(static_cast<uint32_t>(mid));
  std::shared_ptr<Session> m = it == masters.end() ? nullptr : it->second.lock();
  if (!m || m.get() == &s) return r.fail(kErrHelper, "No such master session (" + std::to_string(mid) + ")");
  s.helper = true;
  s.master = m;
  s.master_id = m->master_id;
  s.stack = m->stack;
  s.account.username = m->account.username;
  s.account.identity = m->account.identity;
  if (s.account.incoming_header_prefixes.empty())
    s.account.incoming_header_prefixes = m->account.incoming_header_prefixes;
  s.account.reg = RegStatus::Disabled;
  m->helpers.push_back(r.session);
  registered_without_register(r, /*helper=*/true);
}

// Flags, URIs and credentials (spec §4.1 step 4); fills a fresh Account.
ApiError parse_account(json_t* b, bool guest, Account* a) {
  const bool send_register = bool_or(b, "send_register", !guest);
  // As 1.1.2: any send_register next to a guest type is a conflict, whatever its value.
  if (guest && has(b, "send_register"))
    return {kErrInvalidElement, "Conflicting elements: send_register cannot be true if guest is true"};
  if (bool_or(b, "force_udp", false) && bool_or(b, "force_tcp", false))
    return {kErrInvalidElement, "Conflicting elements: force_udp and force_tcp cannot both be true"};
  a->proxy = str_or(b, "proxy");
  if (!a->proxy.empty() && !valid_uri(a->proxy, UriKind::SipOrSips))
    return {kErrInvalidAddress, "Invalid proxy address " + a->proxy + "\n"};
  a->outbound_proxy = str_or(b, "outbound_proxy");
  if (!a->outbound_proxy.empty() && !valid_uri(a->outbound_proxy, UriKind::SipOrSips))
    return {kErrInvalidAddress, "Invalid outbound_proxy address " + a->outbound_proxy + "\n"};
  a->identity = str_or(b, "username");
  if (!valid_uri(a->identity, UriKind::Sip)) return {kErrInvalidAddress, "Invalid user address " + a->identity + "\n"};
  a->username = uri_user(a->identity);
  if (!guest) {
    const bool sec = has(b, "secret"), ha1 = has(b, "ha1_secret");
    if (!sec && !ha1) return {kErrMissingElement, "Missing element (secret or ha1_secret)"};
    if (sec && ha1) return {kErrInvalidElement, "Conflicting elements specified (secret and ha1_secret)"};
    a->secret = str_or(b, sec ? "secret" : "ha1_secret");
    a->secret_is_ha1 = ha1;
  }
  a->guest = guest || !send_register;
  a->authuser = str_or(b, "authuser", a->username);
  a->display_name = str_or(b, "display_name");
  a->user_agent = str_or(b, "user_agent");   // "" = the configured default (not shown in query_session)
  const long long ttl = int_or(b, "register_ttl", Plugin::instance().config().register_ttl);
  a->register_ttl = ttl <= 0 ? 3600 : static_cast<uint32_t>(ttl);
  a->force_tcp = bool_or(b, "force_tcp", false);
  a->sips = bool_or(b, "sips", false);
  a->rfc2543_cancel = bool_or(b, "rfc2543_cancel", false);
  a->automatic_ringing = bool_or(b, "automatic_ringing", true);
  if (json_t* cp = json_object_get(b, "contact_params"); json_is_object(cp)) {
    const char* k;
    json_t* v;
    json_object_foreach(cp, k, v) {
      if (!json_is_string(v)) continue;
      if (!a->contact_params.empty()) a->contact_params += ";";
      a->contact_params += std::string(k) + "=" + json_string_value(v);
    }
  }
  return {};
}

void append_prefixes(json_t* b, Account* a) {
  json_t* arr = json_object_get(b, "incoming_header_prefixes");
  size_t i;
  json_t* v;
  json_array_foreach(arr, i, v) {
    if (json_is_string(v)) a->incoming_header_prefixes.emplace_back(json_string_value(v));
  }
}

bool ensure_stack(Request& r) {
  Session& s = r.s();
  if (s.stack && !s.stack->shut_down()) return true;
  const PluginConfig& c = Plugin::instance().config();
  StackOptions o;
  o.local_ip = Plugin::instance().local_ip();
  o.tcp = s.account.force_tcp;
  o.sips = s.account.sips;
  o.sips_certs_dir = c.sips_certs_dir;
  o.user_agent = s.account.user_agent.empty() ? c.user_agent : s.account.user_agent;
  o.keepalive_s = c.keepalive_interval;
  o.behind_nat = c.behind_nat;
  o.t1x64_ms = c.sip_timer_t1x64;
  o.rfc2543_cancel = s.account.rfc2543_cancel;
  std::string why;
  s.stack = SipStack::create(Plugin::instance().loop().root(), o, r.session, &why);
  if (!s.stack) {
    r.fail(kErrUnknown, "Got error -1 (" + why + ") trying to launch the SIP Sofia thread");
    return false;
  }
  return true;
}

void send_register(Request& r) {
  Session& s = r.s();
  Account& a = s.account;
  if (s.reg_nh == nullptr) {
    s.reg_nh = nua_handle(s.stack->nua(), reinterpret_cast<nua_hmagic_t*>(&s), SIPTAG_FROM_STR(a.identity.c_str()),
                          SIPTAG_TO_STR(a.identity.c_str()), TAG_END());
    if (s.reg_nh == nullptr) return r.fail(kErrLibsofia, "Invalid NUA Handle");
  }
  const std::string hdrs = custom_headers(json_object_get(r.body.get(), "headers"));
  const std::string expires = std::to_string(a.register_ttl);
  a.reg = RegStatus::Registering;
  nua_register(s.reg_nh, TAG_IF(!a.display_name.empty(), NUTAG_M_DISPLAY(a.display_name.c_str())),
               NUTAG_M_USERNAME(a.authuser.c_str()), SIPTAG_EXPIRES_STR(expires.c_str()),
               TAG_IF(!a.proxy.empty(), NUTAG_REGISTRAR(a.proxy.c_str())),
               TAG_IF(!a.outbound_proxy.empty(), NUTAG_PROXY(a.outbound_proxy.c_str())),
               TAG_IF(!hdrs.empty(), SIPTAG_HEADER_STR(hdrs.c_str())),
               TAG_IF(!a.contact_params.empty(), NUTAG_M_PARAMS(a.contact_params.c_str())), TAG_END());
  Json res = Events::named("registering");
  res.set("unique_id", json_string(s.unique_id.c_str()));
  r.ok(std::move(res));
}

}  // namespace

void handle_register(Request& r) {
  Session& s = r.s();
  json_t* b = r.body.get();
  if (ApiError e = validate(b, {{"type", JType::String, 0},
                                {"send_register", JType::Boolean, 0},
                                {"force_udp", JType::Boolean, 0},
                                {"force_tcp", JType::Boolean, 0},
                                {"sips", JType::Boolean, 0},
                                {"rfc2543_cancel", JType::Boolean, 0},
                                {"username", JType::String, kRequired},
                                {"secret", JType::String, 0},
                                {"ha1_secret", JType::String, 0},
                                {"authuser", JType::String, 0},
                                {"display_name", JType::String, 0},
                                {"user_agent", JType::String, 0},
                                {"headers", JType::Object, 0},
                                {"contact_params", JType::Object, 0},
                                {"incoming_header_prefixes", JType::Array, 0},
                                {"refresh", JType::Boolean, 0},
                                {"master_id", JType::Integer, 0},
                                {"register_ttl", JType::Integer, 0},
                                {"automatic_ringing", JType::Boolean, 0}}))
    return r.fail(e);
  // As 1.1.2: both proxy keys are type-checked as soon as either is a non-null value.
  const bool any_proxy = (has(b, "proxy")) || (has(b, "outbound_proxy"));
  if (ApiError e = validate(b, {{"proxy", JType::String, any_proxy ? 0u : kNullable},
                                {"outbound_proxy", JType::String, any_proxy ? 0u : kNullable}}))
    return r.fail(e);
  const bool refresh = bool_or(b, "refresh", false);
  if (!refresh && static_cast<int>(s.account.reg) > 0)
    return r.fail(kErrAlreadyRegistered, "Already registered (" + s.account.username + ")");
  const std::string type = str_or(b, "type");
  if (!type.empty() && type != "guest" && type != "helper") log(Log::Warn, "unknown register type '%s' ignored", type.c_str());
  if (type == "helper") return register_helper(r);
  if (s.helper) return r.fail(kErrHelper, "Can't register on a helper session");

  Account a;
  if (ApiError e = parse_account(b, type == "guest", &a)) return r.fail(e);
  // incoming_header_prefixes are appended across registers (spec §4.1).
  a.incoming_header_prefixes = std::move(s.account.incoming_header_prefixes);
  append_prefixes(b, &a);
  const RegStatus prev = s.account.reg;
  s.account = std::move(a);
  s.account.reg = prev;
  if (s.master_id == 0) {
    s.master_id = new_master_id();
    Plugin::instance().masters[s.master_id] = r.session;
  }
  if (!ensure_stack(r)) return;
  if (!s.account.guest) return send_register(r);

  s.account.reg = RegStatus::Disabled;
  registered_without_register(r, /*helper=*/false);
}

}  // namespace rtpgate::ctl
