// One SDP parsed by Sofia-SIP into a session that can be read, edited and printed.
// Single-use object, owned by the calling thread (no shared state).
#pragma once
#include <cstddef>
#include <string>

#include "sdp/sofia_sdp.h"

namespace rtpgate::ctl::sdp {

// Largest SDP we accept; a real one (even with many candidates) is a few KiB.
inline constexpr size_t kMaxSdpBytes = 64 * 1024;

class ParsedSdp {
 public:
  // Parses `text` (LF or CRLF) with direction attributes kept verbatim (sdp_f_mode_manual)
  // and c= optional. Sofia parses a=rtpmap/a=fmtp into m_rtpmaps only for RTP/AVP and
  // RTP/SAVP; any other RTP profile (RTP/AVPF, RTP/SAVPF, UDP/TLS/RTP/SAVPF) is printed
  // as RTP/AVP and parsed a second time so that every RTP m-line ends up with m_rtpmaps,
  // then its proto is restored. Also rejects what Sofia lets through but no SDP may say
  // (ports > 65535, RTP m-lines without formats), and drops the b= lines Sofia would
  // print wrongly (all but AS and CT, see parsed_sdp.cc). False + *why on any failure.
  bool parse(const std::string& text, std::string* why);

  sdp_session_t* session() const noexcept { return session_; }
  // Memory for anything added to session(); lives as long as this object.
  su_home_t* home() const noexcept { return home_.get(); }

  // Prints session() (edited or not). `extra_flags` are sdp_parse_flags_e printing flags
  // added to sdp_f_mode_manual. False + *why when Sofia refuses.
  bool print(int extra_flags, std::string* out, std::string* why) const;

 private:
  bool parse_once(const std::string& text, SdpParserPtr* parser, std::string* why);
  bool reparse_rtp_profiles(std::string* why);
  bool validate(std::string* why) const;

  SuHome home_;
  SdpParserPtr parser_;
  SdpParserPtr reparsed_;
  sdp_session_t* session_ = nullptr;
};

}  // namespace rtpgate::ctl::sdp
