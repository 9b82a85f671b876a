// SDES edits of an SDP we already sent to the SIP side: the a=crypto lines and proto of the
// used audio/video m-lines, for answers to the peer's re-INVITEs, which reuse our stored
// SDP (spec §4.7, §6 step 6, §9.3). Pure function on Sofia-SIP's SDP parser; any thread.
#pragma once
#include <string>

#include "sdp/sdp_types.h"

namespace rtpgate::ctl::sdp {

// `sdp` with each used m-line's (the first active audio and video one on an RTP profile, as
// rewrite_for_sip() chooses them) a=crypto lines replaced by the one `local` has for that
// medium (appended last, as rewrite_for_sip() writes it; none when local's is empty) and
// its proto set from local.srtp_mandatory (RTP/SAVP or RTP/AVP). The o= version and every
// other line are left as they are. *changed: any a=crypto line or proto differs from
// before. False + *why when the SDP does not parse or print. The strings hold key
// material: the caller wipes them.
bool rewrite_crypto(const std::string& sdp, const LocalMedia& local, std::string* out, bool* changed,
                    std::string* why);

}  // namespace rtpgate::ctl::sdp
