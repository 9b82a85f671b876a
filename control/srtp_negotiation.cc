// SDES-SRTP of a call: requests, SIP events and the data plane around sdp::SdesState.
// Loop thread. Keys are never logged: messages name media and profiles only.
#include "srtp_negotiation.h"

#include "log.h"
#include "sdp/crypto_rewrite.h"
#include "sdp/sdes.h"
#include "session.h"

namespace rtpgate::ctl {
namespace {

bool required_by(const Session& s, const SrtpChoice& c) {
  return c.mode == "sdes_mandatory" || s.call.sdes.required;
}

}  // namespace

ApiError srtp_begin_offer(Session& s, const SrtpChoice& c, bool audio, bool video, const char* fail_text) {
  sdp::SdesState& st = s.call.sdes;
  if (c.mode.empty()) {
    st.clear();
    return {};
  }
  const media::SrtpProfile p = media::srtp_profile_from_name(c.profile);
  if (!sdp::make_offer(&st, p, c.mode == "sdes_mandatory", audio, video)) {
    log(Log::Err, "[%s] no random bytes for SRTP keys", s.account.username.c_str());
    return {kErrIo, fail_text};
  }
  return {};
}

ApiError srtp_check_answer(const Session& s, const SrtpChoice& c, const char* verb) {
  const CallState& call = s.call;
  if (!call.remote_known || !required_by(s, c)) return {};
  sdp::SdesState st;
  st.required = true;
  st.audio.remote = call.sdes.audio.remote;
  st.video.remote = call.sdes.video.remote;
  if (!sdp::missing_required(st, call.remote)) return {};
  return {kErrTooStrict, std::string("Can't ") + verb + " the call: SDES-SRTP required, but caller didn't offer it"};
}

ApiError srtp_begin_answer(Session& s, const SrtpChoice& c, bool audio, bool video) {
  sdp::SdesState& st = s.call.sdes;
  if (c.mode == "sdes_mandatory") st.required = true;
  if (!sdp::make_answer(&st, audio, video)) {
    log(Log::Err, "[%s] no random bytes for SRTP keys", s.account.username.c_str());
    return {kErrIo, "Could not allocate RTP/RTCP ports"};
  }
  return {};
}

ApiError srtp_begin_reoffer(Session& s, bool audio, bool video) {
  if (sdp::make_reoffer(&s.call.sdes, audio, video)) return {};
  log(Log::Err, "[%s] no random bytes for SRTP keys", s.account.username.c_str());
  return {kErrIo, "Error manipulating SDP"};
}

bool apply_remote_crypto(Session& s, const sdp::RemoteMedia& rm, sdp::SdpType type, std::string* why) {
  sdp::SdesState& st = s.call.sdes;
  if (type == sdp::SdpType::Offer) {
    sdp::take_offer(&st, rm);
    if (!sdp::make_answer(&st, rm.audio.present, rm.video.present)) return *why = "no random bytes for SRTP keys", false;
  } else {
    sdp::take_answer(&st, rm);
    if (sdp::missing_required(st, rm)) {
      *why = "SDES-SRTP required, but the answer has no matching a=crypto for every medium";
      return false;
    }
  }
  return srtp_program(s, why);
}

bool srtp_program(Session& s, std::string* why) {
  for (bool video : {false, true}) {
    sdp::SdesMedium& m = s.call.sdes.medium(video);
    if (!s.media.has(video) || (!m.local_changed && !m.remote_changed)) continue;
    const bool on = m.active();
    if (!s.media.set_srtp(video, on ? &m.local : nullptr, on ? &m.remote : nullptr, why)) {
      log(Log::Err, "[%s] data plane refused SRTP on %s: %s", s.account.username.c_str(), video ? "video" : "audio",
          why->c_str());
      return false;
    }
    log(Log::Verb, "[%s] %s: %s", s.account.username.c_str(), video ? "video" : "audio",
        on ? media::srtp_profile_name(m.local.profile) : "plain RTP");
    m.local_changed = m.remote_changed = false;
  }
  return true;
}

void srtp_fill_local(const Session& s, sdp::LocalMedia* lm) { sdp::fill_local(s.call.sdes, lm); }

bool srtp_refresh_local_sdp(Session& s) {
  CallState& c = s.call;
  sdp::LocalMedia lm;
  srtp_fill_local(s, &lm);
  std::string out, why;
  bool changed = false;
  const bool ok = sdp::rewrite_crypto(c.local_sdp, lm, &out, &changed, &why);
  sdp::wipe_string(&lm.audio.crypto);
  sdp::wipe_string(&lm.video.crypto);
  if (!ok) log(Log::Warn, "[%s] cannot put our SRTP keys in the answer: %s", s.account.username.c_str(), why.c_str());
  if (ok && changed) {
    sdp::wipe_string(&c.local_sdp);
    c.local_sdp = std::move(out);
  }
  sdp::wipe_string(&out);
  return ok && changed;
}

void srtp_wipe_call(Session& s) noexcept {
  CallState& c = s.call;
  c.sdes.clear();
  sdp::wipe_string(&c.local_sdp);
  sdp::wipe_string(&c.remote_sdp);
  sdp::wipe_keys(&c.remote);
}

void srtp_info(const Session& s, Json& j) {
  const sdp::SdesState& st = s.call.sdes;
  const auto yes_no = [](bool b) { return json_string(b ? "yes" : "no"); };
  j.set("srtp-required", yes_no(st.required));
  j.set("sdes-local-audio", yes_no(st.audio.local.valid()));
  j.set("sdes-local-video", yes_no(st.video.local.valid()));
  j.set("sdes-remote-audio", yes_no(st.audio.remote.valid()));
  j.set("sdes-remote-video", yes_no(st.video.remote.valid()));
}

}  // namespace rtpgate::ctl
