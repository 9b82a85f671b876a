// a=crypto and proto edits of our stored SIP-side SDP (see crypto_rewrite.h). Any thread.
//
// Decisions:
//  - only the used m-lines are edited (rejected m-lines carry no attributes anyway);
//  - every a=crypto line of a used m-line goes and ours (if any) is appended: the stored
//    SDP came from rewrite_for_sip(), which writes at most one, last;
//  - `changed` compares the values as written, so a line that only changes its tag (an
//    offer with a new tag, same key) counts as a change and raises the caller's o= version.
#include "sdp/crypto_rewrite.h"

#include <string_view>

#include "sdp/attributes.h"
#include "sdp/media_lines.h"
#include "sdp/parsed_sdp.h"

namespace rtpgate::ctl::sdp {
namespace {

bool is_crypto(const sdp_attribute_t* a) { return iequals(attr_name(a), "crypto"); }

// True when m-line `m` already says exactly `crypto` (one line, or none when empty) and `srtp`.
bool same_as(const sdp_media_t* m, const std::string& crypto, bool srtp) {
  if ((m->m_proto == sdp_proto_srtp) != srtp) return false;
  int lines = 0;
  bool equal = false;
  for (const sdp_attribute_t* a = m->m_attributes; a; a = a->a_next) {
    if (!is_crypto(a)) continue;
    lines++;
    equal = attr_value(a) == crypto;
  }
  return crypto.empty() ? lines == 0 : lines == 1 && equal;
}

bool set_crypto(su_home_t* home, sdp_media_t* m, const std::string& crypto, bool srtp) {
  m->m_proto = srtp ? sdp_proto_srtp : sdp_proto_rtp;
  m->m_proto_name = srtp ? "RTP/SAVP" : "RTP/AVP";
  remove_attributes(&m->m_attributes, is_crypto);
  return crypto.empty() || append_attribute(home, &m->m_attributes, "crypto", crypto);
}

}  // namespace

bool rewrite_crypto(const std::string& sdp, const LocalMedia& local, std::string* out, bool* changed,
                    std::string* why) {
  *changed = false;
  ParsedSdp doc;
  if (!doc.parse(sdp, why)) return false;
  sdp_session_t* s = doc.session();
  for (bool video : {false, true}) {
    sdp_media_t* m = first_active(s, video ? sdp_media_video : sdp_media_audio, is_rtp_profile);
    const std::string& crypto = (video ? local.video : local.audio).crypto;
    if (m == nullptr || same_as(m, crypto, local.srtp_mandatory)) continue;
    *changed = true;
    if (!set_crypto(doc.home(), m, crypto, local.srtp_mandatory)) return *why = "out of memory", false;
  }
  return doc.print(0, out, why);
}

}  // namespace rtpgate::ctl::sdp
