// Strict parser for one SDES a=crypto value (RFC 4568 subset). Pure; any thread.
#pragma once
#include <string_view>

#include "sdp/sdp_types.h"

namespace rtpgate::ctl::sdp {

// Accepts exactly "<tag> <profile> inline:<base64 key||salt>[|<lifetime>]":
//  - tag: 1 to 9 digits; profile: letters, digits and '_' (not checked against a list:
//    which profiles are supported is the SRTP layer's decision);
//  - key: base64 characters with '=' padding only at the end, at most 128 characters;
//  - lifetime ("2^31" or a decimal count) is accepted and ignored: we never re-key, and
//    upstream's sscanf pattern makes such lines unusable, which loses calls with peers
//    that always send one;
//  - refused (false, the line is to be ignored): an MKI ("|<value>:<length>"), several
//    keys (';'), and session parameters after the key (UNENCRYPTED_SRTP, KDR=, ...),
//    since each changes the SRTP packet format or key schedule and none is supported.
bool parse_crypto(std::string_view value, Crypto* out);

}  // namespace rtpgate::ctl::sdp
