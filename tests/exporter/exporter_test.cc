// rtpgate-exporter against a real (small) region created the way the data plane does it:
// the exposition text parses (HELP/TYPE before samples, valid names and labels, numeric
// values), values follow what the region says and move when its counters move; the HTTP
// server answers /metrics with the text format's content type and 404 elsewhere.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "http_server.h"
#include "region_metrics.h"
#include "region_watch.h"
#include "rtpgate/shm/control_client.h"
#include "small_region.h"

namespace rtpgate::exporter {
namespace {

// name{labels} -> value, with the TYPE of every family; fails the test on any bad line.
struct Parsed {
  std::map<std::string, double> samples;  // key: name + "{" + labels + "}" exactly as printed
  std::map<std::string, std::string> types;
  size_t families = 0;
};

Parsed parse(const std::string& text) {
  static const std::regex help(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+)");
  static const std::regex type(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge))");
  static const std::regex sample(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")*)\})? (-?[0-9.eE+-]+|NaN))");
  Parsed p;
  std::string helped;
  std::set<std::string> seen_families;
  std::istringstream in(text);
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_match(line, m, help)) {
      helped = m[1];
      EXPECT_TRUE(seen_families.insert(helped).second) << "family twice: " << helped;
    } else if (std::regex_match(line, m, type)) {
      EXPECT_EQ(m[1], helped) << "TYPE without its HELP: " << line;
      p.types[m[1]] = m[2];
      p.families++;
    } else if (std::regex_match(line, m, sample)) {
      EXPECT_EQ(m[1], helped) << "sample outside its family: " << line;
      const std::string key = std::string(m[1]) + (m[2].matched ? std::string(m[2]) : "");
      EXPECT_EQ(p.samples.count(key), 0u) << "duplicate series: " << key;
      p.samples[key] = std::stod(m[7]);
    } else {
      ADD_FAILURE() << "not text format 0.0.4: '" << line << "'";
    }
  }
  return p;
}

class ExporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    st_.shm_name = "/rtpgate-exporter-test-" + std::to_string(getpid());
    shm::RegionConfig c = test::small_region(st_.shm_name, 100);
    c.n_lcore_stats = 2;
    c.srtp_capacity = 8;
    c.rec_capacity = 4;
    std::string why;
    auto r = shm::Region::create(c, &why);
    ASSERT_TRUE(r.ok()) << why;
    dp_ = std::move(r.value());
    auto& h = *dp_.hdr();
    h.dp_state = RTPGATE_DP_RUNNING;
    h.heartbeat_ns = shm::monotonic_ns();
    auto& w = dp_.lcore_stats(0);
    w.role = 1;
    w.lcore_id = 1;
    auto& hk = dp_.lcore_stats(1);
    hk.role = 2;
    hk.lcore_id = UINT32_MAX;
  }
  void TearDown() override {
    if (dp_.mapped()) dp_.unlink();
  }
  Parsed scrape() {
    const shm::Region* r = watch_.current();
    EXPECT_NE(r, nullptr) << st_.detach_why;
    st_.scrapes++;
    return parse(render_metrics(r, st_));
  }

  ExporterState st_;
  RegionWatch watch_{&st_};
  shm::Region dp_;
};

