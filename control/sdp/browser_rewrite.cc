// rewrite_for_sip(): browser SDP -> the SDP we send to the SIP peer (spec §9.1).
// Any thread.
//
// Decisions beyond the spec table:
//  - only the first audio and the first video m-line with a non-zero port on an RTP
//    profile get media (upstream gives every audio m-line the same port); every other
//    m-line is printed with port 0 and no attributes, as is a medium whose local port is 0;
//  - every m-line gets c=IN IP4|IP6 <sdp_ip> (as upstream); session c= only if present;
//  - b= lines other than AS and CT do not survive (ParsedSdp drops them, see there);
//  - answers: a PT whose rtpmap "name/rate[/params]" (name case-insensitive) repeats an
//    earlier one is removed with its fmtp and rtcp-fb lines; upstream compares the same
//    string, so telephone-event/48000 and telephone-event/8000 both stay;
//  - Sofia prints a=rtpmap/a=fmtp right after c=/b=, then the other attributes in their
//    order; static PTs get an explicit a=rtpmap too. A missing s= or t= is added
//    ("s=-", "t=0 0") so the output is always a valid SDP.
#include <arpa/inet.h>

#include <string_view>
#include <unordered_set>

#include "sdp/attributes.h"
#include "sdp/codec_table.h"
#include "sdp/media_lines.h"
#include "sdp/parsed_sdp.h"
#include "sdp/sdp.h"
#include "sdp/sip_attribute_filter.h"

namespace rtpgate::ctl::sdp {
namespace {

bool make_connection(su_home_t* home, const std::string& ip, sdp_connection_t** out) {
  auto* c = static_cast<sdp_connection_t*>(su_zalloc(home, sizeof(sdp_connection_t)));
  if (!c) return false;
  unsigned char buf[16];
  c->c_size = sizeof(sdp_connection_t);
  c->c_nettype = sdp_net_in;
  c->c_addrtype = inet_pton(AF_INET6, ip.c_str(), buf) == 1 ? sdp_addr_ip6 : sdp_addr_ip4;
  c->c_address = su_strdup(home, ip.c_str());
  *out = c;
  return c->c_address != nullptr;
}

// Answers: drop later PTs that repeat an earlier codec, with their a=rtcp-fb lines.
void remove_duplicate_pts(sdp_media_t* m) {
  std::unordered_set<std::string> seen;
  std::unordered_set<std::string> removed;
  for (sdp_rtpmap_t** rm = &m->m_rtpmaps; *rm;) {
    const sdp_rtpmap_t* r = *rm;
    if (!r->rm_encoding || !*r->rm_encoding ||
        seen.insert(codec_key(r->rm_encoding, r->rm_rate, r->rm_params ? r->rm_params : "")).second) {
      rm = &(*rm)->rm_next;
      continue;
    }
    removed.insert(std::to_string(r->rm_pt));
    *rm = r->rm_next;
  }
  if (removed.empty()) return;
  remove_attributes(&m->m_attributes, [&](const sdp_attribute_t* a) {
    return iequals(attr_name(a), "rtcp-fb") && removed.count(std::string(token_at(attr_value(a), 0))) != 0;
  });
}

// Sofia marks the rtpmaps it made up for PTs without an a=rtpmap line as predefined and
// does not print them; the static ones (PCMA...) are printed like the others. Dynamic
// PTs without a line stay predefined with no encoding: printing those (as
// sdp_f_all_rtpmaps would) gives "a=rtpmap:96 /0".
void print_static_rtpmaps(sdp_media_t* m) {
  for (sdp_rtpmap_t* rm = m->m_rtpmaps; rm; rm = rm->rm_next)
    if (rm->rm_predef && rm->rm_encoding && *rm->rm_encoding) rm->rm_predef = 0;
}

void disable(sdp_media_t* m) {
  m->m_port = 0;
  m->m_number_of_ports = 0;
  m->m_rejected = 1;
  m->m_attributes = nullptr;
  m->m_bandwidths = nullptr;
}

struct Rewrite {
  su_home_t* home;
  const LocalMedia& local;
  SdpType type;

  bool medium(sdp_media_t* m, const LocalMedium* lm, std::string* why) const {
    const bool rtp = (m->m_type == sdp_media_audio || m->m_type == sdp_media_video) && is_rtp_profile(m);
    print_static_rtpmaps(m);
    if (rtp) {
      m->m_proto = local.srtp_mandatory ? sdp_proto_srtp : sdp_proto_rtp;
      m->m_proto_name = local.srtp_mandatory ? "RTP/SAVP" : "RTP/AVP";
    }
    if (!make_connection(home, local.sdp_ip, &m->m_connections)) {
      *why = "out of memory";
      return false;
    }
    if (!lm || lm->port == 0) {
      disable(m);
      return true;
    }
    m->m_port = lm->port;
    m->m_number_of_ports = 0;
    remove_attributes(&m->m_attributes, [](const sdp_attribute_t* a) { return !keep_for_sip(a); });
    if (type == SdpType::Answer) remove_duplicate_pts(m);
    if (!lm->crypto.empty() && !append_attribute(home, &m->m_attributes, "crypto", lm->crypto)) {
      *why = "out of memory";
      return false;
    }
    return true;
  }

  bool session(sdp_session_t* s, std::string* why) const {
    remove_attributes(&s->sdp_attributes, [](const sdp_attribute_t* a) { return !keep_for_sip(a); });
    if (s->sdp_connection && !make_connection(home, local.sdp_ip, &s->sdp_connection)) {
      *why = "out of memory";
      return false;
    }
    if (!s->sdp_subject || !*s->sdp_subject) s->sdp_subject = "-";
    if (!s->sdp_time) {
      auto* t = static_cast<sdp_time_t*>(su_zalloc(home, sizeof(sdp_time_t)));
      if (!t) {
        *why = "out of memory";
        return false;
      }
      t->t_size = sizeof(sdp_time_t);
      s->sdp_time = t;
    }
    return true;
  }
};

}  // namespace

bool rewrite_for_sip(const std::string& browser_sdp, SdpType type, const LocalMedia& local, bool bump_version,
                     std::string* out, std::string* why) {
  out->clear();
  if (local.sdp_ip.empty()) {
    *why = "no sdp_ip configured";
    return false;
  }
  ParsedSdp doc;
  if (!doc.parse(browser_sdp, why)) return false;
  sdp_session_t* s = doc.session();
  const Rewrite rw{doc.home(), local, type};
  if (!rw.session(s, why)) return false;
  const sdp_media_t* audio = first_active(s, sdp_media_audio, is_rtp_profile);
  const sdp_media_t* video = first_active(s, sdp_media_video, is_rtp_profile);
  for (sdp_media_t* m = s->sdp_media; m; m = m->m_next) {
    const LocalMedium* lm = m == audio ? &local.audio : m == video ? &local.video : nullptr;
    if (!rw.medium(m, lm, why)) return false;
  }
  if (bump_version) s->sdp_origin->o_version++;
  return doc.print(0, out, why);
}

}  // namespace rtpgate::ctl::sdp
