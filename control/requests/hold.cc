// `hold` and `unhold` (spec §4.8): a re-INVITE with our stored SDP, directions rewritten or
// restored; the data plane stops the held directions at once. Loop thread.
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_tag.h>

#include "log.h"
#include "requests/request.h"
#include "sip/reinvite.h"
#include "sip/sip_util.h"

namespace rtpgate::ctl {
namespace {

// The directions our re-INVITE states: held (remembering the current ones) or restored.
sdp::MediaDirections hold_directions(ReinviteState& h, bool hold) {
  if (!hold) return h.pre_hold;
  h.pre_hold = h.ours;
  sdp::MediaDirections next;
  if (h.ours.audio) next.audio = sdp::held_direction(*h.ours.audio, h.hold_dir);
  if (h.ours.video) next.video = sdp::held_direction(*h.ours.video, h.hold_dir);
  return next;
}

void hold_or_unhold(Request& r, bool hold) {
  Session& s = r.s();
  CallState& c = s.call;
  json_t* b = r.body.get();
  if (c.status != CallStatus::InCall) return;   // silently ignored (spec §2, §3.3)
  if (c.callee.empty()) return r.fail(kErrWrongState, "Wrong state (no callee?)");
  if (c.local_sdp.empty()) return r.fail(kErrWrongState, "Wrong state (no SDP?)");
  ReinviteState& h = c.reinvite;
  // As 1.1.2: nothing (not even the fields) is looked at unless the hold state changes.
  if (hold != h.on_hold) {
    sdp::Direction dir = sdp::Direction::SendOnly;
    if (hold) {
      if (ApiError e = validate(b, {{"direction", JType::String, 0}})) return r.fail(e);
      if (has(b, "direction")) {
        const auto d = sdp::parse_direction(str_or(b, "direction"));
        if (!d || *d == sdp::Direction::SendRecv)
          return r.fail(kErrInvalidElement, "Invalid direction (can only be sendonly, recvonly or inactive)");
        dir = *d;
      }
      h.hold_dir = dir;
    }
    std::string why, sdp;
    sdp::MediaDirections next;
    if (our_directions(s, &why)) next = hold_directions(h, hold);
    if (!why.empty() || !next_local_sdp(s, next, &sdp, &why)) {
      log(Log::Err, "[%s] cannot rewrite our SDP for %s: %s", s.account.username.c_str(), r.name.c_str(), why.c_str());
      return r.fail(kErrIo, "Error manipulating SDP");
    }
    h.ours = next;
    h.on_hold = hold;
    h.update_pending = false;
    apply_media_directions(s);
    const std::string hdrs = custom_headers(json_object_get(b, "headers"));
    nua_invite(c.nh, SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(sdp.c_str()),
               TAG_IF(!hdrs.empty(), SIPTAG_HEADER_STR(hdrs.c_str())), NUTAG_AUTOANSWER(0), NUTAG_AUTOACK(0),
               TAG_END());
  }
  r.ok(Events::named(hold ? "holding" : "resuming"));
}

}  // namespace

void handle_hold(Request& r) { hold_or_unhold(r, true); }
void handle_unhold(Request& r) { hold_or_unhold(r, false); }

}  // namespace rtpgate::ctl
