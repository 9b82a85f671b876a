// Helpers over Sofia's sdp_media_t lists: RTP profiles and the m-lines we use.
// Pure functions; any thread.
#pragma once
#include <sofia-sip/sdp.h>

#include <string_view>

namespace rtpgate::ctl::sdp {

// Any RTP profile over UDP: RTP/AVP, RTP/SAVP, RTP/AVPF, RTP/SAVPF, UDP/TLS/RTP/SAVP(F).
bool is_rtp_profile(const sdp_media_t* m) noexcept;
// What a SIP peer may use with us: RTP/AVP, RTP/AVPF (plain) or RTP/SAVP, RTP/SAVPF (SDES).
bool is_sip_rtp_profile(const sdp_media_t* m) noexcept;
// RTP/SAVP or RTP/SAVPF.
bool is_savp_profile(const sdp_media_t* m) noexcept;
// The m-line's proto as written ("RTP/AVP" for Sofia's well-known values).
std::string_view proto_name(const sdp_media_t* m) noexcept;

// The first m-line of `type` that is active (port != 0) and passes `usable`; nullptr if none.
sdp_media_t* first_active(sdp_session_t* s, sdp_media_e type,
                          bool (*usable)(const sdp_media_t*) noexcept) noexcept;

}  // namespace rtpgate::ctl::sdp
