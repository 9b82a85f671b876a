// Received REFERs (spec §8): refer_id → where the REFER came from, what the follow-up
// call must carry (Referred-By, the Refer-To URI's headers such as Replaces) and where
// its progress NOTIFYs (message/sipfrag) go. Plugin-wide, like stock's table: the
// follow-up `call` may run on a helper of the session that got the REFER. Loop thread only.
#pragma once
#include <sofia-sip/nua.h>

#include <cstdint>
#include <memory>
#include <string>

namespace rtpgate::ctl {

class Session;

struct Transfer {
  std::weak_ptr<Session> receiver;  // the session the REFER arrived on
  nua_handle_t* nh = nullptr;       // the REFER's handle: the call's dialog or its own
  bool own_handle = false;          // out-of-dialog REFER: unbound, destroyed after its last NOTIFY
  std::string dialog_call_id;       // in-dialog REFER: the call the handle belongs to
  std::string event;                // the implicit subscription's Event ("refer", "refer;id=N")
  std::string referred_by;          // Referred-By of the REFER (From's URI without one)
  std::string headers;              // the Refer-To URI's headers as SIP header lines
};

namespace transfers {

// Keeps `t`; returns its refer_id (random, non-zero, unused).
uint32_t add(Transfer t);
// The transfer with that id, or nullptr (also when its receiver or handle is gone).
const Transfer* find(uint32_t refer_id);
// Forgets it (no NOTIFY is sent).
void erase(uint32_t refer_id);

// NOTIFY message/sipfrag "SIP/2.0 <status> <phrase>" to the transferor; `final`
// terminates the implicit subscription and forgets the transfer. False when the
// transfer is unknown or its REFER dialog is gone.
bool notify(uint32_t refer_id, int status, const char* phrase, bool final);

// The call whose dialog carried pending REFERs ended (nua_callstate_terminated on `nh`):
// their transfers take the handle over, as if the REFERs had come outside a dialog, so
// that the follow-up call can still NOTIFY the transferor. True if any did: the caller
// then unbinds the handle and leaves it to them.
bool adopt_dialog(nua_handle_t* nh);
// `nh` is about to be destroyed: forget every transfer that points to it.
void forget_handle(nua_handle_t* nh);

}  // namespace transfers

// `call` with `refer_id` (spec §4.3): ties the new call of `s` to that transfer, appends
// the Refer-To URI's headers (Replaces...) to `headers` and returns the Referred-By to
// send ("" when the id is unknown: a plain call, as stock).
std::string link_transfer(Session& s, long long refer_id, std::string* headers);

// The follow-up call of session `s` (call with refer_id) got `status` to its INVITE:
// tells the transferor (spec §8). Digest challenges that are being answered are not final.
void refer_call_progress(Session& s, int status, const char* phrase, bool retrying_auth);

}  // namespace rtpgate::ctl
