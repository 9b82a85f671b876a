// Small SIP helpers shared by requests and event handlers (loop thread).
#pragma once
#include <sofia-sip/nua.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/su_alloc.h>

#include <string>
#include <vector>

#include "json.h"

namespace rtpgate::ctl {

// A Sofia memory home for temporary objects (URL/header printing), freed at scope exit.
struct Home {
  su_home_t h[1] = {SU_HOME_INIT(h)};
  Home() { su_home_init(h); }
  ~Home() { su_home_deinit(h); }
  Home(const Home&) = delete;
  Home& operator=(const Home&) = delete;
};

class Session;

enum class UriKind { Sip, SipOrSips };
// Parses a URI with Sofia's URL parser; true if it is sip: (or sips: when allowed).
bool valid_uri(const std::string& uri, UriKind kind);
// The user-part of a SIP URI ("" when none).
std::string uri_user(const std::string& uri);

// Custom headers from a request's `headers` object: "Name: value\r\n" lines; names or
// values with CR/LF are skipped; the whole block is limited to 2048 bytes.
std::string custom_headers(json_t* headers);

// Headers of `sip` whose names start with one of `prefixes` (case-insensitive), as
// {name: value}; always an object when prefixes are set (empty when none matched, as 1.1.2),
// an empty Json when there are no prefixes.
Json incoming_headers(const sip_t* sip, const std::vector<std::string>& prefixes);

// URI of a From/To/Contact-like address as text ("sip:bob@host").
std::string addr_uri(const sip_from_t* a);
// Sets `displayname` as 1.1.2 does: whenever Sofia parsed a display part, quotes kept as
// received, "" for a bare "<uri>"; absent for a plain URI without angle brackets.
void set_displayname(Json& obj, const sip_from_t* a);

// Answers a 401/407 on `nh` with the session's (or master's) credentials; false when
// no challenge or no credentials (the caller then reports the failure).
bool authenticate(nua_handle_t* nh, const sip_t* sip, const std::string& authuser, const std::string& secret,
                  bool ha1);

// A random alphanumeric token (Call-IDs: 23 chars; tags: 6).
std::string random_token(size_t n);

// The peer's Contact carries the isfocus feature tag (conference focus).
bool is_focus(const sip_t* sip);

// The SDP body of a message, if it carries one ("" otherwise).
std::string sdp_body(const sip_t* sip);

}  // namespace rtpgate::ctl
