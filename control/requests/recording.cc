// `recording` (spec §4.15, §12): start/stop/pause/resume .mjr recordings of the user's
// and the peer's audio and video. The files are written by the data plane (plain RTP,
// before SRTP protect / after unprotect); here: checks, names, codecs and keyframes.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>

#include "log.h"
#include "plugin.h"
#include "requests/request.h"

namespace rtpgate::ctl {
namespace {

enum class RecAction { Start, Stop, Pause, Resume, Invalid };

RecAction parse_action(std::string a) {
  std::transform(a.begin(), a.end(), a.begin(), [](unsigned char c) { return std::tolower(c); });
  if (a == "start") return RecAction::Start;
  if (a == "stop") return RecAction::Stop;
  if (a == "pause") return RecAction::Pause;
  if (a == "resume") return RecAction::Resume;
  return RecAction::Invalid;
}

struct Target {
  bool video, peer;
  const char* key;        // request field
  const char* with_base;  // suffix after the filename base
  const char* generated;  // suffix of the generated name
};

constexpr Target kTargets[] = {
    {false, false, "audio", "-user-audio", "own-audio"},
    {true, false, "video", "-user-video", "own-video"},
    {false, true, "peer_audio", "-peer-audio", "peer-audio"},
    {true, true, "peer_video", "-peer-video", "peer-video"},
};

// The recorder runs in another process: relative names are made absolute against our
// working directory, which is where the stock plugin's files would go.
std::string absolute(const std::string& name) {
  if (!name.empty() && name[0] == '/') return name;
  char cwd[4096];
  if (getcwd(cwd, sizeof cwd) == nullptr) return name;
  return std::string(cwd) + "/" + name;
}

std::string file_name(const Session& s, const std::string& base, const Target& t, long long now_us) {
  if (!base.empty()) return absolute(base + t.with_base + ".mjr");
  const std::string user = s.account.username.empty() ? "unknown" : s.account.username;
  const std::string tr = s.transaction.empty() ? "unknown" : s.transaction;
  return absolute("sip-" + user + "-" + tr + "-" + std::to_string(now_us) + "-" + t.generated + ".mjr");
}

void start_one(Session& s, const Target& t, const std::string& base, long long now_us, bool force_pli) {
  const sdp::RemoteMedium& rm = t.video ? s.call.remote.video : s.call.remote.audio;
  if (!s.media.has(t.video) || rm.codec.empty()) {
    log(Log::Warn, "[%s] recording: no %s to record", s.account.username.c_str(), t.key);
    return;
  }
  media::RecSpec r;
  r.path = file_name(s, base, t, now_us);
  r.codec = rm.codec;
  r.clock_hz = rm.clock_rate;
  r.pli = t.video && t.peer && (rm.pli || force_pli);
  std::string why;
  if (!s.media.start_recording(t.video, t.peer, r, &why)) {
    // As stock: a recorder that cannot be created is only logged.
    log(Log::Err, "[%s] recording: cannot record %s to %s: %s", s.account.username.c_str(), t.key, r.path.c_str(),
        why.c_str());
    return;
  }
  log(Log::Info, "[%s] recording %s (%s) to %s", s.account.username.c_str(), t.key, r.codec.c_str(), r.path.c_str());
  if (t.video && !t.peer) {
    janus_callbacks* cb = Plugin::instance().callbacks();
    if (cb != nullptr && !s.destroyed.load()) cb->send_pli(s.handle());  // a keyframe to start the file
  } else if (r.pli) {
    s.media.send_peer_pli(true);
  }
}

}  // namespace

void handle_recording(Request& r) {
  Session& s = r.s();
  const CallStatus st = s.call.status;
  if (st != CallStatus::Inviting && st != CallStatus::Progress && !established(st))
    return r.fail(0, "Wrong state (not in a call?)");
  json_t* b = r.body.get();
  if (ApiError e = validate(b, {{"action", JType::String, kRequired},
                                {"audio", JType::Boolean, 0},
                                {"video", JType::Boolean, 0},
                                {"peer_audio", JType::Boolean, 0},
                                {"peer_video", JType::Boolean, 0},
                                {"send_peer_pli", JType::Boolean, 0},
                                {"filename", JType::String, 0}}))
    return r.fail(e);
  const RecAction action = parse_action(str_or(b, "action"));
  if (action == RecAction::Invalid)
    return r.fail(kErrInvalidElement, "Invalid action (should be start|stop|pause|resume)");
  bool any = false;
  for (const Target& t : kTargets) any = any || bool_or(b, t.key, false);
  if (!any)
    return r.fail(kErrRecording,
                  "Invalid request (at least one of audio, video, peer_audio and peer_video should be true)");
  const std::string base = str_or(b, "filename");
  const long long now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::system_clock::now().time_since_epoch()).count();
  const bool force_pli = bool_or(b, "send_peer_pli", false);
  for (const Target& t : kTargets) {
    if (!bool_or(b, t.key, false)) continue;
    std::string why;
    switch (action) {
      case RecAction::Start:
        start_one(s, t, base, now_us, force_pli);
        break;
      case RecAction::Stop:
        s.media.stop_recording(t.video, t.peer);  // never an error
        break;
      case RecAction::Pause:
      case RecAction::Resume:
        if (s.media.recording_file(t.video, t.peer).empty()) break;
        if (!s.media.pause_recording(t.video, t.peer, action == RecAction::Pause, &why))
          log(Log::Warn, "[%s] recording: %s: %s", s.account.username.c_str(), t.key, why.c_str());
        else if (action == RecAction::Resume && t.video && !t.peer && Plugin::instance().callbacks() != nullptr)
          Plugin::instance().callbacks()->send_pli(s.handle());
        break;
      case RecAction::Invalid:
        break;
    }
  }
  r.ok(Events::named("recordingupdated"));
}

}  // namespace rtpgate::ctl
