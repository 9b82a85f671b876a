#include <algorithm>
#include <cctype>
#include <cstring>

#include "requests/request.h"

namespace rtpgate::ctl {
namespace {

struct Entry {
  const char* name;
  RequestHandler fn;
};

// Requests of plugin part 1; the rest arrive with their issues.
constexpr Entry kRequests[] = {
    {"register", handle_register},     {"unregister", handle_unregister}, {"call", handle_call},
    {"accept", handle_accept},         {"progress", handle_progress},     {"send_ringing", handle_send_ringing},
    {"decline", handle_decline},       {"hangup", handle_hangup},         {"reset", handle_reset},
    {"transfer", handle_transfer},
    {"info", handle_info},             {"dtmf_info", handle_dtmf_info},   {"message", handle_message},
    {"subscribe", handle_subscribe},   {"unsubscribe", handle_unsubscribe},
    {"keyframe", handle_keyframe},     {"rtp_forward", handle_rtp_forward},
    {"stop_rtp_forward", handle_stop_rtp_forward}, {"listforwarders", handle_listforwarders},
    {"hold", handle_hold},             {"unhold", handle_unhold},         {"update", handle_update},
    {"recording", handle_recording},
};

}  // namespace

RequestHandler find_request(const std::string& name) {
  for (const Entry& e : kRequests)
    if (name == e.name) return e.fn;
  return nullptr;
}

void dispatch_request(Request& r) {
  json_t* body = r.body.get();
  if (body == nullptr) return r.fail(kErrNoMessage, "No message??");
  if (!json_is_object(body)) return r.fail(kErrInvalidJson, "JSON error: not an object");
  if (ApiError e = validate(body, {{"request", JType::String, kRequired}})) return r.fail(e);
  const std::string given = str_or(body, "request");
  r.name = given;
  std::transform(r.name.begin(), r.name.end(), r.name.begin(), [](unsigned char c) { return std::tolower(c); });
  RequestHandler fn = find_request(r.name);
  if (fn == nullptr) return r.fail(kErrInvalidRequest, "Unknown request (" + given + ")");
  fn(r);
}

}  // namespace rtpgate::ctl