TEST_F(ExporterTest, TextFormatParsesAndFollowsTheRegion) {
  dp_.lcore_stats(0).ctr[RTPGATE_CTR_rx_pkts] = 1000;
  dp_.lcore_stats(0).ctr[RTPGATE_CTR_drop_bad_rtp] = 7;
  dp_.lcore_stats(1).ctr[RTPGATE_CTR_drop_bad_rtp] = 2;
  Parsed p = scrape();
  EXPECT_GT(p.families, 80u);
  EXPECT_EQ(p.samples["rtpgate_up"], 1);
  EXPECT_EQ(p.samples[R"(rtpgate_dataplane_state{state="running"})"], 1);
  EXPECT_EQ(p.samples[R"(rtpgate_dataplane_state{state="stopped"})"], 0);
  EXPECT_EQ(p.types["rtpgate_rx_pkts_total"], "counter");
  EXPECT_EQ(p.samples[R"(rtpgate_rx_pkts_total{lcore="1",role="worker"})"], 1000);
  EXPECT_EQ(p.samples[R"(rtpgate_drop_bad_rtp_total{lcore="-1",role="housekeeping"})"], 2);
  EXPECT_EQ(p.samples[R"(rtpgate_dropped_packets_total{reason="bad_rtp"})"], 9);  // both threads
  EXPECT_EQ(p.samples["rtpgate_flows_capacity"], 100);
  EXPECT_EQ(p.samples[R"(rtpgate_flows{state="free"})"], 100);
  EXPECT_EQ(p.samples[R"(rtpgate_ports_free{address="10.0.0.1"})"], 10);
  EXPECT_EQ(p.samples[R"(rtpgate_entries_capacity{table="srtp"})"], 7);
  EXPECT_EQ(p.samples[R"(rtpgate_layout_info{version=")" + std::to_string(RTPGATE_SHM_LAYOUT_MAJOR) + "." +
                      std::to_string(RTPGATE_SHM_LAYOUT_MINOR) + "\"}"],
            1);
  EXPECT_EQ(p.samples["rtpgate_exporter_attaches_total"], 1);
  // Every drop_* counter of counters.def is a reason.
  size_t reasons = 0;
  for (const auto& [k, v] : p.samples) reasons += k.rfind("rtpgate_dropped_packets_total{", 0) == 0;
  EXPECT_GE(reasons, 30u);
}

TEST_F(ExporterTest, ValuesMoveWithTheRegion) {
  Parsed before = scrape();
  dp_.lcore_stats(0).ctr[RTPGATE_CTR_rx_pkts] += 500;
  dp_.lcore_stats(0).ctr[RTPGATE_CTR_drop_source] += 3;
  // control allocates 3 flows (one installed and active) and a port pair
  std::string why;
  auto cc = shm::ControlClient::open(st_.shm_name, &why);
  ASSERT_TRUE(cc.ok()) << why;
  for (int i = 0; i < 3; i++) ASSERT_TRUE(cc->alloc_flow().ok());
  dp_.flow(0).counters.state = 1;
  ASSERT_TRUE(cc->alloc_port_pair(0).ok());
  ASSERT_TRUE(cc->alloc_srtp().ok());
  Parsed after = scrape();
  EXPECT_EQ(after.samples[R"(rtpgate_rx_pkts_total{lcore="1",role="worker"})"] -
                before.samples[R"(rtpgate_rx_pkts_total{lcore="1",role="worker"})"],
            500);
  EXPECT_EQ(after.samples[R"(rtpgate_dropped_packets_total{reason="source"})"], 3);
  EXPECT_EQ(after.samples[R"(rtpgate_flows{state="allocated"})"], 3);
  EXPECT_EQ(after.samples[R"(rtpgate_flows{state="active"})"], 1);
  EXPECT_EQ(after.samples[R"(rtpgate_flows{state="free"})"], 97);
  EXPECT_EQ(after.samples[R"(rtpgate_ports_free{address="10.0.0.1"})"], 8);
  EXPECT_EQ(after.samples[R"(rtpgate_entries_used{table="srtp"})"], 1);
  EXPECT_EQ(after.samples["rtpgate_control_attached"], 1);
  EXPECT_EQ(after.samples["rtpgate_exporter_scrapes_total"], 2);
}

