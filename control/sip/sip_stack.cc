#include "sip/sip_stack.h"

#include <sofia-sip/nta_tag.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_tag_io.h>
#include <sofia-sip/tport_tag.h>

#include <atomic>

#include "log.h"
#include "plugin.h"
#include "sip/sip_events.h"

namespace rtpgate::ctl {
namespace {
std::atomic<int> g_live{0};

std::string url_host(const std::string& ip) { return ip.find(':') != std::string::npos ? "[" + ip + "]" : ip; }
}  // namespace

int SipStack::live_count() noexcept { return g_live.load(); }

std::shared_ptr<SipStack> SipStack::create(su_root_t* root, const StackOptions& o, std::weak_ptr<Session> owner,
                                           std::string* why) {
  std::shared_ptr<SipStack> st(new SipStack());
  st->owner_ = std::move(owner);
  st->host_ = o.local_ip;
  const std::string url = "sip:" + url_host(o.local_ip) + ":*;transport=" + (o.tcp ? "tcp" : "udp");
  const std::string sips_url = "sips:" + url_host(o.local_ip) + ":*;transport=tls";
  std::string outbound = "use-rport no-validate";
  if (o.keepalive_s > 0) outbound += " options-keepalive";
  if (!o.behind_nat) outbound += " no-natify";
  st->nua_ = nua_create(root, &SipStack::callback, reinterpret_cast<nua_magic_t*>(st.get()),
                        NUTAG_URL(url.c_str()),
                        TAG_IF(o.sips, NUTAG_SIPS_URL(sips_url.c_str())),
                        TAG_IF(o.sips && !o.sips_certs_dir.empty(), NUTAG_CERTIFICATE_DIR(o.sips_certs_dir.c_str())),
                        SIPTAG_USER_AGENT_STR(o.user_agent.c_str()),
                        NUTAG_KEEPALIVE(o.keepalive_s * 1000u),
                        NUTAG_OUTBOUND(outbound.c_str()),
                        SIPTAG_ALLOW_STR("INVITE, ACK, BYE, CANCEL, OPTIONS, REFER, MESSAGE, INFO, NOTIFY"),
                        SIPTAG_SUPPORTED_STR("replaces"),
                        NUTAG_APPL_METHOD("REFER"),
                        NUTAG_MEDIA_ENABLE(0),
                        NUTAG_AUTOANSWER(0),
                        NUTAG_AUTOACK(0),
                        NUTAG_ENABLEMESSAGE(1),
                        NUTAG_ENABLEINVITE(1),
                        NTATAG_SIP_T1X64(o.t1x64_ms),
                        NTATAG_CANCEL_2543(o.rfc2543_cancel ? 1 : 0),
                        TAG_NULL());
  if (st->nua_ == nullptr) {
    *why = "could not create a SIP stack on " + url;
    return nullptr;
  }
  g_live++;
  return st;
}

SipStack::~SipStack() { destroy_nua(); }

void SipStack::destroy_nua() {
  if (nua_ == nullptr) return;
  nua_destroy(nua_);
  nua_ = nullptr;
  g_live--;
}

void SipStack::shutdown() {
  if (nua_ == nullptr || shutting_down_) return;
  shutting_down_ = true;
  owner_.reset();
  self_while_shutting_ = shared_from_this();
  // Keep this object alive until Sofia reports the shutdown finished.
  nua_shutdown(nua_);
}

void SipStack::callback(nua_event_t event, int status, char const* phrase, nua_t*, nua_magic_t* magic,
                        nua_handle_t* nh, nua_hmagic_t* hmagic, sip_t const* sip, tagi_t tags[]) {
  auto* self = reinterpret_cast<SipStack*>(magic);
  if (event == nua_r_shutdown) {
    if (status >= 200) {
      // nua_destroy is not allowed inside the callback: finish on the loop.
      Plugin::instance().loop().post([self] {
        self->destroy_nua();
        self->self_while_shutting_.reset();
      });
    }
    return;
  }
  if (self->shutting_down_) return;
  on_sip_event(*self, event, status, phrase ? phrase : "", nh, reinterpret_cast<Session*>(hmagic), sip, tags);
}

}  // namespace rtpgate::ctl
