// `unregister` (spec §4.2).
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_tag.h>

#include "requests/request.h"
#include "sip/sip_stack.h"

namespace rtpgate::ctl {

void handle_unregister(Request& r) {
  Session& s = r.s();
  if (!s.stack) return r.fail(kErrWrongState, "Wrong state (register first)");
  if (s.helper) {
    if (auto m = s.master.lock()) std::erase_if(m->helpers, [&](const std::weak_ptr<Session>& w) {
        auto h = w.lock();
        return !h || h.get() == &s;
      });
    s.messaging.release();   // its subscriptions live on the master's stack
    s.helper = false;
    s.master.reset();
    s.stack.reset();
    s.master_id = 0;
    s.account.reg = RegStatus::Unregistered;
    return r.ok(Events::named("unregistering"));
  }
  if (static_cast<int>(s.account.reg) < static_cast<int>(RegStatus::Registered))
    return r.fail(kErrWrongState, "Wrong state (not registered)");
  if (s.reg_nh == nullptr) return r.fail(kErrLibsofia, "Invalid NUA Handle");
  s.account.reg = RegStatus::Unregistering;
  nua_unregister(s.reg_nh, TAG_END());
  r.ok(Events::named("unregistering"));
}

}  // namespace rtpgate::ctl
