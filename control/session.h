// One Janus handle attached to the plugin: its SIP account, its call and its media.
// Owned by the SessionTable; every field is touched on the Sofia loop thread only,
// except the media binding (call_media.h), which Janus's threads read.
#pragma once
#include <sofia-sip/nua.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "call_media.h"
#include "janus_api.h"
#include "json.h"
#include "reinvite_state.h"
#include "rtp_forwarders.h"
#include "sdp/sdes.h"
#include "sdp/sdp_types.h"
#include "session_state.h"
#include "subscriptions.h"

namespace rtpgate::ctl {

class SipStack;

struct Account {
  std::string identity;        // full SIP URI of `username`
  std::string username;        // user-part
  std::string authuser;        // digest user (defaults to the user-part)
  std::string secret;          // plain or HA1, never logged
  bool secret_is_ha1 = false;
  std::string display_name;
  std::string user_agent;
  std::string proxy;
  std::string outbound_proxy;
  std::string contact_params;  // k=v;k2=v2
  std::vector<std::string> incoming_header_prefixes;
  uint32_t register_ttl = 3600;
  bool guest = false;
  bool force_tcp = false;
  bool sips = false;
  bool rfc2543_cancel = false;
  bool automatic_ringing = true;
  RegStatus reg = RegStatus::Unregistered;
};

// Per-call SIP state (reset when the call ends).
struct CallState {
  CallStatus status = CallStatus::Idle;
  nua_handle_t* nh = nullptr;  // INVITE dialog handle (ours or the incoming one)
  std::string callee;          // the peer's URI
  std::string call_id;
  bool establishing = false;
  bool established = false;
  bool outgoing = false;
  bool autoaccept_reinvites = true;
  bool offerless = false;      // incoming INVITE without SDP: our offer goes in the 200
  bool answer_sent_to_app = false;  // a progress event already carried the jsep
  std::string srtp;            // "", "sdes_optional", "sdes_mandatory" (stored for the SRTP issue)
  std::string srtp_profile;
  bool has_call_credentials = false;   // call-level secret/authuser override
  std::string call_authuser, call_secret;
  bool call_secret_is_ha1 = false;
  std::string local_sdp;       // our last SDP toward the SIP side
  uint32_t local_sdp_version = 0;
  std::string remote_sdp;      // the peer's last SDP
  sdp::RemoteMedia remote;
  bool remote_known = false;
  int auth_tries = 0;          // digest answers to this INVITE
  // From the message that ends the call (BYE, CANCEL, error response): Reason header
  // and custom headers, reported on the hangup event.
  std::string end_reason_text, end_reason_protocol, end_reason_cause;
  Json end_headers;
  uint32_t refer_id = 0;       // the received REFER this call follows up (transfers.h)
  ReinviteState reinvite;      // hold/update/re-INVITE state (reinvite_state.h)
  sdp::SdesState sdes;         // SDES-SRTP keys and policy (srtp_negotiation.h)
  RtpForwarders forwarders;    // rtp_forward (spec §4.17): they go with the call
};

class Session {
 public:
  explicit Session(janus_plugin_session* h);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  janus_plugin_session* handle() const noexcept { return handle_; }
  uint64_t id() const noexcept { return id_; }

  std::string unique_id;       // random UUID, per session
  uint32_t master_id = 0;      // non-zero once registered as a potential master
  Account account;
  CallState call;
  std::shared_ptr<SipStack> stack;   // own stack, or the master's for helpers
  nua_handle_t* reg_nh = nullptr;    // REGISTER handle
  int reg_auth_tries = 0;            // digest answers since the last final reply
  std::string transaction;           // last call/accept-type request (spec §1.1)

  bool helper = false;
  std::weak_ptr<Session> master;
  std::vector<std::weak_ptr<Session>> helpers;

  CallMedia media;                   // relay streams of the current call
  Messaging messaging;               // SUBSCRIBE dialogs, pending MESSAGEs (subscriptions.h)

  std::atomic<bool> destroyed{false};  // destroy_session was called
  std::atomic<bool> pc_up{false};      // setup_media seen, hangup_media not yet

 private:
  janus_plugin_session* handle_;
  uint64_t id_;
};

// The account whose identity, outbound proxy and credentials the session's requests use:
// its own, or its master's for a helper (spec §7).
const Account& sending_account(const Session& s);

}  // namespace rtpgate::ctl
