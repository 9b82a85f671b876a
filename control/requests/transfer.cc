// `transfer` (spec §4.10, §8): REFER on the current dialog, blind or attended (`replace`:
// the Call-ID of another call of the same master or its helpers); and `decline` of a
// received REFER (spec §4.6). Loop thread.
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_alloc.h>

#include "log.h"
#include "plugin.h"
#include "requests/request.h"
#include "sip/sip_util.h"
#include "transfers.h"

namespace rtpgate::ctl {
namespace {

bool has_call(const Session& s, const std::string& call_id) {
  return !s.destroyed.load() && s.call.nh != nullptr && s.call.call_id == call_id;
}

// The master's active-call list (spec §7): the calls of the master and of its helpers.
Session* find_active_call(Session& s, const std::string& call_id) {
  std::shared_ptr<Session> master = s.helper ? s.master.lock() : nullptr;
  Session& m = master ? *master : s;
  if (has_call(m, call_id)) return &m;
  for (auto& w : m.helpers)
    if (auto h = w.lock(); h && has_call(*h, call_id)) return h.get();
  if (has_call(s, call_id)) return &s;   // a helper whose master is gone
  return nullptr;
}

// "<uri?Replaces=call-id%3Bto-tag%3D..%3Bfrom-tag%3D..>" for the dialog of `replaced`,
// escaped by Sofia's own URL-header encoder.
std::string attended_refer_to(const std::string& uri, Session& replaced) {
  Home home;
  sip_replaces_t* r = nua_handle_make_replaces(replaced.call.nh, home.h, 0);
  if (r == nullptr) return "";
  char* query = sip_headers_as_url_query(home.h, SIPTAG_REPLACES(r), TAG_END());
  if (query == nullptr) return "";
  return "<" + uri + "?" + query + ">";
}

}  // namespace

void handle_transfer(Request& r) {
  Session& s = r.s();
  CallState& c = s.call;
  json_t* b = r.body.get();
  // v1.1.2's table lists call_id (unused) and reads `replace` unchecked; HEAD checks `replace`.
  const bool head = Plugin::instance().config().compat == Compat::Head;
  ApiError e = head ? validate(b, {{"uri", JType::String, kRequired}, {"replace", JType::String, 0}})
                    : validate(b, {{"uri", JType::String, kRequired}, {"call_id", JType::String, 0}});
  if (e) return r.fail(e);
  if (ApiError st = check_in_call(s)) return r.fail(st);
  if (c.local_sdp.empty()) return r.fail(kErrWrongState, "Wrong state (no local SDP?)");
  const std::string uri = str_or(b, "uri");
  if (!valid_uri(uri, UriKind::Sip)) return r.fail(kErrInvalidAddress, "Invalid user address " + uri + "\n");
  std::string refer_to = "<" + uri + ">";
  if (json_t* rep = json_object_get(b, "replace"); json_is_string(rep)) {
    const std::string id = json_string_value(rep);
    Session* other = find_active_call(s, id);
    const std::string attended = other ? attended_refer_to(uri, *other) : "";
    if (attended.empty()) return r.fail(kErrNoSuchCallid, "No such call-ID " + id);
    refer_to = attended;
  }
  const std::string hdrs = custom_headers(json_object_get(b, "headers"));
  // Referred-By names the account (RFC 3892), not the stack's Contact Sofia would put there.
  const std::shared_ptr<Session> master = s.helper ? s.master.lock() : nullptr;
  const std::string& identity = master ? master->account.identity : s.account.identity;
  const std::string by = identity.empty() ? "" : "<" + identity + ">";
  log(Log::Verb, "[%s] REFER to %s", s.account.username.c_str(), refer_to.c_str());
  nua_refer(c.nh, SIPTAG_REFER_TO_STR(refer_to.c_str()), TAG_IF(!by.empty(), SIPTAG_REFERRED_BY_STR(by.c_str())),
            TAG_IF(!hdrs.empty(), SIPTAG_HEADER_STR(hdrs.c_str())), TAG_END());
  r.ok(Events::named("transferring"));
}

void decline_transfer(Request& r, uint32_t refer_id) {
  long long code = int_or(r.body.get(), "code", 603);
  if (code <= 399 || code > 699) code = 603;
  const int status = static_cast<int>(code);
  if (!transfers::notify(refer_id, status, sip_status_phrase(status), /*final=*/true)) {
    transfers::erase(refer_id);
    return r.fail(kErrWrongState, "Wrong state (no transfer?)");
  }
  Json res = Events::named("declining");
  res.set("refer_id", json_integer(refer_id));
  res.set("code", json_integer(code));
  r.ok(std::move(res));
  Json ev = Events::named("declined");
  ev.set("refer_id", json_integer(refer_id));
  ev.set("code", json_integer(code));
  Events::notify(&r.s(), std::move(ev));
}

}  // namespace rtpgate::ctl
