// parse_remote(): the SIP side's SDP -> RemoteMedia (spec §9.2). Any thread.
//
// Decisions where upstream (janus_sip_sdp_process) is loose or silent:
//  - the medium used is the first audio (video) m-line with a non-zero port on RTP/AVP,
//    RTP/AVPF, RTP/SAVP or RTP/SAVPF, the same rule rewrite_for_sip() applies;
//  - a=rtcp:<port> is honoured (upstream always uses port+1); its address part is
//    ignored, RTCP goes to the medium's c= address. a=rtcp-mux is reported as is;
//  - RTP/SAVPF counts as RTP/SAVP (SDES over AVPF);
//  - pt = first PT of the m-line; on audio, if that is "red", red_pt = it and pt = the
//    next PT, on offers too (upstream only looks at answers; the result is the same);
//  - dtmf_pt = the telephone-event PT whose clock matches the codec's (RFC 4733), else
//    the first telephone-event PT;
//  - pli = an a=rtcp-fb for pt (or '*') whose feedback is "nack pli" or "pli"
//    (upstream: any rtcp-fb containing " pli", whatever its PT); computed for audio too;
//  - a=crypto lines that crypto_line.h refuses are left out of RemoteMedium::crypto.
#include <arpa/inet.h>

#include <cstring>

#include "sdp/attributes.h"
#include "sdp/codec_table.h"
#include "sdp/crypto_line.h"
#include "sdp/media_lines.h"
#include "sdp/parsed_sdp.h"
#include "sdp/sdp.h"

