// One account's Sofia-SIP user agent (nua): its own socket, Contact, registration and
// keep-alives, as the stock plugin has per registered session (spec §14), but created on
// the plugin's single Sofia loop (su_root_threading(root, 0): no thread per stack).
// Helpers share their master's stack. Loop thread only.
#pragma once
#include <sofia-sip/nua.h>

#include <memory>
#include <string>

namespace rtpgate::ctl {

class Session;

struct StackOptions {
  std::string local_ip;
  bool tcp = false;
  bool sips = false;
  std::string sips_certs_dir;
  std::string user_agent;
  uint32_t keepalive_s = 120;
  bool behind_nat = false;
  uint32_t t1x64_ms = 32000;
  bool rfc2543_cancel = false;
};

class SipStack : public std::enable_shared_from_this<SipStack> {
 public:
  // Creates the nua on `root`; nullptr + *why on failure.
  static std::shared_ptr<SipStack> create(su_root_t* root, const StackOptions& o, std::weak_ptr<Session> owner,
                                          std::string* why);
  ~SipStack();
  SipStack(const SipStack&) = delete;
  SipStack& operator=(const SipStack&) = delete;

  nua_t* nua() const noexcept { return nua_; }
  std::shared_ptr<Session> owner() const noexcept { return owner_.lock(); }
  const std::string& contact_host() const noexcept { return host_; }
  // Starts an orderly shutdown (unregister/terminate dialogs); the nua is destroyed when
  // Sofia reports it done or after a timeout. Safe to call more than once.
  void shutdown();
  bool shut_down() const noexcept { return nua_ == nullptr; }

  // Live stacks (for the shutdown wait in Plugin::destroy).
  static int live_count() noexcept;

 private:
  SipStack() = default;
  static void callback(nua_event_t event, int status, char const* phrase, nua_t* nua, nua_magic_t* magic,
                       nua_handle_t* nh, nua_hmagic_t* hmagic, sip_t const* sip, tagi_t tags[]);
  void destroy_nua();

  nua_t* nua_ = nullptr;
  std::weak_ptr<Session> owner_;
  std::string host_;
  bool shutting_down_ = false;
  std::shared_ptr<SipStack> self_while_shutting_;   // keeps us alive until nua_r_shutdown
};

}  // namespace rtpgate::ctl
