// SDES-SRTP of a call (spec §4.3, §4.4, §9.1–9.3, §15.1): the session's sdp::SdesState
// (CallState::sdes) tied to requests, SIP events and the data plane. Loop thread.
#pragma once
#include <string>

#include "json.h"
#include "requests/srtp_params.h"
#include "requests/validate.h"
#include "sdp/sdp_types.h"

namespace rtpgate::ctl {

class Session;

// `call` and offerless `accept`/`progress` (our offer): fresh keys for the media present
// when `srtp` asks for SDES, none otherwise. 450 (`fail_text`) if the CSPRNG fails.
ApiError srtp_begin_offer(Session& s, const SrtpChoice& c, bool audio, bool video, const char* fail_text);

// `accept`/`progress` with an answer: 452 when SRTP is required (request or peer's
// RTP/SAVP) and the peer's offer has no usable a=crypto for an active medium
// ("Can't <verb> the call: ..."); else our answer's keys (the tag and profile of each
// accepted remote line). Nothing is changed when it fails.
ApiError srtp_check_answer(const Session& s, const SrtpChoice& c, const char* verb);
ApiError srtp_begin_answer(Session& s, const SrtpChoice& c, bool audio, bool video);

// `update` with a browser offer (our re-offer): media the update adds to a call that uses
// SDES get a key of the call's suite (sdp::make_reoffer), so the new m-line carries
// a=crypto; the peer's answer keys them (apply_remote_crypto). 450 "Error manipulating SDP"
// if the CSPRNG fails.
ApiError srtp_begin_reoffer(Session& s, bool audio, bool video);

// The peer's SDP (INVITE, re-INVITE, 18x/2xx, ACK) -> SDES state and data plane.
//  - Offer: the peer's keys (a changed key of the same suite rekeys only the peer's
//    direction, a new suite both), and our answer's keys ready for the next
//    prepare_local_sdp(SdpType::Answer) / srtp_refresh_local_sdp() / reply;
//  - Answer: the line with the tag and profile we offered; false + *why when SRTP is
//    required and an active medium was answered without one (the caller tears the call
//    down: BYE after a 2xx, as the stock plugin).
// Media with relay streams are (re)programmed (srtp_program). For helper "reinvite":
// call it on every re-INVITE offer and on the answer to our re-INVITE/update.
bool apply_remote_crypto(Session& s, const sdp::RemoteMedia& rm, sdp::SdpType type, std::string* why);

// Pushes changed keys to the data plane for the media that have relay streams.
bool srtp_program(Session& s, std::string* why);

// Our a=crypto lines and proto for the SDP being built (prepare_local_sdp).
void srtp_fill_local(const Session& s, sdp::LocalMedia* lm);

// Answers to the peer's re-INVITEs reuse our stored SDP: its a=crypto lines and proto are
// brought in line with the SDES state (the tag and suite of the line just accepted, our
// key kept or new, sdp/sdes.h), o= version untouched. True when the stored SDP changed
// (the caller raises the o= version); false when nothing changed or it cannot be edited
// (logged; the stored SDP stays).
bool srtp_refresh_local_sdp(Session& s);

// Key material of the call wiped: SDES state, the SDP strings and the parsed remote keys.
void srtp_wipe_call(Session& s) noexcept;

// query_session's srtp-required / sdes-local-* / sdes-remote-* ("yes"/"no").
void srtp_info(const Session& s, Json& j);

}  // namespace rtpgate::ctl
