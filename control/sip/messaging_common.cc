#include "sip/messaging_common.h"

#include "session.h"
#include "sip/sip_util.h"

namespace rtpgate::ctl {
namespace {

constexpr int kMaxAuthTries = 2;

}  // namespace

std::string sending_from(const Session& s) {
  const Account& a = sending_account(s);
  return a.display_name.empty() ? "<" + a.identity + ">" : "\"" + a.display_name + "\" <" + a.identity + ">";
}

bool answer_challenge(const Session& s, nua_handle_t* nh, const sip_t* sip, int* tries) {
  if (*tries >= kMaxAuthTries) return false;
  const Account& a = sending_account(s);
  if (!authenticate(nh, sip, a.authuser, a.secret, a.secret_is_ha1)) return false;
  ++*tries;
  return true;
}

Json event_headers(const Session& s, const sip_t* sip) {
  return incoming_headers(sip, s.account.incoming_header_prefixes);
}

}  // namespace rtpgate::ctl
