// What the plugin tells administrators: the Admin API's message_plugin requests
// (handle_admin_message; the stock SIP plugin has none, see docs/plugin.md), the data
// plane's flow counters as JSON for query_session, and the `sip-in` event-handler
// notification (spec §15.2).
#pragma once
#include <sofia-sip/nua.h>
#include <sofia-sip/sip.h>

#include "json.h"
#include "rtpgate/shm/flow_entry.h"

namespace rtpgate::ctl {

class Session;
class SipStack;

// Admin API request (any Janus thread): {"request":"stats"} ... Always returns an object
// (new reference); errors are {"error_code":n,"error":"..."} with the SIP plugin's codes.
json_t* admin_message(json_t* message);

// query_session: each RTP forwarder of the call with what its forwarder flow sent
// (loop thread).
Json forwarders_info(Session& s);

// Every counter of a flow slot as {"name": value} (names from flow_counters.def).
Json flow_counters_json(const rtpgate_shm_flow_counters& c);

// Loop thread: `sip-in` with the full text of an incoming SIP request (nua_i_* request
// events, once per request), when event handlers are on.
void notify_sip_in(SipStack& stack, nua_event_t event, Session* s, const sip_t* sip);

}  // namespace rtpgate::ctl
