// Registration and call states with the names the API exposes (spec §3.1, §3.2).
#pragma once

namespace rtpgate::ctl {

enum class RegStatus : int {
  Disabled = -2,   // guest, send_register:false, helper
  Failed = -1,
  Unregistered = 0,
  Registering = 1,
  Registered = 2,
  Unregistering = 3,
};

enum class CallStatus : int {
  Idle = 0,
  Inviting,
  Invited,
  Progress,
  InCall,
  InCallReinviting,
  InCallReinvited,
  Closing,
};

inline const char* name(RegStatus s) noexcept {
  switch (s) {
    case RegStatus::Disabled: return "disabled";
    case RegStatus::Failed: return "failed";
    case RegStatus::Unregistered: return "unregistered";
    case RegStatus::Registering: return "registering";
    case RegStatus::Registered: return "registered";
    case RegStatus::Unregistering: return "unregistering";
  }
  return "unknown";
}

inline const char* name(CallStatus s) noexcept {
  switch (s) {
    case CallStatus::Idle: return "idle";
    case CallStatus::Inviting: return "inviting";
    case CallStatus::Invited: return "invited";
    case CallStatus::Progress: return "progress";
    case CallStatus::InCall: return "incall";
    case CallStatus::InCallReinviting: return "incall_reinviting";
    case CallStatus::InCallReinvited: return "incall_reinvited";
    case CallStatus::Closing: return "closing";
  }
  return "unknown";
}

// "Registered enough" to call, subscribe or message (spec §3.1).
inline bool can_place_calls(RegStatus s) noexcept { return s == RegStatus::Registered || s == RegStatus::Disabled; }

inline bool established(CallStatus s) noexcept {
  return s == CallStatus::InCall || s == CallStatus::InCallReinviting || s == CallStatus::InCallReinvited;
}

}  // namespace rtpgate::ctl
