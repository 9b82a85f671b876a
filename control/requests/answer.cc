// `accept` and `progress` (spec §4.4): 200 or 183 with the browser's SDP rewritten.
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>

#include "call_control.h"
#include "plugin.h"
#include "requests/request.h"
#include "requests/srtp_params.h"
#include "srtp_negotiation.h"
#include "sip/sip_util.h"

namespace rtpgate::ctl {
namespace {

enum class Kind { Accept, Progress };

void answer(Request& r, Kind kind) {
  Session& s = r.s();
  CallState& c = s.call;
  json_t* b = r.body.get();
  if (kind == Kind::Progress && c.status != CallStatus::Invited)
    return r.fail(kErrWrongState, std::string("Wrong state (not invited? status=") + name(c.status) + ")");
  if (kind == Kind::Accept && c.status != CallStatus::Invited && c.status != CallStatus::Progress) {
    // 1.1.2 has no progress state and says so in the text.
    const bool head = Plugin::instance().config().compat == Compat::Head;
    return r.fail(kErrWrongState, std::string(head ? "Wrong state (not invited or progress? status=" : "Wrong state (not invited? status=") +
                                      name(c.status) + ")");
  }
  if (c.callee.empty()) return r.fail(kErrWrongState, "Wrong state (no caller?)");
  if (ApiError e = validate(b, {{"srtp", JType::String, 0},
                                {"srtp_profile", JType::String, 0},
                                {"headers", JType::Object, 0},
                                {"autoaccept_reinvites", JType::Boolean, 0}}))
    return r.fail(e);
  json_t* jsep = r.jsep.get();
  const std::string type = str_or(jsep, "type");
  if (!has(jsep, "type") || !has(jsep, "sdp")) return r.fail(kErrMissingSdp, "Missing SDP");
  SrtpChoice srtp;
  if (ApiError e = parse_srtp(b, c.offerless, &srtp)) return r.fail(e);
  if (ApiError e = srtp_check_answer(s, srtp, kind == Kind::Accept ? "accept" : "progress")) return r.fail(e);
  std::string browser_sdp;
  sdp::BrowserSdpInfo info;
  if (ApiError e = check_browser_jsep(jsep, &browser_sdp, &info)) return r.fail(e);
  const bool offer = type == "offer";
  if (ApiError e = offer ? srtp_begin_offer(s, srtp, info.has_audio, info.has_video, "Could not allocate RTP/RTCP ports")
                         : srtp_begin_answer(s, srtp, info.has_audio, info.has_video))
    return r.fail(e);
  std::string local;
  if (ApiError e = prepare_local_sdp(s, browser_sdp, info, offer ? sdp::SdpType::Offer : sdp::SdpType::Answer, false,
                                     "Could not allocate RTP/RTCP ports", &local))
    return r.fail(e);
  std::string why;
  if (!offer && c.remote_known && (!s.media.set_remote(c.remote, &why) || !srtp_program(s, &why))) {
    s.media.close();
    return r.fail(kErrIo, "Could not allocate RTP/RTCP ports");
  }
  c.autoaccept_reinvites = bool_or(b, "autoaccept_reinvites", true);
  c.srtp = srtp.mode;
  c.srtp_profile = srtp.profile;
  const std::string hdrs = custom_headers(json_object_get(b, "headers"));
  const int code = kind == Kind::Accept ? 200 : 183;
  nua_respond(c.nh, code, sip_status_phrase(code), SIPTAG_CONTENT_TYPE_STR("application/sdp"),
              SIPTAG_PAYLOAD_STR(local.c_str()), TAG_IF(!hdrs.empty(), SIPTAG_HEADER_STR(hdrs.c_str())),
              NUTAG_AUTOANSWER(0), TAG_END());
  s.transaction = r.transaction;
  if (kind == Kind::Accept) {
    c.status = CallStatus::InCall;
  } else {
    c.status = CallStatus::Progress;
  }
  if (!offer) s.media.set_live(true);
  const char* ev = kind == Kind::Progress ? "progressed" : (offer ? "accepting" : "accepted");
  r.ok(Events::named(ev));
  Json n = Events::named(ev);
  if (!c.call_id.empty()) n.set("call-id", json_string(c.call_id.c_str()));
  Events::notify(&s, std::move(n));
  sdp::wipe_string(&local);   // may hold our SRTP keys (c.local_sdp keeps the copy in use)
}

}  // namespace

void handle_accept(Request& r) { answer(r, Kind::Accept); }
void handle_progress(Request& r) { answer(r, Kind::Progress); }

}  // namespace rtpgate::ctl
