// SDES-SRTP negotiation state of one call (spec §9.1–9.3): our keys and the peer's, per
// medium, the offer/answer tag rules and "SRTP required". Pure (no plugin state, no I/O
// except the CSPRNG); the owner (the loop thread) serialises access.
//
// Decisions:
//  - keys come from getrandom(2) (the kernel CSPRNG); failure to get them fails the offer
//    or answer instead of falling back to anything weaker;
//  - remote offers: per medium the first a=crypto line whose profile we support and whose
//    key decodes to exactly the profile's key+salt length wins (the stock plugin only
//    checks "at least"; a longer key is a different suite or garbage);
//  - remote answers: only a line carrying the tag we offered and the profile we offered
//    with it is accepted (RFC 4568 §5.1.2; the stock plugin checks the tag only);
//  - our answer carries a=crypto only for media whose offer had a usable line (we never
//    add crypto the offerer did not ask for), with the tag and profile of that line;
//  - re-offers without any a=crypto line keep the keys in force (as stock); with a usable
//    line whose key differs, the peer's direction is rekeyed. 1.1.2 ignores every a=crypto
//    line of a re-offer once it has the peer's key; we follow the peer (RFC 4568 §7.1.4);
//  - our answer to a re-offer: the tag of the line we accepted (which may be new), and
//    our key kept when that line's suite is the one our key is for (RFC 4568 §7.1.4 lets
//    the answerer keep its key; our direction's ROC, replay state and SRTCP index go on
//    undisturbed and only the peer's context is replaced when its key changed). A new
//    suite gets a fresh key of that suite: our direction is rekeyed too;
//  - our re-offers (`update`): media that keep their key keep their line (tag and key); a
//    medium joining a call that uses SDES gets a fresh key with tag 1, of the suite our
//    other medium's key has (the call's suite), so added video is as protected as audio.
#pragma once
#include <string>

#include "media/srtp_keys.h"
#include "sdp/sdp_types.h"

namespace rtpgate::ctl::sdp {

struct SdesMedium {
  media::SrtpKey local;      // ours: protects what we send to the peer (advertised in our SDP)
  int local_tag = 0;         // tag of our a=crypto line
  media::SrtpKey remote;     // the peer's: unprotects what the peer sends us
  int remote_tag = 0;        // tag of the accepted remote line
  bool remote_changed = false;  // remote key replaced since the data plane was last told
  bool local_changed = false;   // local key replaced since the data plane was last told
  // SRTP is in force on this medium: both sides have a key.
  bool active() const noexcept { return local.valid() && remote.valid(); }
};

struct SdesState {
  bool required = false;     // sdes_mandatory asked, or the peer used RTP/SAVP (srtp-required)
  media::SrtpProfile offered_profile = media::SrtpProfile::None;  // our offer's suite
  SdesMedium audio, video;

  SdesMedium& medium(bool video_medium) noexcept { return video_medium ? video : audio; }
  const SdesMedium& medium(bool video_medium) const noexcept { return video_medium ? video : audio; }
  void clear() noexcept;     // keys wiped, back to "no SRTP"
};

// Fills `key` with fresh random key and salt for `profile`. False when the CSPRNG fails.
bool make_key(media::SrtpProfile profile, media::SrtpKey* key);
// key||salt <-> the inline: base64 of an a=crypto line. decode_key: false when the profile
// is unsupported or the decoded length is not exactly key_len + salt_len.
std::string encode_key(const media::SrtpKey& key);
bool decode_key(media::SrtpProfile profile, const std::string& b64, media::SrtpKey* key);

// The usable line of one offered medium (first supported profile with a well-formed key):
// index into m.crypto, or -1.
int pick_offered_line(const RemoteMedium& m);

// Our offer: fresh keys with tag 1 and `profile` for the media present. `mandatory` sets
// required. False when the CSPRNG fails (state cleared).
bool make_offer(SdesState* st, media::SrtpProfile profile, bool mandatory, bool audio, bool video);
// The peer's offer: its RTP/SAVP makes SRTP required; each medium's usable line becomes the
// remote key (rekeying when it differs). Media without a usable line keep what they had.
void take_offer(SdesState* st, const RemoteMedia& rm);
// Our answer to the peer's offer: a fresh local key, of the accepted line's profile and with
// its tag, for each medium that has a remote key and no local key of that profile yet
// (audio/video: media our answer carries). False when the CSPRNG fails.
bool make_answer(SdesState* st, bool audio, bool video);
// Our re-offer (`update` with a browser offer) for the media present: a medium without a
// key of ours, in a call where another medium has one, gets a fresh key with tag 1 and
// that key's suite (or offered_profile). Nothing happens in a call without SDES. False when
// the CSPRNG fails.
bool make_reoffer(SdesState* st, bool audio, bool video);
// The peer's answer to our offer: per medium we offered, the line with our tag and profile
// becomes the remote key; a medium answered without one has no remote key (plain RTP).
void take_answer(SdesState* st, const RemoteMedia& rm);
// SRTP is required and an active medium of `rm` (present, port != 0) has no remote key:
// the stock plugin's 452 / BYE condition.
bool missing_required(const SdesState& st, const RemoteMedia& rm);
// The peer offered a usable a=crypto line for at least one medium (incomingcall `srtp`).
bool peer_offered(const SdesState& st);

// Our a=crypto lines and proto for rewrite_for_sip(). The crypto strings hold key material:
// wipe them (wipe_string) once the SDP is printed.
void fill_local(const SdesState& st, LocalMedia* lm);

// explicit_bzero of a string's characters, then clear(): for strings that held keys.
void wipe_string(std::string* s) noexcept;
// Wipes every inline key of `rm` (key_b64 strings).
void wipe_keys(RemoteMedia* rm) noexcept;

}  // namespace rtpgate::ctl::sdp
