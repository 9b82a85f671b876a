// janus.plugin.sip.jcfg is validated when Janus loads the plugin: a bad value or a syntax
// error makes init() fail, and Janus's log names the file, the line and the key. Each case
// loads the plugin in a child process (a plugin is loaded once per process).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "fake_janus.h"
#include "jcfg_writer.h"
#include "log_capture.h"

namespace rtpgate::test {
namespace {

struct Outcome {
  bool loaded = false;
  std::string log;  // what the plugin logged (LOG_ERR and worse)
};

// Loads the plugin with `jcfg` (the file's text) in a child; returns whether init()
// succeeded and what was logged.
Outcome load_with(const std::string& jcfg) {
  const char* plugin = std::getenv("RTPGATE_PLUGIN");
  if (plugin == nullptr) return {};
  TempDir dir;
  { std::ofstream(dir.path() + "/janus.plugin.sip.jcfg") << jcfg; }
  int fds[2];
  if (pipe(fds) != 0) return {};
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    std::string text;
    bool ok = false;
    {
      LogCapture log(LOG_ERR);
      LoadOptions opts;
      opts.plugin_path = plugin;
      opts.config_dir = dir.path();
      std::string error;
      ok = FakeJanus::instance().load(opts, &error);
      text = log.text() + error;
    }
    const std::string out = (ok ? "1" : "0") + text;
    if (write(fds[1], out.data(), out.size()) < 0) _exit(2);
    _exit(0);  // no destroy(): the child only reports
  }
  close(fds[1]);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int st = 0;
  waitpid(pid, &st, 0);
  if (out.empty()) return {};
  return {out[0] == '1', out.substr(1)};
}

// The 1-based line of `needle` in `text`.
int line_of(const std::string& text, const std::string& needle) {
  std::istringstream is(text);
  std::string l;
  for (int n = 1; std::getline(is, l); n++)
    if (l.find(needle) != std::string::npos) return n;
  return 0;
}

std::string config_with(const std::string& key, const std::string& raw) {
  JcfgWriter w;
  w.set_string("general", "local_ip", "127.0.0.1")
      .set_int("general", "keepalive_interval", 0)
      .set_string("general", "rtpgate_shm", "/rtpgate-config-test-none")
      .set("general", key, raw);
  return w.render();
}

class ConfigErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::getenv("RTPGATE_PLUGIN") == nullptr) GTEST_SKIP() << "set RTPGATE_PLUGIN";
  }
  // A bad `key` = raw: init fails and the log names file, line and key, and says `why`.
  void expect_refused(const std::string& key, const std::string& raw, const std::string& why) {
    const std::string text = config_with(key, raw);
    const int line = line_of(text, key);
    ASSERT_GT(line, 0) << text;
    const Outcome o = load_with(text);
    EXPECT_FALSE(o.loaded) << key << " = " << raw << " was accepted";
    const std::string where = "janus.plugin.sip.jcfg:" + std::to_string(line) + ": " + key;
    EXPECT_NE(o.log.find(where), std::string::npos) << "log lacks \"" << where << "\": " << o.log;
    EXPECT_NE(o.log.find(why), std::string::npos) << "log lacks \"" << why << "\": " << o.log;
  }
};

TEST_F(ConfigErrors, AGoodFileLoads) {
  const Outcome o = load_with(config_with("behind_nat", "false"));
  EXPECT_TRUE(o.loaded) << o.log;
}

TEST_F(ConfigErrors, BadBoolean) { expect_refused("behind_nat", "\"maybe\"", "expected true or false, got 'maybe'"); }
TEST_F(ConfigErrors, BadInteger) { expect_refused("register_ttl", "\"soon\"", "expected an integer, got 'soon'"); }
TEST_F(ConfigErrors, BadPortRange) { expect_refused("rtp_port_range", "\"10000:20000\"", "expected min-max"); }
TEST_F(ConfigErrors, DscpOutOfRange) { expect_refused("dscp_audio_rtp", "99", "0..63"); }
TEST_F(ConfigErrors, UnknownCompat) { expect_refused("compat", "\"2.0\"", "expected \"1.1.2\" or \"head\""); }
TEST_F(ConfigErrors, CommandTimeoutOutOfRange) { expect_refused("rtpgate_cmd_timeout_ms", "5", "10..60000"); }

TEST_F(ConfigErrors, SyntaxErrorNamesItsLine) {
  const std::string text = "general: {\n  local_ip = \"127.0.0.1\"\n  events = true\n  behind_nat = \n}\n";
  const Outcome o = load_with(text);
  EXPECT_FALSE(o.loaded);
  EXPECT_NE(o.log.find("janus.plugin.sip.jcfg:5: syntax error"), std::string::npos) << o.log;
}

}  // namespace
}  // namespace rtpgate::test
