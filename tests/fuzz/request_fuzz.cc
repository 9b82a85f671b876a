// libFuzzer target: the plugin's request handling (control/requests: dispatch.cc's request
// table, validate.cc and each handler's checks) through the real plugin .so, loaded by the
// harness's fake Janus core (tests/plugin/harness/fake_janus.h) as janus.c loads it.
// RTPGATE_PLUGIN names the .so (the fuzz build's coverage-instrumented copy, or the shipped
// plugin for the replay test). Each input is one request on a fresh handle: the body JSON,
// optionally followed by a NUL byte and a jsep JSON. A fence request follows it; every event
// before the fence's must be a well-formed result or an error with a code from the spec
// (janus-sip-api.md §2: 0 only for "Wrong state ...", 440-455, 499).
// A fresh handle is never registered or in a call, so no request reaches the network, with one
// exception made here: a `register` that is neither guest nor helper gets "send_register":
// false (the plugin still validates it in full and builds its SIP stack on 127.0.0.1, but
// sends no REGISTER to the host the input names).
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "fake_janus.h"
#include "fuzz_check.h"
#include "jcfg_writer.h"
#include "json_ref.h"

namespace {

using namespace rtpgate::test;
using namespace std::chrono_literals;

constexpr const char* kFenceName = "rtpgate-fuzz-fence";
constexpr auto kAnswerTimeout = 10s;

FakeJanus& core() { return FakeJanus::instance(); }

void load_plugin() {
  const char* so = std::getenv("RTPGATE_PLUGIN");
  if (so == nullptr || *so == '\0') {
    std::fprintf(stderr, "request_fuzz: set RTPGATE_PLUGIN to the plugin .so\n");
    std::exit(1);
  }
  static TempDir dir;  // read by init() only
  JcfgWriter cfg;
  // Loopback SIP, no event handlers, and a region name no data plane uses: media requests
  // never get that far, and a data plane someone runs on this machine is left alone.
  cfg.set_string("general", "local_ip", "127.0.0.1")
      .set_int("general", "keepalive_interval", 0)
      .set_bool("general", "behind_nat", false)
      .set_bool("general", "events", false)
      .set_string("general", "rtpgate_shm", "/rtpgate-request-fuzz-" + std::to_string(getpid()));
  std::string error;
  LoadOptions o;
  o.plugin_path = so;
  o.config_dir = dir.path();
  o.events_enabled = false;
  if (!cfg.write(dir.path() + "/janus.plugin.sip.jcfg", &error) || !core().load(o, &error)) {
    std::fprintf(stderr, "request_fuzz: %s: %s\n", so, error.c_str());
    std::exit(1);
  }
}

bool spec_code(json_int_t code, const std::string& text) {
  if (code == 0) return text.rfind("Wrong state", 0) == 0;
  return (code >= 440 && code <= 455) || code == 499;
}

// {"sip":"event", ...} with either error_code + error (a spec code) or no error at all.
void check_event(const PluginEvent& ev) {
  const json_t* msg = ev.message.get();
  FUZZ_CHECK(json_is_object(msg));
  FUZZ_CHECK(string_at(msg, "sip") == std::optional<std::string>("event"));
  const json_t* code = json_object_get(msg, "error_code");
  if (code != nullptr) {
    const std::optional<std::string> text = ev.error();
    FUZZ_CHECK(json_is_integer(code) && text.has_value() && !text->empty());
    if (!spec_code(json_integer_value(code), *text))
      std::fprintf(stderr, "request_fuzz: error outside the spec: %s\n", ev.dump().c_str());
    FUZZ_CHECK(spec_code(json_integer_value(code), *text));
    FUZZ_CHECK(json_object_get(msg, "result") == nullptr);
  } else {
    FUZZ_CHECK(json_object_get(msg, "error") == nullptr);
    const json_t* result = json_object_get(msg, "result");
    FUZZ_CHECK(result == nullptr || json_is_object(result));
  }
}

// The forced "send_register": false (see the file comment).
void keep_off_the_network(json_t* body) {
  if (!json_is_object(body)) return;
  const std::optional<std::string> req = string_at(body, "request");
  if (!req) return;
  std::string name = *req;
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::optional<std::string> type = string_at(body, "type");
  if (name == "register" && type != std::optional<std::string>("guest") && type != std::optional<std::string>("helper"))
    json_object_set_new(body, "send_register", json_false());
}

// Once per process: from libFuzzer's init hook, or the first input (replay_main has no hook).
void ensure_loaded() {
  static const bool loaded = (load_plugin(), true);
  (void)loaded;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ensure_loaded();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ensure_loaded();
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t nul = in.find('\0');
  JsonRef body = parse_json(in.substr(0, nul));
  if (!body) return 0;  // the core refuses what does not parse
  JsonRef jsep = nul == std::string_view::npos ? nullptr : parse_json(in.substr(nul + 1));
  keep_off_the_network(body.get());

  janus_plugin_session* h = core().attach();
  FUZZ_CHECK(h != nullptr);
  const MessageResult r = core().send_raw(h, body.release(), jsep.release());
  FUZZ_CHECK(r.type == JANUS_PLUGIN_OK_WAIT);
  const MessageResult fence =
      core().send(h, std::string("{\"request\":\"") + kFenceName + "\"}");
  FUZZ_CHECK(fence.type == JANUS_PLUGIN_OK_WAIT);
  for (;;) {
    std::optional<PluginEvent> ev = core().wait_event(h, kAnswerTimeout);
    FUZZ_CHECK(ev.has_value());  // the plugin stopped answering
    check_event(*ev);
    if (ev->transaction == fence.transaction) {
      FUZZ_CHECK(ev->error_code() == 442);
      break;
    }
    FUZZ_CHECK(!ev->transaction || *ev->transaction == r.transaction);
  }
  FUZZ_CHECK(core().detach(h) == 0);
  for (const PluginEvent& ev : core().take_orphan_events()) check_event(ev);
  return 0;
}
