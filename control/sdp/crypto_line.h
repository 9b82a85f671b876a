// Strict parser for one SDES a=crypto value (RFC 4568 subset). Pure; any thread.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
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

// "<tag> <profile> inline:<key_b64>", the value of the a=crypto line we send.
std::string format_crypto(int tag, std::string_view profile, std::string_view key_b64);

// Standard base64 (with '=' padding) of `len` bytes. The caller wipes the result
// (explicit_bzero) when it holds key material.
std::string base64_encode(const uint8_t* data, size_t len);
// Decodes standard base64, padding optional; false on any other character, misplaced
// padding or when the result would not fit in `cap` bytes. Key material: *out is
// wiped by the caller.
bool base64_decode(std::string_view b64, uint8_t* out, size_t cap, size_t* out_len);

}  // namespace rtpgate::ctl::sdp
