// The scripted core: plugin loading, janus_callbacks, handle lifetime and the recorded traffic.
// Callbacks run on plugin threads and only touch CoreState under its mutex; calls into the
// plugin are made from the test thread without holding that mutex.
#include "fake_janus.h"

#include <dlfcn.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "janus_core_lib.h"

extern "C" {
#include <apierror.h>
}

namespace rtpgate::test {
namespace {

constexpr const char* kDefaultJanusBinary = "/usr/bin/janus";

struct HandleRecord {
  janus_plugin_session* session = nullptr;
  bool attached = false;
  std::deque<PluginEvent> events;
  std::vector<RelayedPacket> rtp, rtcp, data;
  int end_session_calls = 0;
  int close_pc_calls = 0;
  int pli_calls = 0;
  int pli_stream_calls = 0;
  std::optional<guint32> last_remb_bps;
};

struct CoreState {
  mutable std::mutex mu;
  std::condition_variable cv;
  std::map<const janus_plugin_session*, std::unique_ptr<HandleRecord>> handles;
  std::vector<PluginEvent> orphan_events;
  std::deque<NotifiedEvent> notifications;
  bool events_enabled = true;
  uint64_t next_transaction = 1;
  uint64_t events_pushed = 0;

  HandleRecord* find(const janus_plugin_session* h) {
    auto it = handles.find(h);
    return it == handles.end() ? nullptr : it->second.get();
  }
  // janus_plugin_session_is_alive(): known to the core and not stopped.
  HandleRecord* alive(const janus_plugin_session* h) {
    HandleRecord* rec = find(h);
    if (rec == nullptr || !rec->attached || g_atomic_int_get(&h->stopped) != 0) return nullptr;
    return rec;
  }
};

// Never destroyed: plugin threads may still call back while the process exits, and the
// handles the harness keeps alive (its own reference) stay reachable for LeakSanitizer.
CoreState& state() {
  static CoreState* s = new CoreState;
  return *s;
}

// --- janus_plugin_session lifetime (ice.c janus_ice_plugin_session_free) ---
void plugin_session_free(const janus_refcount* ref) {
  auto* ps = janus_refcount_containerof(ref, janus_plugin_session, ref);
  g_free(ps);
}

// --- janus_callbacks (janus.c janus_plugin_*), in ABI order ---
int cb_push_event(janus_plugin_session* handle, janus_plugin* plugin, const char* transaction,
                  json_t* message, json_t* jsep) {
  if (plugin == nullptr || message == nullptr) return -1;
  PluginEvent ev;
  ev.handle = handle;
  if (transaction != nullptr) ev.transaction = transaction;
  ev.message = copy_json(message);
  ev.jsep = copy_json(jsep);
  CoreState& s = state();
  std::lock_guard lock(s.mu);
  ++s.events_pushed;
  HandleRecord* rec = s.alive(handle);
  if (rec == nullptr) {
    s.orphan_events.push_back(std::move(ev));
    return -2;
  }
  if (!json_is_object(message)) return JANUS_ERROR_INVALID_JSON_OBJECT;
  rec->events.push_back(std::move(ev));
  s.cv.notify_all();
  return 0;  // JANUS_OK: the core took its own references, the caller still decrefs
}

RelayedPacket copy_packet(janus_plugin_session* handle, int mindex, bool video, const char* buf,
                          uint16_t len) {
  RelayedPacket p;
  p.handle = handle;
  p.mindex = mindex;
  p.video = video;
  if (buf != nullptr) p.data.assign(buf, buf + len);
  return p;
}

void cb_relay_rtp(janus_plugin_session* handle, janus_plugin_rtp* packet) {
  if (packet == nullptr) return;
  RelayedPacket p = copy_packet(handle, packet->mindex, packet->video != FALSE, packet->buffer,
                                packet->length);
  p.extensions = packet->extensions;
  CoreState& s = state();
  std::lock_guard lock(s.mu);
  if (HandleRecord* rec = s.alive(handle)) rec->rtp.push_back(std::move(p));
}

void cb_relay_rtcp(janus_plugin_session* handle, janus_plugin_rtcp* packet) {
  if (packet == nullptr) return;
  RelayedPacket p = copy_packet(handle, packet->mindex, packet->video != FALSE, packet->buffer,
                                packet->length);
  CoreState& s = state();
  std::lock_guard lock(s.mu);
  if (HandleRecord* rec = s.alive(handle)) rec->rtcp.push_back(std::move(p));
}

void cb_relay_data(janus_plugin_session* handle, janus_plugin_data* packet) {
  if (packet == nullptr) return;
  RelayedPacket p = copy_packet(handle, -1, false, packet->buffer, packet->length);
  CoreState& s = state();
  std::lock_guard lock(s.mu);
  if (HandleRecord* rec = s.alive(handle)) rec->data.push_back(std::move(p));
}

void cb_send_pli(janus_plugin_session* handle) {
  CoreState& s = state();
  std::lock_guard lock(s.mu);
  if (HandleRecord* rec = s.alive(handle)) ++rec->pli_calls;
}

void cb_send_pli_stream(janus_plugin_session* handle, int /*mindex*/) {
  CoreState& s = state();
  std::lock_guard lock(s.mu);
  if (HandleRecord* rec = s.alive(handle)) ++rec->pli_stream_calls;
}

void cb_send_remb(janus_plugin_session* handle, guint32 bitrate) {
  CoreState& s = state();
  std::lock_guard lock(s.mu);
  if (HandleRecord* rec = s.alive(handle)) rec->last_remb_bps = bitrate;
}

// The real core hangs the PeerConnection up and later calls hangup_media(); there is no
// PeerConnection here, so the request is only counted.
void cb_close_pc(janus_plugin_session* handle) {
  CoreState& s = state();
  std::lock_guard lock(s.mu);
  if (HandleRecord* rec = s.alive(handle)) ++rec->close_pc_calls;
}

// The real core detaches the handle (destroy_session follows). Here it is only counted: the
// plugin may call this while holding its own locks, and a test decides whether to detach.
void cb_end_session(janus_plugin_session* handle) {
  CoreState& s = state();
  std::lock_guard lock(s.mu);
  if (HandleRecord* rec = s.alive(handle)) ++rec->end_session_calls;
}

gboolean cb_events_is_enabled() {
  CoreState& s = state();
  std::lock_guard lock(s.mu);
  return s.events_enabled ? TRUE : FALSE;
}

// Steals `event` (except, as in janus.c, when it is not an object).
void cb_notify_event(janus_plugin* plugin, janus_plugin_session* handle, json_t* event) {
  if (plugin == nullptr || event == nullptr || !json_is_object(event)) return;
  CoreState& s = state();
  std::unique_lock lock(s.mu);
  if ((handle != nullptr && s.alive(handle) == nullptr) || !s.events_enabled) {
    lock.unlock();
    json_decref(event);
    return;
  }
  s.notifications.push_back(NotifiedEvent{handle, JsonRef(event)});
  s.cv.notify_all();
}

gboolean cb_auth_is_signed() { return FALSE; }
gboolean cb_auth_is_signature_valid(janus_plugin*, const char*) { return FALSE; }
gboolean cb_auth_signature_contains(janus_plugin*, const char*, const char*) { return FALSE; }

janus_callbacks g_callbacks = {
    .push_event = cb_push_event,
    .relay_rtp = cb_relay_rtp,
    .relay_rtcp = cb_relay_rtcp,
    .relay_data = cb_relay_data,
    .send_pli = cb_send_pli,
    .send_pli_stream = cb_send_pli_stream,
    .send_remb = cb_send_remb,
    .close_pc = cb_close_pc,
    .end_session = cb_end_session,
    .events_is_enabled = cb_events_is_enabled,
    .notify_event = cb_notify_event,
    .auth_is_signed = cb_auth_is_signed,
    .auth_is_signature_valid = cb_auth_is_signature_valid,
    .auth_signature_contains = cb_auth_signature_contains,
};

// janus.c refuses a plugin lacking any of these.
const char* missing_mandatory_member(const janus_plugin* p) {
  if (p->init == nullptr) return "init";
  if (p->destroy == nullptr) return "destroy";
  if (p->get_api_compatibility == nullptr) return "get_api_compatibility";
  if (p->get_version == nullptr) return "get_version";
  if (p->get_version_string == nullptr) return "get_version_string";
  if (p->get_description == nullptr) return "get_description";
  if (p->get_package == nullptr) return "get_package";
  if (p->get_name == nullptr) return "get_name";
  if (p->create_session == nullptr) return "create_session";
  if (p->query_session == nullptr) return "query_session";
  if (p->destroy_session == nullptr) return "destroy_session";
  if (p->handle_message == nullptr) return "handle_message";
  if (p->setup_media == nullptr) return "setup_media";
  if (p->hangup_media == nullptr) return "hangup_media";
  return nullptr;
}

bool is_missing_core_symbol(const std::string& dl_error) {
  const auto pos = dl_error.find("undefined symbol: ");
  if (pos == std::string::npos) return false;
  const std::string sym = dl_error.substr(pos + 18);
  return sym.rfind("janus_", 0) == 0 || sym.rfind("srtp_", 0) == 0 ||
         sym.rfind("lock_debug", 0) == 0 || sym.rfind("refcount_debug", 0) == 0;
}

}  // namespace

// --- PluginEvent accessors ---
const json_t* PluginEvent::result() const {
  const json_t* r = json_is_object(message.get()) ? json_object_get(message.get(), "result")
                                                  : nullptr;
  return json_is_object(r) ? r : nullptr;
}
std::string PluginEvent::result_event() const {
  return string_at(result(), "event").value_or("");
}
std::optional<json_int_t> PluginEvent::error_code() const {
  return integer_at(message.get(), "error_code");
}
std::optional<std::string> PluginEvent::error() const { return string_at(message.get(), "error"); }
std::optional<std::string> PluginEvent::call_id() const {
  return string_at(message.get(), "call_id");
}
std::string PluginEvent::dump() const {
  std::string out = "{transaction: " + (transaction ? "\"" + *transaction + "\"" : "null") +
                    ", message: " + dump_json(message.get());
  if (jsep) out += ", jsep: " + dump_json(jsep.get());
  return out + "}";
}

// --- FakeJanus ---
FakeJanus& FakeJanus::instance() {
  static FakeJanus core;
  return core;
}

janus_callbacks* FakeJanus::callbacks() { return &g_callbacks; }

bool FakeJanus::load(const LoadOptions& options, std::string* error) {
  auto fail = [error](const std::string& what) {
    if (error != nullptr) *error = what;
    return false;
  };
  if (plugin_ != nullptr) return fail("a plugin is already loaded");
  set_events_enabled(options.events_enabled);

  std::string core_error;
  if (!options.janus_core_binary.empty() && core_handle_ == nullptr) {
    core_handle_ = load_janus_core(options.janus_core_binary, &core_error);
    if (core_handle_ == nullptr) return fail(core_error);
  }
  dl_handle_ = dlopen(options.plugin_path.c_str(), RTLD_NOW | RTLD_GLOBAL);
  if (dl_handle_ == nullptr) {
    const char* dl_err = dlerror();
    std::string dl_error = dl_err != nullptr ? dl_err : "unknown dlopen error";
    if (core_handle_ == nullptr && is_missing_core_symbol(dl_error) &&
        access(kDefaultJanusBinary, R_OK) == 0) {
      std::fprintf(stderr, "[harness] %s: %s; loading %s as the core library\n",
                   options.plugin_path.c_str(), dl_error.c_str(), kDefaultJanusBinary);
      core_handle_ = load_janus_core(kDefaultJanusBinary, &core_error);
      if (core_handle_ == nullptr) return fail(dl_error + "; and " + core_error);
      dl_handle_ = dlopen(options.plugin_path.c_str(), RTLD_NOW | RTLD_GLOBAL);
      if (dl_handle_ == nullptr) {
        dl_err = dlerror();
        dl_error = dl_err != nullptr ? dl_err : "unknown dlopen error";
      }
    }
    if (dl_handle_ == nullptr) return fail("dlopen: " + dl_error);
  }
  if (core_handle_ != nullptr) {
    // The core's own logging (e.g. inside janus_sdp_parse) follows the harness level.
    if (auto* level = static_cast<int*>(dlsym(core_handle_, "janus_log_level"))) {
      *level = janus_log_level;
    }
  }
  using CreateFn = janus_plugin* (*)();
  auto create = reinterpret_cast<CreateFn>(dlsym(dl_handle_, "create"));
  if (create == nullptr) return fail("no create() in " + options.plugin_path);
  janus_plugin* p = create();
  if (p == nullptr) return fail("create() returned NULL");
  if (const char* member = missing_mandatory_member(p)) {
    return fail(std::string("missing mandatory member ") + member);
  }
  if (p->get_api_compatibility() != JANUS_PLUGIN_API_VERSION) {
    return fail("get_api_compatibility() = " + std::to_string(p->get_api_compatibility()) +
                ", core expects " + std::to_string(JANUS_PLUGIN_API_VERSION));
  }
  if (p->init(&g_callbacks, options.config_dir.c_str()) < 0) return fail("init() failed");
  plugin_ = p;
  return true;
}

void FakeJanus::shutdown() {
  if (plugin_ == nullptr) return;
  plugin_->destroy();
  plugin_ = nullptr;
}

// ice.c janus_ice_handle_attach_plugin(): create_session() runs before the reference counter
// exists (a plugin must not touch handle->ref there; the harness poisons it), then the counter
// starts at 2: one reference for the core handle and one the plugin owns and drops when it frees
// its session. Only then is the handle "alive" for push_event().
// refcount.h's debug branch prints the janus_refcount* with %p, which clang's
// -Wformat-pedantic rejects inside our expansion of the macros.
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wformat-pedantic"
#endif
janus_plugin_session* FakeJanus::attach(int* error) {
  auto* ps = static_cast<janus_plugin_session*>(g_malloc0(sizeof(janus_plugin_session)));
  ps->ref.count = 0x5a5a5a5a;
  ps->ref.free = nullptr;
  auto rec = std::make_unique<HandleRecord>();
  rec->session = ps;
  ps->gateway_handle = rec.get();
  {
    CoreState& s = state();
    std::lock_guard lock(s.mu);
    s.handles[ps] = std::move(rec);
  }
  int err = 0;
  plugin_->create_session(ps, &err);
  if (error != nullptr) *error = err;
  if (err != 0) return nullptr;  // janus.c frees the memory; the harness keeps it (record)
  janus_refcount_init(&ps->ref, plugin_session_free);  // the core handle's reference
  janus_refcount_increase(&ps->ref);                    // the plugin's
  janus_refcount_increase(&ps->ref);                    // the harness's own, never dropped
  CoreState& s = state();
  std::lock_guard lock(s.mu);
  s.find(ps)->attached = true;
  return ps;
}

int FakeJanus::detach(janus_plugin_session* handle) {
  {
    CoreState& s = state();
    std::lock_guard lock(s.mu);
    HandleRecord* rec = s.find(handle);
    if (rec == nullptr || !rec->attached) return -1;
    rec->attached = false;
  }
  g_atomic_int_set(&handle->stopped, 1);
  int err = 0;
  plugin_->destroy_session(handle, &err);
  janus_refcount_decrease(&handle->ref);  // the core's reference
  return err;
}
#if defined(__clang__)
#pragma clang diagnostic pop
#endif

int FakeJanus::plugin_refs(janus_plugin_session* handle) const {
  CoreState& s = state();
  std::lock_guard lock(s.mu);
  const HandleRecord* rec = s.find(handle);
  if (rec == nullptr) return -1;
  return g_atomic_int_get(&handle->ref.count) - 1 - (rec->attached ? 1 : 0);
}

bool FakeJanus::is_attached(janus_plugin_session* handle) const {
  CoreState& s = state();
  std::lock_guard lock(s.mu);
  return s.alive(handle) != nullptr;
}

MessageResult FakeJanus::send(janus_plugin_session* handle, std::string_view body_json,
                              std::optional<std::string_view> jsep_json,
                              std::string transaction) {
  std::string parse_error;
  JsonRef body = parse_json(body_json, &parse_error);
  if (!body) {
    std::fprintf(stderr, "[harness] invalid body JSON (%s): %.*s\n", parse_error.c_str(),
                 static_cast<int>(body_json.size()), body_json.data());
    std::abort();
  }
  JsonRef jsep;
  if (jsep_json) {
    jsep = parse_json(*jsep_json, &parse_error);
    if (!jsep) {
      std::fprintf(stderr, "[harness] invalid jsep JSON (%s)\n", parse_error.c_str());
      std::abort();
    }
  }
  return send_raw(handle, body.release(), jsep.release(), std::move(transaction));
}

MessageResult FakeJanus::send_raw(janus_plugin_session* handle, json_t* body, json_t* jsep,
                                  std::string transaction) {
  if (transaction.empty()) {
    CoreState& s = state();
    std::lock_guard lock(s.mu);
    transaction = "tx" + std::to_string(s.next_transaction++);
  }
  MessageResult out;
  out.transaction = transaction;
  // The plugin owns body, jsep and the transaction string from here on.
  janus_plugin_result* r =
      plugin_->handle_message(handle, g_strdup(transaction.c_str()), body, jsep);
  if (r == nullptr) {
    out.type = JANUS_PLUGIN_ERROR;
    out.text = "Plugin didn't give a result";  // janus.c's answer to the client
    return out;
  }
  out.type = r->type;
  if (r->text != nullptr) out.text = r->text;
  out.content = copy_json(r->content);
  janus_plugin_result_destroy(r);
  return out;
}

std::optional<PluginEvent> FakeJanus::wait_event(janus_plugin_session* handle,
                                                 std::chrono::milliseconds timeout) {
  return wait_event_if(handle, [](const PluginEvent&) { return true; }, timeout);
}

std::optional<PluginEvent> FakeJanus::wait_event_if(
    janus_plugin_session* handle, const std::function<bool(const PluginEvent&)>& match,
    std::chrono::milliseconds timeout) {
  CoreState& s = state();
  std::unique_lock lock(s.mu);
  std::optional<PluginEvent> found;
  s.cv.wait_for(lock, timeout, [&] {
    HandleRecord* rec = s.find(handle);
    if (rec == nullptr) return false;
    for (auto it = rec->events.begin(); it != rec->events.end(); ++it) {
      if (!match(*it)) continue;
      found = std::move(*it);
      rec->events.erase(it);
      return true;
    }
    return false;
  });
  return found;
}

size_t FakeJanus::pending_events(janus_plugin_session* handle) const {
  CoreState& s = state();
  std::lock_guard lock(s.mu);
  const HandleRecord* rec = s.find(handle);
  return rec == nullptr ? 0 : rec->events.size();
}

uint64_t FakeJanus::events_pushed() const {
  CoreState& s = state();
  std::lock_guard lock(s.mu);
  return s.events_pushed;
}

std::vector<PluginEvent> FakeJanus::take_orphan_events() {
  CoreState& s = state();
  std::lock_guard lock(s.mu);
  return std::exchange(s.orphan_events, {});
}

std::optional<NotifiedEvent> FakeJanus::wait_notification(std::chrono::milliseconds timeout) {
  CoreState& s = state();
  std::unique_lock lock(s.mu);
  if (!s.cv.wait_for(lock, timeout, [&] { return !s.notifications.empty(); })) {
    return std::nullopt;
  }
  NotifiedEvent ev = std::move(s.notifications.front());
  s.notifications.pop_front();
  return ev;
}

std::vector<NotifiedEvent> FakeJanus::take_notifications() {
  CoreState& s = state();
  std::lock_guard lock(s.mu);
  std::vector<NotifiedEvent> out(std::make_move_iterator(s.notifications.begin()),
                                 std::make_move_iterator(s.notifications.end()));
  s.notifications.clear();
  return out;
}

void FakeJanus::set_events_enabled(bool enabled) {
  CoreState& s = state();
  std::lock_guard lock(s.mu);
  s.events_enabled = enabled;
}

std::vector<RelayedPacket> FakeJanus::take_rtp(janus_plugin_session* handle) {
  CoreState& s = state();
  std::lock_guard lock(s.mu);
  HandleRecord* rec = s.find(handle);
  return rec == nullptr ? std::vector<RelayedPacket>{} : std::exchange(rec->rtp, {});
}

std::vector<RelayedPacket> FakeJanus::take_rtcp(janus_plugin_session* handle) {
  CoreState& s = state();
  std::lock_guard lock(s.mu);
  HandleRecord* rec = s.find(handle);
  return rec == nullptr ? std::vector<RelayedPacket>{} : std::exchange(rec->rtcp, {});
}

int FakeJanus::end_session_calls(janus_plugin_session* handle) const {
  CoreState& s = state();
  std::lock_guard lock(s.mu);
  const HandleRecord* rec = s.find(handle);
  return rec == nullptr ? 0 : rec->end_session_calls;
}

int FakeJanus::close_pc_calls(janus_plugin_session* handle) const {
  CoreState& s = state();
  std::lock_guard lock(s.mu);
  const HandleRecord* rec = s.find(handle);
  return rec == nullptr ? 0 : rec->close_pc_calls;
}

int FakeJanus::pli_calls(janus_plugin_session* handle) const {
  CoreState& s = state();
  std::lock_guard lock(s.mu);
  const HandleRecord* rec = s.find(handle);
  return rec == nullptr ? 0 : rec->pli_calls;
}

JsonRef FakeJanus::query_session(janus_plugin_session* handle) {
  return JsonRef(plugin_->query_session(handle));  // new reference
}

}  // namespace rtpgate::test
