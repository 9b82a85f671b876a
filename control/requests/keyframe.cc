// `keyframe` (spec §4.16, §12; HEAD only): a PLI to the browser (core send_pli) and/or
// to the SIP peer (RTCP PLI through the data plane, only if the peer negotiated PLI).
#include "log.h"
#include "plugin.h"
#include "requests/request.h"

namespace rtpgate::ctl {

void handle_keyframe(Request& r) {
  Session& s = r.s();
  // The state decides first (in-call request), with error_code 0 as stock.
  if (!established(s.call.status)) return r.fail(0, "Wrong state (not in a call?)");
  json_t* b = r.body.get();
  if (ApiError e = validate(b, {{"user", JType::Boolean, 0}, {"peer", JType::Boolean, 0}})) return r.fail(e);
  if (bool_or(b, "user", false)) {
    janus_callbacks* cb = Plugin::instance().callbacks();
    if (cb != nullptr && !s.destroyed.load()) cb->send_pli(s.handle());
  }
  if (bool_or(b, "peer", false)) {
    if (!s.call.remote.video.present || !s.call.remote.video.pli)
      log(Log::Verb, "[%s] keyframe: the peer did not negotiate PLI, none sent", s.account.username.c_str());
    else if (!s.media.send_peer_pli())
      log(Log::Warn, "[%s] keyframe: no PLI sent to the peer (no video stream or data plane)",
          s.account.username.c_str());
  }
  r.ok(Events::named("keyframesent"));
}

}  // namespace rtpgate::ctl
