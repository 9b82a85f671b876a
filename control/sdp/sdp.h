// SDP handling for the plugin, on Sofia-SIP's SDP parser and printer (spec §9).
// Pure functions: no plugin state, no I/O; safe on any thread.
#pragma once
#include <string>

#include "sdp/sdp_types.h"

namespace rtpgate::ctl::sdp {

// The decisions taken where the spec or upstream is loose are listed at the top of
// browser_rewrite.cc, remote_parse.cc, sip_attribute_filter.h and crypto_line.h.

// Parses a browser SDP enough to decide what to allocate. False + *why (the parser's
// message) when it does not parse. Same parse and m-line choice as rewrite_for_sip():
// an SDP accepted here is one the rewrite accepts (given a non-empty sdp_ip).
bool inspect_browser(const std::string& sdp, BrowserSdpInfo* out, std::string* why);

// Browser SDP -> SDP for the SIP side (spec §9.1): c= addresses, m= ports and proto,
// a=crypto, attribute stripping, duplicate-PT removal on answers, o= version + 1 when
// bump_version. False + *why when it cannot be parsed or printed. Media go on the first
// audio and the first video m-line with a non-zero port; every other m-line gets port 0.
// The negotiated PTs of a browser answer: parse_remote() on the rewritten answer.
bool rewrite_for_sip(const std::string& browser_sdp, SdpType type, const LocalMedia& local,
                     bool bump_version, std::string* out, std::string* why);

// SIP side's SDP -> what the media path needs (spec §9.2). False + *why when it does
// not parse.
bool parse_remote(const std::string& sip_sdp, SdpType type, RemoteMedia* out, std::string* why);

}  // namespace rtpgate::ctl::sdp
