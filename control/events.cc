#include "events.h"

#include "log.h"
#include "plugin.h"
#include "session.h"

namespace rtpgate::ctl {
namespace {

Json payload() {
  Json p = Json::object();
  p.set("sip", json_string("event"));
  return p;
}

void add_call_id(Session& s, Json& p) {
  if (!s.call.call_id.empty()) p.set("call_id", json_string(s.call.call_id.c_str()));
}

void push(Session& s, const std::string& transaction, Json& p, const Json& jsep) {
  Plugin& pl = Plugin::instance();
  if (s.destroyed.load() || pl.callbacks() == nullptr) return;
  const int rc = pl.callbacks()->push_event(s.handle(), pl.descriptor(),
                                            transaction.empty() ? nullptr : transaction.c_str(), p.get(),
                                            jsep ? jsep.get() : nullptr);
  if (rc != 0) log(Log::Verb, "push_event refused (%d)", rc);
}

}  // namespace

Json Events::named(const char* event) {
  Json r = Json::object();
  r.set("event", json_string(event));
  return r;
}

void Events::result(Session& s, const std::string& transaction, Json result, Json jsep) {
  result_with(s, transaction, std::move(result), Json{}, std::move(jsep));
}

void Events::result_with(Session& s, const std::string& transaction, Json result, Json top, Json jsep) {
  Json p = payload();
  p.set("result", result.release());
  add_call_id(s, p);
  if (top) json_object_update(p.get(), top.get());
  push(s, transaction, p, jsep);
}

void Events::error(Session& s, const std::string& transaction, int code, const std::string& text) {
  Json p = payload();
  p.set("error_code", json_integer(code));
  p.set("error", json_string(text.c_str()));
  add_call_id(s, p);
  log(Log::Verb, "request error %d: %s", code, text.c_str());
  push(s, transaction, p, Json{});
}

void Events::bare(Session& s, const std::string& transaction) {
  Json p = payload();
  add_call_id(s, p);
  push(s, transaction, p, Json{});
}

void Events::notify(Session* s, Json event) {
  Plugin& pl = Plugin::instance();
  if (!pl.config().events || pl.callbacks() == nullptr || !pl.callbacks()->events_is_enabled()) return;
  // The core steals the reference.
  pl.callbacks()->notify_event(pl.descriptor(), s ? s->handle() : nullptr, event.release());
}

}  // namespace rtpgate::ctl
