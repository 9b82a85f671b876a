// What the messaging family (MESSAGE, SUBSCRIBE, INFO, NOTIFY) shares (loop thread): who we
// are on requests outside a call (the account, or the master's for helpers, spec §7), the
// digest answer to their 401/407 (§4.20), and the `headers` member of their events.
#pragma once
#include <sofia-sip/nua.h>
#include <sofia-sip/sip.h>

#include <string>

#include "json.h"

namespace rtpgate::ctl {

class Session;
struct Account;

// `"display" <identity>` (or `<identity>`) of sending_account(s) (session.h).
std::string sending_from(const Session& s);
// Answers the challenge of `sip` on `nh` with the sending account's credentials, at most
// twice in a row (`*tries` counts; the caller resets it on a final answer). False when it
// could not: no challenge, no secret, or too many tries.
bool answer_challenge(const Session& s, nua_handle_t* nh, const sip_t* sip, int* tries);
// The `headers` of an event, as stock builds it: only when the session has
// incoming_header_prefixes, and then always an object (empty when nothing matched).
Json event_headers(const Session& s, const sip_t* sip);

}  // namespace rtpgate::ctl
