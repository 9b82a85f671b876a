// Admin API requests, flow counters as JSON and the sip-in notification (see admin.h).
#include "admin.h"

#include <sofia-sip/msg.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/su_alloc.h>

#include <chrono>
#include <future>
#include <string>

#include "events.h"
#include "plugin.h"
#include "requests/validate.h"
#include "session.h"
#include "sip/sip_stack.h"

namespace rtpgate::ctl {
namespace {

json_t* admin_error(int code, const std::string& text) {
  Json e = Json::object();
  e.set("error_code", json_integer(code));
  e.set("error", json_string(text.c_str()));
  return e.release();
}

json_int_t n(const std::atomic<uint64_t>& c) { return static_cast<json_int_t>(c.load(std::memory_order_relaxed)); }

Json link_json(media::DataPlaneLink& dp) {
  Json j = Json::object();
  std::string why;
  const bool up = dp.available(&why);
  j.set("available", json_boolean(up));
  if (!up) j.set("why", json_string(why.c_str()));
  j.set("open_streams", json_integer(static_cast<json_int_t>(dp.open_streams())));
  const media::LinkCounters& c = dp.counters();
  const struct {
    const char* name;
    const std::atomic<uint64_t>& v;
  } all[] = {
      {"to_dp_pkts", c.to_dp_pkts},
      {"drop_send_stale", c.drop_send_stale},
      {"drop_send_direction", c.drop_send_direction},
      {"drop_send_no_peer", c.drop_send_no_peer},
      {"drop_send_ring_full", c.drop_send_ring_full},
      {"drop_send_too_big", c.drop_send_too_big},
      {"drop_send_no_ring", c.drop_send_no_ring},
      {"from_dp_pkts", c.from_dp_pkts},
      {"delivered_pkts", c.delivered_pkts},
      {"drop_rx_no_stream", c.drop_rx_no_stream},
      {"drop_rx_stale", c.drop_rx_stale},
      {"drop_rx_bad_len", c.drop_rx_bad_len},
      {"attaches", c.attaches},
      {"orphaned_streams", c.orphaned_streams},
      {"readopted_streams", c.readopted_streams},
      {"readopt_failures", c.readopt_failures},
      {"cmd_failures", c.cmd_failures},
      {"cmd_timeouts", c.cmd_timeouts},
      {"leaked_flows", c.leaked_flows},
      {"events_ignored", c.events_ignored},
  };
  Json ctr = Json::object();
  for (const auto& a : all) ctr.set(a.name, json_integer(n(a.v)));
  j.set("counters", ctr.release());
  return j;
}

// One session in a call (loop thread).
Json call_json(Session& s) {
  Json j = Json::object();
  j.set("unique_id", json_string(s.unique_id.c_str()));
  if (!s.account.username.empty()) j.set("username", json_string(s.account.username.c_str()));
  j.set("call_status", json_string(name(s.call.status)));
  if (!s.call.call_id.empty()) j.set("call_id", json_string(s.call.call_id.c_str()));
  if (!s.call.callee.empty()) j.set("callee", json_string(s.call.callee.c_str()));
  if (Json m = s.media.info()) j.set("media", m.release());
  j.set("rtp_forwarders", json_integer(static_cast<json_int_t>(s.call.forwarders.by_id.size())));
  return j;
}

json_t* stats() {
  Plugin& pl = Plugin::instance();
  std::vector<std::shared_ptr<Session>> all = pl.all_sessions();
  Json out = Json::object();
  out.set("rtpgate", json_string("stats"));
  out.set("dataplane", link_json(pl.dataplane()).release());
  out.set("sessions", json_integer(static_cast<json_int_t>(all.size())));
  // Call state belongs to the loop: read it there (bounded wait, as query_session).
  auto done = std::make_shared<std::promise<Json>>();
  std::future<Json> f = done->get_future();
  const bool posted = pl.loop().post([all, done] {
    Json calls(json_array());
    for (const auto& s : all)
      if (!s->destroyed.load() && s->call.status != CallStatus::Idle)
        json_array_append_new(calls.get(), call_json(*s).release());
    done->set_value(std::move(calls));
  });
  if (posted && f.wait_for(std::chrono::seconds(2)) == std::future_status::ready)
    out.set("calls", f.get().release());
  else
    out.set("calls_error", json_string("the SIP loop did not answer in 2 s"));
  return out.release();
}

}  // namespace

json_t* admin_message(json_t* message) {
  if (message == nullptr) return admin_error(kErrNoMessage, "No message??");
  if (!json_is_object(message)) return admin_error(kErrInvalidJson, "JSON error: not an object");
  if (ApiError e = validate(message, {{"request", JType::String, kRequired}})) return admin_error(e.code, e.text);
  const std::string req = str_or(message, "request");
  if (req == "stats") return stats();
  return admin_error(kErrInvalidRequest, "Unknown request (" + req + ")");
}

Json forwarders_info(Session& s) {
  Json a(json_array());
  for (const auto& [id, f] : s.call.forwarders.by_id) {
    Json j = f.summary(id);
    j.set("fwd_flow", json_integer(f.handle));
    media::FwdCounters c;
    if (s.media.forwarder_counters(f.video, f.handle, &c)) {
      j.set("packets", json_integer(static_cast<json_int_t>(c.pkts)));
      j.set("bytes", json_integer(static_cast<json_int_t>(c.bytes)));
      j.set("drops", json_integer(static_cast<json_int_t>(c.drops)));
    }
    json_array_append_new(a.get(), j.release());
  }
  return a;
}

Json flow_counters_json(const rtpgate_shm_flow_counters& c) {
  Json j = Json::object();
#define RTPGATE_FLOW_COUNTER(name, help) j.set(#name, json_integer(static_cast<json_int_t>(c.name)));
#include "rtpgate/shm/flow_counters.def"
#undef RTPGATE_FLOW_COUNTER
  return j;
}

void notify_sip_in(SipStack& stack, nua_event_t event, Session* s, const sip_t* sip) {
  switch (event) {  // events that deliver a new incoming request (not call-state reports)
    case nua_i_invite: case nua_i_ack: case nua_i_bye: case nua_i_cancel: case nua_i_info:
    case nua_i_message: case nua_i_notify: case nua_i_options: case nua_i_refer: case nua_i_subscribe:
    case nua_i_prack: case nua_i_update: case nua_i_publish:
      break;
    default:
      return;
  }
  if (sip == nullptr || sip->sip_request == nullptr) return;
  Plugin& pl = Plugin::instance();
  if (!pl.config().events || pl.callbacks() == nullptr || !pl.callbacks()->events_is_enabled()) return;
  msg_t* msg = nua_current_request(stack.nua());
  if (msg == nullptr) return;
  su_home_t home[1] = {SU_HOME_INIT(home)};
  size_t len = 0;
  char* text = msg_as_string(home, msg, nullptr, 0, &len);
  if (text != nullptr) {
    Json ev = Events::named("sip-in");
    ev.set("sip", json_stringn(text, len));
    Events::notify(s != nullptr && !s->destroyed.load() ? s : nullptr, std::move(ev));
  }
  su_home_deinit(home);
}

}  // namespace rtpgate::ctl
