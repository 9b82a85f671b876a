// `info` and `dtmf_info` (spec §4.11, §4.13): an INFO inside the established call's dialog.
// The state comes before the validator (error_code 0 quirk, spec §2); answers to the INFO
// are not reported.
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_tag.h>

#include "requests/request.h"
#include "sip/sip_util.h"

namespace rtpgate::ctl {
namespace {

constexpr int kDefaultDtmfMs = 160;
constexpr int kMaxDtmfMs = 5000;

void send_info(Session& s, const std::string& type, const std::string& body, json_t* headers) {
  const std::string hdrs = custom_headers(headers);
  nua_info(s.call.nh, SIPTAG_CONTENT_TYPE_STR(type.c_str()), SIPTAG_PAYLOAD_STR(body.c_str()),
           TAG_IF(!hdrs.empty(), SIPTAG_HEADER_STR(hdrs.c_str())), TAG_END());
}

}  // namespace

void handle_info(Request& r) {
  json_t* b = r.body.get();
  if (ApiError e = check_in_call(r.s())) return r.fail(e);
  if (ApiError e = validate(b, {{"type", JType::String, kRequired},
                                {"content", JType::String, kRequired},
                                {"headers", JType::Object, 0}}))
    return r.fail(e);
  send_info(r.s(), str_or(b, "type"), str_or(b, "content"), json_object_get(b, "headers"));
  r.ok(Events::named("infosent"));
}

void handle_dtmf_info(Request& r) {
  json_t* b = r.body.get();
  if (ApiError e = check_in_call(r.s())) return r.fail(e);
  if (ApiError e = validate(b, {{"digit", JType::String, kRequired},
                                {"duration", JType::Integer, kPositive},
                                {"headers", JType::Object, 0}}))
    return r.fail(e);
  const std::string digit = str_or(b, "digit");
  if (digit.size() != 1) return r.fail(kErrInvalidElement, "Invalid element (digit should be one character)");
  long long ms = int_or(b, "duration", kDefaultDtmfMs);
  if (ms <= 0 || ms > kMaxDtmfMs) ms = kDefaultDtmfMs;
  send_info(r.s(), "application/dtmf-relay", "Signal=" + digit + "\r\nDuration=" + std::to_string(ms),
            json_object_get(b, "headers"));
  r.ok(Events::named("dtmfsent"));
}

}  // namespace rtpgate::ctl
