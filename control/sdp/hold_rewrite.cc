// Direction and o= version edits of our SIP-side SDP (see hold_rewrite.h). Any thread.
//
// Decisions:
//  - only the used audio/video m-lines (first active one of each, as rewrite_for_sip())
//    are edited; other m-lines (port 0) keep whatever they say;
//  - the new direction replaces the m-line's first direction attribute in place (so the
//    attribute order is kept); further direction attributes of that m-line are removed;
//    without one, the attribute is appended. A session-level direction is left: the
//    media-level one overrides it (RFC 4566 §6);
//  - the o= version is set, not incremented: callers keep the last version they sent.
#include "sdp/hold_rewrite.h"

#include <array>

#include "sdp/attributes.h"
#include "sdp/media_lines.h"
#include "sdp/parsed_sdp.h"

namespace rtpgate::ctl::sdp {
namespace {

constexpr std::array<const char*, 4> kNames = {"sendrecv", "sendonly", "recvonly", "inactive"};

bool is_direction_attr(const sdp_attribute_t* a) {
  for (const char* n : kNames)
    if (iequals(attr_name(a), n)) return true;
  return false;
}

Direction from_mode(sdp_mode_t mode) noexcept {
  switch (mode) {
    case sdp_inactive: return Direction::Inactive;
    case sdp_sendonly: return Direction::SendOnly;
    case sdp_recvonly: return Direction::RecvOnly;
    default: return Direction::SendRecv;
  }
}

bool set_direction(su_home_t* home, sdp_media_t* m, Direction d) {
  const char* name = direction_name(d);
  bool written = false;
  for (sdp_attribute_t** a = &m->m_attributes; *a;) {
    if (!is_direction_attr(*a)) {
      a = &(*a)->a_next;
      continue;
    }
    if (written) {  // a second direction line: drop it
      *a = (*a)->a_next;
      continue;
    }
    (*a)->a_name = name;   // static string, printed as is
    (*a)->a_value = nullptr;
    written = true;
    a = &(*a)->a_next;
  }
  return written || append_attribute(home, &m->m_attributes, name, {});
}

}  // namespace

const char* direction_name(Direction d) noexcept { return kNames[static_cast<size_t>(d)]; }

std::optional<Direction> parse_direction(const std::string& name) {
  for (size_t i = 0; i < kNames.size(); i++)
    if (iequals(name, kNames[i])) return static_cast<Direction>(i);
  return std::nullopt;
}

Direction held_direction(Direction current, Direction hold) noexcept {
  if (current == hold) return current;
  return current == Direction::SendRecv ? hold : Direction::Inactive;
}

Direction answer_direction(Direction ours, Direction peer) noexcept {
  const bool peer_sends = peer == Direction::SendRecv || peer == Direction::SendOnly;
  const bool peer_recvs = peer == Direction::SendRecv || peer == Direction::RecvOnly;
  const bool we_send = (ours == Direction::SendRecv || ours == Direction::SendOnly) && peer_recvs;
  const bool we_recv = (ours == Direction::SendRecv || ours == Direction::RecvOnly) && peer_sends;
  if (we_send && we_recv) return Direction::SendRecv;
  if (we_send) return Direction::SendOnly;
  if (we_recv) return Direction::RecvOnly;
  return Direction::Inactive;
}

bool read_directions(const std::string& sdp, MediaDirections* out, uint64_t* o_version, std::string* why) {
  *out = MediaDirections{};
  ParsedSdp doc;
  if (!doc.parse(sdp, why)) return false;
  sdp_session_t* s = doc.session();
  const sdp_mode_t session_mode = sdp_attribute_mode(s->sdp_attributes, sdp_sendrecv);
  if (const sdp_media_t* m = first_active(s, sdp_media_audio, is_rtp_profile))
    out->audio = from_mode(sdp_attribute_mode(m->m_attributes, session_mode));
  if (const sdp_media_t* m = first_active(s, sdp_media_video, is_rtp_profile))
    out->video = from_mode(sdp_attribute_mode(m->m_attributes, session_mode));
  if (o_version != nullptr) *o_version = s->sdp_origin->o_version;  // never null: ParsedSdp::validate()
  return true;
}

bool rewrite_session(const std::string& sdp, const MediaDirections& dirs, uint64_t o_version, std::string* out,
                     std::string* why) {
  ParsedSdp doc;
  if (!doc.parse(sdp, why)) return false;
  sdp_session_t* s = doc.session();
  sdp_media_t* audio = first_active(s, sdp_media_audio, is_rtp_profile);
  sdp_media_t* video = first_active(s, sdp_media_video, is_rtp_profile);
  if ((audio && dirs.audio && !set_direction(doc.home(), audio, *dirs.audio)) ||
      (video && dirs.video && !set_direction(doc.home(), video, *dirs.video)))
    return *why = "out of memory", false;
  s->sdp_origin->o_version = o_version;
  return doc.print(0, out, why);
}

}  // namespace rtpgate::ctl::sdp
