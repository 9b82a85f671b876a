// inspect_browser(): what a browser SDP asks for, before any port is allocated (spec §4.3).
// Any thread.
#include "sdp/media_lines.h"
#include "sdp/parsed_sdp.h"
#include "sdp/sdp.h"

namespace rtpgate::ctl::sdp {

// The same parse and the same m-line choice as rewrite_for_sip(), so an SDP that passes
// here is one the rewrite accepts.
bool inspect_browser(const std::string& sdp, BrowserSdpInfo* out, std::string* why) {
  *out = BrowserSdpInfo{};
  ParsedSdp doc;
  if (!doc.parse(sdp, why)) return false;
  sdp_session_t* s = doc.session();
  out->has_audio = first_active(s, sdp_media_audio, is_rtp_profile) != nullptr;
  out->has_video = first_active(s, sdp_media_video, is_rtp_profile) != nullptr;
  for (const sdp_media_t* m = s->sdp_media; m; m = m->m_next)
    if (m->m_type == sdp_media_application) out->has_application = true;
  return true;
}

}  // namespace rtpgate::ctl::sdp
