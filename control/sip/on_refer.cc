// REFER in both directions (spec §5, §8), loop thread:
//  - an incoming REFER is answered 202 and surfaced as the `transfer` event with a new
//    refer_id; no NOTIFY is sent until the application's `call` with that refer_id;
//  - NOTIFYs on a call's dialog report the progress of a REFER we sent (`transfer`):
//    `notify` events (the implicit subscription of RFC 3515).
#include <sofia-sip/msg_header.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/url.h>
#include <strings.h>

#include "events.h"
#include "log.h"
#include "plugin.h"
#include "session.h"
#include "sip/sip_events.h"
#include "sip/sip_stack.h"
#include "sip/sip_util.h"
#include "transfers.h"

namespace rtpgate::ctl {
namespace {

// These events carry no top-level call_id from the session (spec §5): pushed as built.
void push(Session& s, Json result, Json top = {}) {
  Plugin& pl = Plugin::instance();
  if (s.destroyed.load() || pl.callbacks() == nullptr) return;
  Json p = Json::object();
  p.set("sip", json_string("event"));
  p.set("result", result.release());
  if (top) json_object_update(p.get(), top.get());
  pl.callbacks()->push_event(s.handle(), pl.descriptor(), s.transaction.empty() ? nullptr : s.transaction.c_str(),
                             p.get(), nullptr);
}

// The Call-ID in a "Replaces: <call-id>;to-tag=..;from-tag=.." header line ("" if none).
std::string replaces_call_id(const std::string& header_lines) {
  static constexpr char kName[] = "replaces:";
  for (size_t pos = 0; pos < header_lines.size();) {
    size_t eol = header_lines.find("\r\n", pos);
    if (eol == std::string::npos) eol = header_lines.size();
    const std::string line = header_lines.substr(pos, eol - pos);
    pos = eol + 2;
    if (line.size() < sizeof kName - 1 || strncasecmp(line.c_str(), kName, sizeof kName - 1) != 0) continue;
    std::string v = line.substr(sizeof kName - 1);
    v = v.substr(0, v.find(';'));
    const size_t b = v.find_first_not_of(" \t");
    const size_t e = v.find_last_not_of(" \t");
    return b == std::string::npos ? "" : v.substr(b, e - b + 1);
  }
  return "";
}

struct ReferTo {
  std::string uri;       // bare URI, without its headers
  std::string headers;   // the URI's headers as "Name: value" lines
};

ReferTo parse_refer_to(const sip_refer_to_t* rt) {
  Home home;
  ReferTo out;
  url_t* u = url_hdup(home.h, rt->r_url);
  if (u == nullptr) return out;
  const char* query = u->url_headers;
  u->url_headers = nullptr;
  if (char* s = url_as_string(home.h, u)) out.uri = s;
  if (query != nullptr)
    if (char* h = url_query_as_header_string(home.h, query)) out.headers = h;
  return out;
}

// A REFER without Referred-By is referred by its sender (From's URI), as stock reports it.
std::string referred_by(const sip_t* sip) {
  const std::string by = referred_by_header(sip);
  return by.empty() ? addr_uri(sip->sip_from) : by;
}

std::string event_text(tagi_t tags[]) {
  const sip_event_t* ev = nullptr;
  tl_gets(tags, NUTAG_REFER_EVENT_REF(ev), TAG_END());
  if (ev == nullptr) return "refer";
  Home home;
  char* s = sip_header_as_string(home.h, reinterpret_cast<const sip_header_t*>(ev));
  return s ? s : "refer";
}

}  // namespace

bool refer_notify_done(nua_handle_t* nh, int status, tagi_t tags[]) {
  int substate = nua_substate_active;
  tl_gets(tags, NUTAG_SUBSTATE_REF(substate), TAG_END());
  if (status < 200 || substate != nua_substate_terminated) return false;
  transfers::forget_handle(nh);
  return true;
}

std::string referred_by_header(const sip_t* sip) {
  if (sip == nullptr || sip->sip_referred_by == nullptr) return "";
  Home home;
  char* s = sip_header_as_string(home.h, reinterpret_cast<const sip_header_t*>(sip->sip_referred_by));
  return s ? s : "";
}

void on_incoming_refer(SipStack& stack, Session* bound, nua_handle_t* nh, const sip_t* sip, tagi_t tags[]) {
  if (bound != nullptr && bound->destroyed.load()) {   // the dialog of a session that went away
    nua_respond(nh, 481, sip_status_phrase(481), NUTAG_WITH_THIS(stack.nua()), TAG_END());
    return;
  }
  const bool in_dialog = bound != nullptr;
  std::shared_ptr<Session> target = in_dialog ? Plugin::instance().find(bound->handle()) : stack.owner();
  if (!target || target->destroyed.load()) {
    nua_respond(nh, 500, sip_status_phrase(500), NUTAG_WITH_THIS(stack.nua()), TAG_END());
    if (!in_dialog) nua_handle_destroy(nh);
    return;
  }
  if (sip == nullptr || sip->sip_refer_to == nullptr) {
    log_peer(Log::Warn, "[%s] REFER without Refer-To", target->account.username.c_str());
    nua_respond(nh, 400, sip_status_phrase(400), NUTAG_WITH_THIS(stack.nua()), TAG_END());
    if (!in_dialog) nua_handle_destroy(nh);
    return;
  }
  const ReferTo rt = parse_refer_to(sip->sip_refer_to);
  Transfer t;
  t.receiver = target;
  t.nh = nh;
  t.own_handle = !in_dialog;
  t.dialog_call_id = in_dialog ? target->call.call_id : "";
  t.event = event_text(tags);
  t.referred_by = referred_by(sip);
  t.headers = rt.headers;
  const std::string by = t.referred_by;
  nua_respond(nh, 202, sip_status_phrase(202), NUTAG_WITH_THIS(stack.nua()), TAG_END());
  const uint32_t id = transfers::add(std::move(t));
  log_peer(Log::Verb, "[%s] REFER to %s (by %s): transfer %u", target->account.username.c_str(), rt.uri.c_str(),
      by.c_str(), id);

  Json res = Events::named("transfer");
  res.set("refer_id", json_integer(id));
  res.set("refer_to", json_string(rt.uri.c_str()));
  if (!by.empty()) res.set("referred_by", json_string(by.c_str()));
  const std::string replaces = replaces_call_id(rt.headers);
  if (!replaces.empty()) res.set("replaces", json_string(replaces.c_str()));
  if (Json h = incoming_headers(sip, target->account.incoming_header_prefixes)) res.set("headers", h.release());
  push(*target, std::move(res));
}

void on_refer_notify(Session& s, nua_handle_t*, const sip_t* sip, tagi_t tags[]) {
  if (sip == nullptr || sip->sip_payload == nullptr || sip->sip_payload->pl_data == nullptr) return;
  Json res = Events::named("notify");
  if (sip->sip_event != nullptr && sip->sip_event->o_type != nullptr)
    res.set("notify", json_string(sip->sip_event->o_type));
  if (const tagi_t* t = tl_find(tags, nutag_substate))
    res.set("substate", json_string(nua_substate_name(static_cast<nua_substate>(t->t_value))));
  if (sip->sip_content_type != nullptr && sip->sip_content_type->c_type != nullptr)
    res.set("content-type", json_string(sip->sip_content_type->c_type));
  res.set("content", json_stringn(sip->sip_payload->pl_data, sip->sip_payload->pl_len));
  if (Json h = incoming_headers(sip, s.account.incoming_header_prefixes)) res.set("headers", h.release());
  Json top = Json::object();
  if (sip->sip_call_id != nullptr && sip->sip_call_id->i_id != nullptr)
    top.set("call_id", json_string(sip->sip_call_id->i_id));
  push(s, std::move(res), std::move(top));
}

}  // namespace rtpgate::ctl
