// Call life cycle shared by requests and SIP events (loop thread).
#pragma once
#include <sofia-sip/sip.h>

#include <string>

#include "json.h"
#include "requests/validate.h"
#include "sdp/sdp_types.h"

namespace rtpgate::ctl {

class Session;

// The browser's jsep checks of call/accept/progress/update (spec §4.3/4.4): sdp present,
// no e2ee, parses, no DataChannels. `missing_text` is the 448 text when sdp is absent.
ApiError check_browser_jsep(json_t* jsep, std::string* sdp_out, sdp::BrowserSdpInfo* info);

// Opens relay streams for the media present (keeping those that exist) and rewrites the
// browser SDP for the SIP side: relay address and ports, our a=crypto lines. Logs failures.
enum class SipSdpResult { Ok, NoPorts, RewriteFailed };
SipSdpResult sdp_for_sip(Session& s, const std::string& browser_sdp, const sdp::BrowserSdpInfo& info,
                         sdp::SdpType type, bool bump_version, std::string* out);

// sdp_for_sip for call/accept/progress; stores the result as the session's local SDP. `ports_text` is the 450 text of a
// port failure (accept and progress use the same text for both failures).
ApiError prepare_local_sdp(Session& s, const std::string& browser_sdp, const sdp::BrowserSdpInfo& info,
                           sdp::SdpType type, bool bump_version, const char* rewrite_fail_text, std::string* out);

// Applies the peer's SDP to the media streams (spec §9.2). False when it does not parse
// or has no usable medium.
bool apply_remote_sdp(Session& s, const std::string& sdp, sdp::SdpType type, std::string* why);

// Remembers the Reason and custom headers of a message that ends the call.
void capture_end_info(Session& s, const sip_t* sip);
// The call is over (Sofia reported it terminated): hangup event, streams closed,
// handle destroyed, state back to idle.
void call_terminated(Session& s, int code, const std::string& reason, const sip_t* sip);
// Ends whatever call the session has (BYE/CANCEL/486 as fits) without waiting.
void abort_call(Session& s, int code = 480);
// Forgets the call's state and frees its media (after terminated).
void reset_call(Session& s);

// PeerConnection up/down (setup_media/hangup_media).
void on_pc_up(Session& s);
void on_pc_down(Session& s);

// Handle detached or plugin stopping: call, helpers, registration, stack.
void end_session_state(Session& s);

// Admin API query_session (spec §15.1).
Json session_info(Session& s);

}  // namespace rtpgate::ctl
