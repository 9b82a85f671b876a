// Configuration reloads, the pure part: where each key was set, validation messages naming
// the key and its line, run-time keys, and what a reload would change (config_diff).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "config/config.h"
#include "config/config_diff.h"

namespace rtpgate::dp {
namespace {

#define EXPECT_CONTAINS(str, sub)                           \
  EXPECT_NE(std::string(str).find(sub), std::string::npos) \
      << "message \"" << (str) << "\" lacks \"" << (sub) << "\""

const char* kBase =
    "# lab\n"
    "port = 0 addr=10.0.0.1/24\n"
    "port_min = 20000\n"
    "port_max = 20999\n"
    "control_grace_ms = 30000\n"
    "pli_min_interval_ms = 500\n";

Config parsed(const std::string& text) {
  Config c;
  std::string why;
  EXPECT_TRUE(parse_config(text, &c, &why)) << why;
  return c;
}

class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    char tmpl[] = "/tmp/rtpgate-config-XXXXXX";
    const int fd = mkstemp(tmpl);
    path_ = tmpl;
    close(fd);
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(ConfigOrigin, EveryKeyRemembersItsLineOrSet) {
  Config c = parsed(kBase);
  EXPECT_EQ(c.origin["port"], "line 2");
  EXPECT_EQ(c.origin["control_grace_ms"], "line 5");
  EXPECT_EQ(c.origin.count("drain_us"), 0u);  // default
  std::string why;
  ASSERT_TRUE(apply_config_line("drain_us = 20", &c, &why)) << why;
  EXPECT_EQ(c.origin["drain_us"], "--set");
}

TEST(ConfigOrigin, ValidationNamesTheKeyAndItsLine) {
  Config c = parsed(std::string(kBase) + "exception_ring = 1000\n");
  std::string why;
  EXPECT_FALSE(validate_config(c, &why));
  EXPECT_CONTAINS(why, "line 7: exception_ring: must be a power of two");
  c = parsed("port = 0 addr=10.0.0.1/24\nport_min = 20001\n");
  EXPECT_FALSE(validate_config(c, &why));
  EXPECT_CONTAINS(why, "line 2: port_min: must be even");
  c = parsed("port = 0 addr=10.0.0.1/24\nport = 0 addr=10.0.0.2/24\n");
  EXPECT_FALSE(validate_config(c, &why));
  EXPECT_CONTAINS(why, "line 2: port: port 0 listed twice");
}

TEST(ConfigOrigin, ReadConfigAppliesOverridesAndNamesTheFile) {
  TempFile f(kBase);
  Config c;
  std::string why;
  ASSERT_TRUE(read_config(f.path(), {"control_grace_ms = 1000"}, &c, &why)) << why;
  EXPECT_EQ(c.control_grace_ms, 1000u);
  EXPECT_EQ(c.origin["control_grace_ms"], "--set");
  TempFile bad(std::string(kBase) + "resolve_queue = 100\n");
  Config d;
  EXPECT_FALSE(read_config(bad.path(), {}, &d, &why));
  EXPECT_CONTAINS(why, bad.path() + ": line 7: resolve_queue: must be a power of two");
  Config e;
  EXPECT_FALSE(read_config(f.path(), {"no_such_key = 1"}, &e, &why));
  EXPECT_CONTAINS(why, "--set no_such_key: unknown key");
}

TEST(ConfigLogLevel, NamesMapToRteLevels) {
  EXPECT_EQ(parsed("log_level = error\n").log_level, 4u);
  EXPECT_EQ(parsed("log_level = info\n").log_level, 7u);
  EXPECT_EQ(parsed("log_level = debug\n").log_level, 8u);
  EXPECT_EQ(parsed("").log_level, 0u);  // EAL's --log-level decides
  Config c;
  std::string why;
  EXPECT_FALSE(parse_config("log_level = loud\n", &c, &why));
  EXPECT_CONTAINS(why, "line 1: log_level: expected error, warning, notice, info or debug");
}

TEST(ConfigDiff, SameFileChangesNothing) {
  EXPECT_TRUE(diff_config(parsed(kBase), parsed(kBase)).empty());
  // Comments, order and explicit defaults do not count as changes.
  EXPECT_TRUE(diff_config(parsed(kBase), parsed(std::string("drain_us = 10\n") + kBase + "# more\n")).empty());
}

TEST(ConfigDiff, RuntimeChangeIsNamedWithOldAndNewValue) {
  const auto d = diff_config(parsed(kBase), parsed(std::string(kBase) + "control_grace_ms = 2000\n"));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].key, "control_grace_ms");
  EXPECT_EQ(d[0].before, "30000");
  EXPECT_EQ(d[0].after, "2000");
  EXPECT_EQ(d[0].origin, "line 7");
  EXPECT_TRUE(d[0].runtime);
  EXPECT_EQ(format_change(d[0]), "line 7: control_grace_ms 30000 -> 2000");
}

TEST(ConfigDiff, LayoutKeysNeedARestart) {
  std::string text = kBase;
  text.replace(text.find("port_min = 20000"), 16, "port_min = 30000");
  const auto d = diff_config(parsed(kBase), parsed(text + "port = 1 addr=10.0.1.1/24\nidle_mode = poll\n"));
  ASSERT_EQ(d.size(), 3u);
  for (const auto& k : d) {
    if (k.key == "idle_mode") EXPECT_TRUE(k.runtime);
    else EXPECT_FALSE(k.runtime) << k.key;
  }
  // A removed key reverts to its default: that is a change too.
  std::string without = kBase;
  without.erase(without.find("pli_min_interval_ms"));
  const auto r = diff_config(parsed(kBase), parsed(without + "pli_min_interval_ms = 500\n"));
  EXPECT_TRUE(r.empty());
  const auto r2 = diff_config(parsed(std::string(kBase) + "pli_min_interval_ms = 900\n"), parsed(kBase));
  ASSERT_EQ(r2.size(), 1u);
  EXPECT_EQ(r2[0].before, "900");
}

TEST(ConfigDiff, EveryDescribedKeyIsAKeyTheParserAccepts) {
  // describe_config() lists every key; each must parse (a key renamed in one place but not
  // the other would make reloads miss or misname it).
  const auto all = describe_config(parsed(kBase));
  EXPECT_EQ(all.size(), 44u);
  for (const auto& [key, value] : all) {
    if (value.empty() || key == "log_level" || key == "port" || key == "neighbour") continue;
    Config c;
    std::string why;
    EXPECT_TRUE(apply_config_line(key + " = " + value, &c, &why)) << key << ": " << why;
  }
  for (const char* k : {"control_grace_ms", "heartbeat_interval_ms", "exception_rate_pps", "log_level", "drain_us"})
    EXPECT_TRUE(is_runtime_key(k)) << k;
  for (const char* k : {"port", "port_min", "flow_capacity", "mbufs", "sip_guard", "sip_guard_rules", "shm_name"})
    EXPECT_FALSE(is_runtime_key(k)) << k;
}

}  // namespace
}  // namespace rtpgate::dp
