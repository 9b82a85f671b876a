// Direction and o= version edits of an SDP we already sent to the SIP side: hold/unhold
// (spec §4.8), answers to the peer's re-INVITEs and the version bump of every re-INVITE
// (spec §4.7). Pure functions on Sofia-SIP's SDP parser; any thread.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "sdp/sdp_types.h"

namespace rtpgate::ctl::sdp {

// The direction of the audio and the video m-line we use (the first active one of each on
// an RTP profile, as rewrite_for_sip() and parse_remote() choose them). nullopt = no such
// m-line; on input to rewrite_session(), nullopt = leave that m-line as it is.
struct MediaDirections {
  std::optional<Direction> audio, video;
};

// What an SDP says: each medium's direction (its a= line, else the session's, else
// sendrecv) and the o= version. False + *why when it does not parse.
bool read_directions(const std::string& sdp, MediaDirections* out, uint64_t* o_version, std::string* why);

// The hold rule of spec §4.8: sendrecv becomes `hold`; `hold` stays; any other direction
// becomes inactive.
Direction held_direction(Direction current, Direction hold) noexcept;

// Our side of an answer to a peer offering `peer` when we would say `ours`: we only send
// what the peer receives and receive what it sends (RFC 3264 §6.1).
Direction answer_direction(Direction ours, Direction peer) noexcept;

// The SDP with the used m-lines' direction attributes replaced (a media-level a= line is
// written; the session-level one, if any, is left) and o= version set to `o_version`.
// Everything else is printed as parsed. False + *why when it does not parse or print.
bool rewrite_session(const std::string& sdp, const MediaDirections& dirs, uint64_t o_version, std::string* out,
                     std::string* why);

// "sendrecv", "sendonly", "recvonly", "inactive"; parse_direction() is case-insensitive.
const char* direction_name(Direction d) noexcept;
std::optional<Direction> parse_direction(const std::string& name);

}  // namespace rtpgate::ctl::sdp
