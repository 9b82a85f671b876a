// Everything the plugin pushes to clients (spec §1.1): results, errors and SIP-originated
// events, plus event-handler notifications (spec §15.2).
#pragma once
#include <string>

#include "json.h"

namespace rtpgate::ctl {

class Session;

class Events {
 public:
  // A request's result or an async event: {"sip":"event","result":{..},"call_id"?}.
  // `transaction` may be empty (nullptr to the core).
  static void result(Session& s, const std::string& transaction, Json result, Json jsep = {});
  // Same, with extra top-level members merged into the payload (e.g. unique_id).
  static void result_with(Session& s, const std::string& transaction, Json result, Json top, Json jsep = {});
  // {"sip":"event","error_code":n,"error":"..","call_id"?}.
  static void error(Session& s, const std::string& transaction, int code, const std::string& text);
  // A payload with no result (send_ringing).
  static void bare(Session& s, const std::string& transaction);
  // Event handlers (type 64), when enabled in config and in the core.
  static void notify(Session* s, Json event);

  // {"event": name}
  static Json named(const char* event);
};

}  // namespace rtpgate::ctl
