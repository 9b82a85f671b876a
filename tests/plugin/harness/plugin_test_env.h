// GoogleTest glue for the plugin API tests: one plugin per process, loaded by a global
// environment from RTPGATE_PLUGIN, and a fixture with request/response helpers. Test thread.
//
// Environment variables:
//   RTPGATE_PLUGIN          path of the plugin .so (required)
//   RTPGATE_PLUGIN_FLAVOR   "stock" (Janus 1.1.2 libjanus_sip.so) or "rtpgate" (default: guessed
//                           from the file name)
//   RTPGATE_JANUS_CORE      janus executable to load as the core library (the stock plugin
//                           needs one; default: none, with a fallback to /usr/bin/janus)
//   RTPGATE_HARNESS_GENERAL extra `general` keys for janus.plugin.sip.jcfg, "k=v;k2=v2", raw
//                           libconfig values (strings quoted)
//   JANUS_LOG_LEVEL         0..7, default 2 (errors)
#pragma once
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fake_janus.h"
#include "jcfg_writer.h"

namespace rtpgate::test {

using namespace std::chrono_literals;

// Long enough for a loaded CI machine; only reached when something is wrong.
inline constexpr std::chrono::milliseconds kEventTimeout = 5000ms;

enum class Flavor { kStock, kRtpgate };

class PluginEnv : public ::testing::Environment {
 public:
  static PluginEnv& get();
  void SetUp() override;
  void TearDown() override;

  Flavor flavor() const { return flavor_; }
  const std::string& config_dir() const { return config_dir_->path(); }
  // The janus.plugin.sip.jcfg written for this run.
  static JcfgWriter default_config(const std::string& shm_name);

 private:
  Flavor flavor_ = Flavor::kRtpgate;
  std::unique_ptr<TempDir> config_dir_;
};

class PluginApiTest : public ::testing::Test {
 protected:
  void TearDown() override;

  static FakeJanus& core() { return FakeJanus::instance(); }
  static bool stock() { return PluginEnv::get().flavor() == Flavor::kStock; }

  // A new handle, detached again after the test.
  janus_plugin_session* attach();
  void detach(janus_plugin_session* h);

  // handle_message must answer OK_WAIT; returns the event pushed with the same transaction.
  // On failure records a test failure and returns an empty event.
  PluginEvent request(janus_plugin_session* h, std::string_view body,
                      std::optional<std::string_view> jsep = std::nullopt);
  PluginEvent request_raw(janus_plugin_session* h, json_t* body, json_t* jsep);
  // The request must be dropped without any event: the plugin handles requests in order, so an
  // unknown "fence" request sent right after must be the next event on the handle.
  void expect_ignored(janus_plugin_session* h, std::string_view body,
                      std::optional<std::string_view> jsep = std::nullopt);
  // register as a guest (no REGISTER sent); returns the `registered` event.
  PluginEvent guest_register(janus_plugin_session* h, const std::string& user = "alice");

 private:
  std::vector<janus_plugin_session*> handles_;
};

// A minimal valid WebRTC offer as the core would pass it (already anonymised: no ICE/DTLS).
std::string offer_jsep(bool audio = true, bool video = false, bool data = false);

// --- assertions on events ---
// The payload is exactly `expected` (JSON text): same keys, same values.
::testing::AssertionResult PayloadIs(const PluginEvent& ev, std::string_view expected);
// {"sip":"event","error_code":code,"error":text} and nothing else (no call_id).
::testing::AssertionResult IsError(const PluginEvent& ev, json_int_t code, std::string_view text);
// Same, plus a top-level call_id equal to `call_id`.
::testing::AssertionResult IsErrorWithCallId(const PluginEvent& ev, json_int_t code,
                                             std::string_view text, std::string_view call_id);
// "sip":"event" and result.event == name, no error.
::testing::AssertionResult IsResult(const PluginEvent& ev, std::string_view name);

}  // namespace rtpgate::test

// Requests that arrive with plugin part 2 (issue 6: hold, update, info, message, subscribe,
// transfer, recording, keyframe, ...): visible as skipped for rtpgate until they land;
// the stock run still checks every expectation.
#define RTPGATE_NEEDS_PART2()                                                              \
  do {                                                                                     \
    if (!stock()) GTEST_SKIP() << "request of Janus plugin part 2 (issue 6), not built yet"; \
  } while (0)