TEST_F(ExporterTest, ConfigurationReloadsAndSettings) {
  auto& c = dp_.config();
  c.config_gen = 1;
  c.live.control_grace_ms = 30000;
  Parsed before = scrape();
  EXPECT_EQ(before.samples["rtpgate_config_generation"], 1);
  EXPECT_EQ(before.samples["rtpgate_config_last_reload_ok"], 1);
  EXPECT_EQ(before.samples[R"(rtpgate_config_setting{key="control_grace_ms"})"], 30000);
  EXPECT_EQ(before.types["rtpgate_config_reloads_total"], "counter");
  // One applied reload (a new grace), then one refused.
  c.config_gen = 2;
  c.reloads = 2;
  c.reload_failures = 1;
  c.last_errc = static_cast<uint32_t>(Errc::BadConfig);
  c.live.control_grace_ms = 1000;
  dp_.guard().state = RTPGATE_GUARD_ON;
  dp_.guard().n_rules = 12;
  Parsed after = scrape();
  EXPECT_EQ(after.samples["rtpgate_config_generation"], 2);
  EXPECT_EQ(after.samples[R"(rtpgate_config_reloads_total{result="applied"})"], 1);
  EXPECT_EQ(after.samples[R"(rtpgate_config_reloads_total{result="refused"})"], 1);
  EXPECT_EQ(after.samples["rtpgate_config_last_reload_ok"], 0);
  EXPECT_EQ(after.samples[R"(rtpgate_config_setting{key="control_grace_ms"})"], 1000);
  EXPECT_EQ(after.samples["rtpgate_sip_guard_rules"], 12);
}

TEST_F(ExporterTest, StaleHeartbeatOrStoppedIsDown) {
  dp_.hdr()->heartbeat_ns = shm::monotonic_ns() - 5'000'000'000ull;
  Parsed p = scrape();
  EXPECT_EQ(p.samples["rtpgate_up"], 0);
  EXPECT_GE(p.samples["rtpgate_dataplane_heartbeat_age_seconds"], 4.9);
  dp_.hdr()->heartbeat_ns = shm::monotonic_ns();
  dp_.hdr()->dp_state = RTPGATE_DP_STOPPED;
  p = scrape();
  EXPECT_EQ(p.samples["rtpgate_up"], 0);
  EXPECT_EQ(p.samples[R"(rtpgate_dataplane_state{state="stopped"})"], 1);
}

TEST_F(ExporterTest, NoRegionThenARestartedOne) {
  dp_.unlink();
  dp_ = shm::Region();
  ExporterState st;
  st.shm_name = st_.shm_name;
  RegionWatch w(&st);
  EXPECT_EQ(w.current(), nullptr);
  EXPECT_FALSE(st.detach_why.empty());
  Parsed p = parse(render_metrics(nullptr, st));
  EXPECT_EQ(p.samples["rtpgate_up"], 0);
  EXPECT_EQ(p.samples.count("rtpgate_flows_capacity"), 0u);
  SetUp();  // the data plane comes (back)
  EXPECT_NE(w.current(), nullptr);
  EXPECT_EQ(st.attaches, 1u);
}

std::string http_get(unsigned port, const std::string& path) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return "";
  }
  const std::string req = "GET " + path + " HTTP/1.0\r\nHost: x\r\n\r\n";
  EXPECT_EQ(write(fd, req.data(), req.size()), static_cast<ssize_t>(req.size()));
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  close(fd);
  return out;
}

TEST_F(ExporterTest, HttpServesMetricsOnLoopback) {
  HttpServer srv;
  std::string why;
  ASSERT_TRUE(srv.start("127.0.0.1:0", [&] {
    st_.scrapes++;
    return render_metrics(watch_.current(), st_);
  }, &why)) << why;
  ASSERT_NE(srv.port(), 0u);
  const std::string ok = http_get(srv.port(), "/metrics");
  EXPECT_EQ(ok.rfind("HTTP/1.", 0), 0u) << ok.substr(0, 200);
  EXPECT_NE(ok.find(" 200 "), std::string::npos);
  EXPECT_NE(ok.find("text/plain; version=0.0.4"), std::string::npos);
  const auto body = ok.find("\r\n\r\n");
  ASSERT_NE(body, std::string::npos);
  EXPECT_EQ(parse(ok.substr(body + 4)).samples["rtpgate_up"], 1);
  EXPECT_NE(http_get(srv.port(), "/nothing").find(" 404 "), std::string::npos);
  HttpServer bad;
  EXPECT_FALSE(bad.start("localhost:x", [] { return std::string(); }, &why));
  EXPECT_NE(why.find("bad listen address"), std::string::npos);
}

}  // namespace
}  // namespace rtpgate::exporter
