// RTP profile checks and m-line selection over Sofia's parsed media (any thread).
#include "sdp/media_lines.h"

#include <array>

#include "sdp/attributes.h"

namespace rtpgate::ctl::sdp {

std::string_view proto_name(const sdp_media_t* m) noexcept {
  switch (m->m_proto) {
    case sdp_proto_rtp:
      return "RTP/AVP";
    case sdp_proto_srtp:
      return "RTP/SAVP";
    default:
      return m->m_proto_name ? std::string_view(m->m_proto_name) : std::string_view();
  }
}

bool is_sip_rtp_profile(const sdp_media_t* m) noexcept {
  static constexpr std::array<std::string_view, 4> kProfiles = {"RTP/AVP", "RTP/AVPF", "RTP/SAVP",
                                                                "RTP/SAVPF"};
  const std::string_view p = proto_name(m);
  for (std::string_view k : kProfiles)
    if (iequals(p, k)) return true;
  return false;
}

bool is_rtp_profile(const sdp_media_t* m) noexcept {
  const std::string_view p = proto_name(m);
  return is_sip_rtp_profile(m) || iequals(p, "UDP/TLS/RTP/SAVP") || iequals(p, "UDP/TLS/RTP/SAVPF");
}

bool is_savp_profile(const sdp_media_t* m) noexcept {
  const std::string_view p = proto_name(m);
  return iequals(p, "RTP/SAVP") || iequals(p, "RTP/SAVPF");
}

sdp_media_t* first_active(sdp_session_t* s, sdp_media_e type,
                          bool (*usable)(const sdp_media_t*) noexcept) noexcept {
  for (sdp_media_t* m = s->sdp_media; m; m = m->m_next)
    if (m->m_type == type && m->m_port != 0 && usable(m)) return m;
  return nullptr;
}

}  // namespace rtpgate::ctl::sdp
