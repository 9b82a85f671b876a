// One browser handle's requests against the loaded plugin (any harness thread).
#include "call_ops.h"

#include "browser_offer.h"

namespace rtpgate::perf {
namespace {

using test::FakeJanus;
using test::PluginEvent;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

std::string describe(const PluginEvent& ev) {
  if (ev.error_code()) return "error " + std::to_string(*ev.error_code()) + " " + ev.error().value_or("");
  const json_t* r = ev.result();
  std::string out = "event " + ev.result_event();
  if (const auto code = test::integer_at(r, "code")) out += " " + std::to_string(*code);
  if (const auto reason = test::string_at(r, "reason")) out += " " + *reason;
  return out;
}

// Next event of the handle, within what is left of `deadline`.
std::optional<PluginEvent> next_event(janus_plugin_session* h, Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) return std::nullopt;
  return FakeJanus::instance().wait_event(h, left);
}

}  // namespace

bool send_guest_register(janus_plugin_session* h, const std::string& username, std::string* why) {
  const auto r = FakeJanus::instance().send(
      h, R"({"request":"register","type":"guest","username":")" + username + "\"}");
  if (r.type != JANUS_PLUGIN_OK_WAIT) {
    *why = "register: handle_message answered " + r.text.value_or("?");
    return false;
  }
  return true;
}

bool wait_registered(janus_plugin_session* h, std::chrono::milliseconds timeout, std::string* why) {
  const auto deadline = Clock::now() + timeout;
  while (auto ev = next_event(h, deadline)) {
    if (ev->error_code()) return *why = "register: " + describe(*ev), false;
    if (ev->result_event() == "registered") return true;
  }
  *why = "register: no `registered` event";
  return false;
}

CallSetup place_call(janus_plugin_session* h, const std::string& uri, uint64_t offer_id,
                     std::chrono::milliseconds timeout) {
  CallSetup out;
  FakeJanus& core = FakeJanus::instance();
  const auto t0 = Clock::now();
  const auto r = core.send(h, R"({"request":"call","uri":")" + uri + "\"}",
                           chrome_audio_offer_jsep(offer_id));
  if (r.type != JANUS_PLUGIN_OK_WAIT) {
    out.why = "call: handle_message answered " + r.text.value_or("?");
    return out;
  }
  const auto deadline = t0 + timeout;
  while (auto ev = next_event(h, deadline)) {
    const std::string name = ev->result_event();
    if (ev->error_code() || name == "hangup") {
      out.why = "call: " + describe(*ev);
      return out;
    }
    if (name == "accepted") {
      out.setup_ms = ms_since(t0);
      out.ok = true;
      core.plugin()->setup_media(h);  // the browser's PeerConnection is up
      return out;
    }
  }
  out.timed_out = true;
  out.why = "call: no `accepted` within " + std::to_string(timeout.count()) + " ms";
  return out;
}

CallEnd hang_up(janus_plugin_session* h, std::chrono::milliseconds timeout) {
  CallEnd out;
  FakeJanus& core = FakeJanus::instance();
  const auto t0 = Clock::now();
  const auto r = core.send(h, R"({"request":"hangup"})");
  if (r.type != JANUS_PLUGIN_OK_WAIT) {
    out.why = "hangup: handle_message answered " + r.text.value_or("?");
    return out;
  }
  const auto deadline = t0 + timeout;
  while (auto ev = next_event(h, deadline)) {
    if (ev->result_event() == "hangup") {
      out.hangup_ms = ms_since(t0);
      out.ok = true;
      break;
    }
    if (ev->error_code()) {
      out.why = "hangup: " + describe(*ev);
      break;
    }
  }
  if (!out.ok && out.why.empty()) {
    out.why = "hangup: no `hangup` event within " + std::to_string(timeout.count()) + " ms";
  }
  core.plugin()->hangup_media(h);  // the core closes the PeerConnection after close_pc
  return out;
}

}  // namespace rtpgate::perf
