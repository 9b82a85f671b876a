// The symbols a Janus 1.1.2 plugin resolves from the janus executable at load time, with the
// core's semantics (src/log.c, src/plugins/plugin.c, src/mutex.h, src/refcount.h). Exported from
// the test executable (export_dynamic). janus_vprintf runs on any plugin thread.
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <mutex>
#include <string>

#include "janus_headers.h"
#include "log_capture.h"

namespace rtpgate::test {
namespace {

std::mutex g_capture_mu;
std::string* g_capture = nullptr;

void capture(const char* line) {
  std::lock_guard<std::mutex> lock(g_capture_mu);
  if (g_capture != nullptr) g_capture->append(line);
}

}  // namespace

LogCapture::LogCapture(int level) : saved_level_(janus_log_level) {
  std::lock_guard<std::mutex> lock(g_capture_mu);
  g_capture = &text_;
  janus_log_level = level;
}

LogCapture::~LogCapture() {
  std::lock_guard<std::mutex> lock(g_capture_mu);
  g_capture = nullptr;
  janus_log_level = saved_level_;
}

std::string LogCapture::text() const {
  std::lock_guard<std::mutex> lock(g_capture_mu);
  return text_;
}

}  // namespace rtpgate::test

extern "C" {

// debug.h: the core's defaults are LOG_INFO, no timestamps, colours on, no prefix. The harness
// starts quieter (LOG_ERR) and without colours; JANUS_LOG_LEVEL overrides the level.
int janus_log_level = LOG_ERR;
gboolean janus_log_timestamps = FALSE;
gboolean janus_log_colors = FALSE;
char* janus_log_global_prefix = nullptr;

// mutex.h / refcount.h: debug tracing switches, off unless the core runs with -d/-r options.
int lock_debug = 0;
int refcount_debug = 0;

// log.c formats the line and hands it to the logger thread (stdout and/or a file). The harness
// writes it straight to stderr, which meson captures per test.
void janus_vprintf(const char* format, ...) {
  va_list ap;
  va_start(ap, format);
  char stack_buf[1024];
  va_list ap2;
  va_copy(ap2, ap);
  const int len = std::vsnprintf(stack_buf, sizeof stack_buf, format, ap);
  va_end(ap);
  if (len < 0) {
    va_end(ap2);
    return;
  }
  if (static_cast<size_t>(len) < sizeof stack_buf) {
    std::fputs(stack_buf, stderr);
    rtpgate::test::capture(stack_buf);
  } else {
    char* heap_buf = static_cast<char*>(g_malloc(static_cast<size_t>(len) + 1));
    std::vsnprintf(heap_buf, static_cast<size_t>(len) + 1, format, ap2);
    std::fputs(heap_buf, stderr);
    rtpgate::test::capture(heap_buf);
    g_free(heap_buf);
  }
  va_end(ap2);
}

// plugin.c: `text` is borrowed (plugins pass literals), `content` is stolen.
janus_plugin_result* janus_plugin_result_new(janus_plugin_result_type type, const char* text,
                                             json_t* content) {
  auto* result = static_cast<janus_plugin_result*>(g_malloc(sizeof(janus_plugin_result)));
  result->type = type;
  result->text = text;
  result->content = content;
  return result;
}

void janus_plugin_result_destroy(janus_plugin_result* result) {
  result->text = nullptr;
  if (result->content != nullptr) json_decref(result->content);
  result->content = nullptr;
  g_free(result);
}

// plugin.c (1.1.2 layout: no abs-capture-time / layer fields): -1 means "absent".
void janus_plugin_rtp_extensions_reset(janus_plugin_rtp_extensions* extensions) {
  if (extensions == nullptr) return;
  extensions->audio_level = -1;
  extensions->audio_level_vad = FALSE;
  extensions->video_rotation = -1;
  extensions->video_back_camera = FALSE;
  extensions->video_flipped = FALSE;
  extensions->min_delay = -1;
  extensions->max_delay = -1;
  extensions->dd_len = 0;
  std::memset(extensions->dd_content, 0, sizeof(extensions->dd_content));
}

void janus_plugin_rtp_reset(janus_plugin_rtp* packet) {
  if (packet == nullptr) return;
  std::memset(packet, 0, sizeof(janus_plugin_rtp));
  packet->mindex = -1;
  janus_plugin_rtp_extensions_reset(&packet->extensions);
}

void janus_plugin_rtcp_reset(janus_plugin_rtcp* packet) {
  if (packet == nullptr) return;
  std::memset(packet, 0, sizeof(janus_plugin_rtcp));
  packet->mindex = -1;
}

void janus_plugin_data_reset(janus_plugin_data* packet) {
  if (packet == nullptr) return;
  std::memset(packet, 0, sizeof(janus_plugin_data));
}

}  // extern "C"