namespace rtpgate::ctl::sdp {
namespace {

// Encoding name and clock of one rtpmap entry; the RFC 3551 table when the SDP has no
// a=rtpmap line for a static PT.
void codec_of(const sdp_rtpmap_t* rm, std::string* name, uint32_t* clock) {
  if (rm->rm_encoding && *rm->rm_encoding && !rm->rm_predef) {
    *name = to_lower(rm->rm_encoding);
    *clock = static_cast<uint32_t>(rm->rm_rate);
    return;
  }
  const StaticPayloadType* st = static_payload_type(rm->rm_pt);
  *name = st ? std::string(st->name) : std::string();
  *clock = st ? st->clock_rate : 0;
}

bool is_unspecified(const std::string& addr, int family) {
  unsigned char buf[16];
  const int af = family == 6 ? AF_INET6 : AF_INET;
  if (inet_pton(af, addr.c_str(), buf) != 1) return false;
  const size_t n = family == 6 ? 16 : 4;
  for (size_t i = 0; i < n; i++)
    if (buf[i] != 0) return false;
  return true;
}

void fill_address(const sdp_session_t* s, const sdp_media_t* m, RemoteMedium* r) {
  const sdp_connection_t* c = m->m_connections ? m->m_connections : s->sdp_connection;
  if (!c || !c->c_address) return;
  r->addr = c->c_address;
  if (c->c_addrtype == sdp_addr_ip6)
    r->family = 6;
  else if (c->c_addrtype == sdp_addr_ip4)
    r->family = 4;
  else
    r->family = r->addr.find(':') != std::string::npos ? 6 : 4;
  r->on_hold_addr = is_unspecified(r->addr, r->family);
}

Direction to_direction(sdp_mode_t mode) {
  switch (mode) {
    case sdp_inactive:
      return Direction::Inactive;
    case sdp_sendonly:
      return Direction::SendOnly;
    case sdp_recvonly:
      return Direction::RecvOnly;
    default:
      return Direction::SendRecv;
  }
}

uint16_t parse_port(std::string_view s) {
  if (s.empty() || s.size() > 5) return 0;
  unsigned v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return 0;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  return v <= 65535 ? static_cast<uint16_t>(v) : 0;
}

void fill_codecs(const sdp_media_t* m, RemoteMedium* r) {
  const sdp_rtpmap_t* first = m->m_rtpmaps;  // never null: ParsedSdp::validate()
  std::string name;
  uint32_t clock = 0;
  codec_of(first, &name, &clock);
  const sdp_rtpmap_t* codec = first;
  if (m->m_type == sdp_media_audio && is_red(name)) {
    r->red_pt = first->rm_pt;
    codec = first->rm_next;
    if (codec) codec_of(codec, &name, &clock);
  }
  if (codec) {
    r->pt = codec->rm_pt;
    r->codec = name;
    r->clock_rate = clock;
  }
  for (const sdp_rtpmap_t* rm = m->m_rtpmaps; rm; rm = rm->rm_next) {
    if (!rm->rm_encoding || !is_telephone_event(rm->rm_encoding)) continue;
    if (r->dtmf_pt < 0) r->dtmf_pt = rm->rm_pt;
    if (r->clock_rate != 0 && rm->rm_rate == r->clock_rate) {
      r->dtmf_pt = rm->rm_pt;
      break;
    }
  }
}

bool is_pli_feedback(std::string_view value, int pt) {
  const std::vector<std::string_view> tok = split_ws(value);
  if (tok.size() < 2) return false;
  if (tok[0] != "*" && (pt < 0 || tok[0] != std::to_string(pt))) return false;
  if (tok.size() == 2) return iequals(tok[1], "pli");
  return tok.size() == 3 && iequals(tok[1], "nack") && iequals(tok[2], "pli");
}

void fill_attributes(const sdp_media_t* m, RemoteMedium* r) {
  for (const sdp_attribute_t* a = m->m_attributes; a; a = a->a_next) {
    const std::string_view name = attr_name(a);
    if (iequals(name, "rtcp")) {
      const std::vector<std::string_view> tok = split_ws(attr_value(a));
      if (!tok.empty() && parse_port(tok[0]) != 0) r->rtcp_port = parse_port(tok[0]);
    } else if (iequals(name, "rtcp-mux")) {
      r->rtcp_mux = true;
    } else if (iequals(name, "rtcp-fb")) {
      r->pli = r->pli || is_pli_feedback(attr_value(a), r->pt);
    } else if (iequals(name, "crypto")) {
      Crypto c;
      if (parse_crypto(attr_value(a), &c)) r->crypto.push_back(std::move(c));
    }
  }
}

void fill_medium(const sdp_session_t* s, const sdp_media_t* m, sdp_mode_t session_mode, RemoteMedium* r) {
  r->present = true;
  fill_address(s, m, r);
  r->port = static_cast<uint16_t>(m->m_port);
  r->rtcp_port = r->port == 65535 ? 0 : static_cast<uint16_t>(r->port + 1);
  r->direction = to_direction(sdp_attribute_mode(m->m_attributes, session_mode));
  r->send = r->direction == Direction::SendRecv || r->direction == Direction::RecvOnly;
  r->recv = r->direction == Direction::SendRecv || r->direction == Direction::SendOnly;
  r->savp = is_savp_profile(m);
  fill_codecs(m, r);
  fill_attributes(m, r);
}

}  // namespace

bool parse_remote(const std::string& sip_sdp, SdpType /*type: parsing is the same*/, RemoteMedia* out,
                  std::string* why) {
  *out = RemoteMedia{};
  ParsedSdp doc;
  if (!doc.parse(sip_sdp, why)) return false;
  sdp_session_t* s = doc.session();
  for (const sdp_media_t* m = s->sdp_media; m; m = m->m_next)
    out->srtp_mandatory = out->srtp_mandatory || is_savp_profile(m);
  const sdp_mode_t session_mode = sdp_attribute_mode(s->sdp_attributes, sdp_sendrecv);
  if (const sdp_media_t* m = first_active(s, sdp_media_audio, is_sip_rtp_profile))
    fill_medium(s, m, session_mode, &out->audio);
  if (const sdp_media_t* m = first_active(s, sdp_media_video, is_sip_rtp_profile))
    fill_medium(s, m, session_mode, &out->video);
  return true;
}

}  // namespace rtpgate::ctl::sdp
