// One browser handle's requests against the loaded plugin through the fake core: guest
// registration, `call` -> `accepted`, `hangup` -> `hangup`, and the PeerConnection going up
// and down (setup_media / hangup_media, as the core would). Any harness thread; each handle
// is driven by one thread at a time.
#pragma once
#include <chrono>
#include <string>

#include "fake_janus.h"

namespace rtpgate::perf {

using Clock = std::chrono::steady_clock;

// Sends `register` type guest. Does not wait (see wait_registered).
bool send_guest_register(janus_plugin_session* h, const std::string& username, std::string* why);
// Waits for the `registered` event (error events fail).
bool wait_registered(janus_plugin_session* h, std::chrono::milliseconds timeout, std::string* why);

struct CallSetup {
  bool ok = false;
  bool timed_out = false;  // no answer: the call may still be in progress (hang it up)
  double setup_ms = 0;     // `call` handed to the plugin -> `accepted` pushed
  std::string why;         // failure: error / hangup event / timeout
};
// `call` with a Chrome offer to `uri`; waits for `accepted` (calling/ringing/proceeding/
// progress are skipped). On success the PeerConnection is reported up (setup_media).
CallSetup place_call(janus_plugin_session* h, const std::string& uri, uint64_t offer_id,
                     std::chrono::milliseconds timeout);

struct CallEnd {
  bool ok = false;
  double hangup_ms = 0;  // `hangup` handed to the plugin -> `hangup` event
  std::string why;
};
// `hangup`, waits for the `hangup` event, then reports the PeerConnection down (hangup_media).
CallEnd hang_up(janus_plugin_session* h, std::chrono::milliseconds timeout);

}  // namespace rtpgate::perf
