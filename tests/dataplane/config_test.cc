// Data-plane configuration: parsing, error messages, command-line overrides, validation.
#include "config/config.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>

namespace rtpgate::dp {
namespace {

#define EXPECT_CONTAINS(str, sub)                           \
  EXPECT_NE(std::string(str).find(sub), std::string::npos) \
      << "message \"" << (str) << "\" lacks \"" << (sub) << "\""

const char* kFullExample = R"(# rtpgate-dataplane example
shm_name = /rtpgate-lab
shm_group = rtpgate

port = 0 addr=192.0.2.10/24 addr=2001:db8::10/64 gw=192.0.2.1
port = 1 addr=198.51.100.5   # prefix defaults to the full length
neighbour = 192.0.2.1 02:00:00:aa:bb:cc
neighbour = 2001:db8::1 02:00:00:AA:BB:DD

port_min = 30000
port_max = 30999
flow_capacity = 4096
burst_pkts = 16
mbufs = 8191
mbuf_cache = 128
rx_desc = 512
tx_desc = 2048
idle_mode = poll
idle_sleep_max_us = 200
drain_us = 20
heartbeat_interval_ms = 50
publish_interval_ms = 500
cmd_ring_capacity = 1024
cpl_ring_capacity = 2048
pkt_ring_capacity = 256
pkt_rings_to_dp = 2
max_cmds_per_poll = 64
)";

rtpgate_shm_addr ip(const char* s) {
  rtpgate_shm_addr a{};
  EXPECT_TRUE(parse_ip(s, &a)) << s;
  return a;
}

bool same_addr(const rtpgate_shm_addr& a, const rtpgate_shm_addr& b) {
  return a.family == b.family && std::memcmp(a.addr, b.addr, 16) == 0;
}

TEST(Config, ParsesFullExample) {
  Config c;
  std::string why;
  ASSERT_TRUE(parse_config(kFullExample, &c, &why)) << why;
  EXPECT_EQ(c.shm_name, "/rtpgate-lab");
  EXPECT_EQ(c.shm_group, "rtpgate");
  ASSERT_EQ(c.ports.size(), 2u);
  EXPECT_EQ(c.ports[0].port_id, 0);
  ASSERT_EQ(c.ports[0].addrs.size(), 2u);
  EXPECT_TRUE(same_addr(c.ports[0].addrs[0].addr, ip("192.0.2.10")));
  EXPECT_EQ(c.ports[0].addrs[0].prefix_len, 24);
  EXPECT_TRUE(same_addr(c.ports[0].addrs[1].addr, ip("2001:db8::10")));
  EXPECT_EQ(c.ports[0].addrs[1].prefix_len, 64);
  EXPECT_TRUE(same_addr(c.ports[0].gateway, ip("192.0.2.1")));
  EXPECT_EQ(c.ports[1].port_id, 1);
  ASSERT_EQ(c.ports[1].addrs.size(), 1u);
  EXPECT_TRUE(same_addr(c.ports[1].addrs[0].addr, ip("198.51.100.5")));
  EXPECT_EQ(c.ports[1].addrs[0].prefix_len, 32);
  EXPECT_EQ(c.ports[1].gateway.family, 0);
  ASSERT_EQ(c.neighbours.size(), 2u);
  EXPECT_TRUE(same_addr(c.neighbours[0].addr, ip("192.0.2.1")));
  const uint8_t mac0[6] = {0x02, 0, 0, 0xaa, 0xbb, 0xcc};
  const uint8_t mac1[6] = {0x02, 0, 0, 0xaa, 0xbb, 0xdd};
  EXPECT_EQ(std::memcmp(c.neighbours[0].mac, mac0, 6), 0);
  EXPECT_TRUE(same_addr(c.neighbours[1].addr, ip("2001:db8::1")));
  EXPECT_EQ(std::memcmp(c.neighbours[1].mac, mac1, 6), 0);
  EXPECT_EQ(c.port_min, 30000);
  EXPECT_EQ(c.port_max, 30999);
  EXPECT_EQ(c.flow_capacity, 4096u);
  EXPECT_EQ(c.burst_pkts, 16u);
  EXPECT_EQ(c.mbufs, 8191u);
  EXPECT_EQ(c.mbuf_cache, 128u);
  EXPECT_EQ(c.rx_desc, 512);
  EXPECT_EQ(c.tx_desc, 2048);
  EXPECT_EQ(c.idle_mode, IdleMode::Poll);
  EXPECT_EQ(c.idle_sleep_max_us, 200u);
  EXPECT_EQ(c.drain_us, 20u);
  EXPECT_EQ(c.heartbeat_interval_ms, 50u);
  EXPECT_EQ(c.publish_interval_ms, 500u);
  EXPECT_EQ(c.cmd_ring_capacity, 1024u);
  EXPECT_EQ(c.cpl_ring_capacity, 2048u);
  EXPECT_EQ(c.pkt_ring_capacity, 256u);
  EXPECT_EQ(c.n_pkt_rings_to_dp, 2u);
  EXPECT_EQ(c.max_cmds_per_poll, 64u);
  EXPECT_TRUE(validate_config(c, &why)) << why;
}

TEST(Config, EmptyTextKeepsDefaults) {
  Config c;
  std::string why;
  ASSERT_TRUE(parse_config("\n# only a comment\n   \n\t\n", &c, &why)) << why;
  const Config d;
  EXPECT_EQ(c.shm_name, d.shm_name);
  EXPECT_EQ(c.port_min, d.port_min);
  EXPECT_EQ(c.burst_pkts, d.burst_pkts);
  EXPECT_EQ(c.idle_mode, IdleMode::Adaptive);
  EXPECT_TRUE(c.ports.empty());
}

TEST(Config, AcceptsCrLfAndTrailingComments) {
  Config c;
  std::string why;
  ASSERT_TRUE(parse_config("burst_pkts = 8 # fewer\r\nidle_mode=adaptive\r\n", &c, &why)) << why;
  EXPECT_EQ(c.burst_pkts, 8u);
}

TEST(Config, UnknownKeyNamesLineAndKey) {
  Config c;
  std::string why;
  EXPECT_FALSE(parse_config("burst_pkts = 8\n\nbogus_key = 1\n", &c, &why));
  EXPECT_CONTAINS(why, "line 3");
  EXPECT_CONTAINS(why, "bogus_key");
  EXPECT_CONTAINS(why, "unknown key");
}

TEST(Config, BadNumberNamesLineKeyAndRange) {
  const char* bad_values[] = {"abc", "-1", "65", "0", "12x", "", "1e3", " 0x10"};
  for (const char* v : bad_values) {
    Config c;
    std::string why;
    EXPECT_FALSE(parse_config(std::string("# c\nburst_pkts = ") + v + "\n", &c, &why)) << v;
    EXPECT_CONTAINS(why, "line 2");
    EXPECT_CONTAINS(why, "burst_pkts");
    EXPECT_CONTAINS(why, "1..64");
  }
  Config c;
  std::string why;
  EXPECT_FALSE(parse_config("port_max = 70000\n", &c, &why));
  EXPECT_CONTAINS(why, "line 1: port_max");
  EXPECT_FALSE(parse_config("flow_capacity = 99999999999999999999999\n", &c, &why));
  EXPECT_CONTAINS(why, "flow_capacity");
}

TEST(Config, EveryNumericKeyEnforcesItsRange) {
  struct K {
    const char* key;
    uint64_t lo, hi;
  };
  const K keys[] = {{"port_min", 1024, 65534},         {"port_max", 1025, 65535},
                    {"flow_capacity", 2, 1u << 24},    {"burst_pkts", 1, 64},
                    {"mbufs", 1023, 1u << 24},         {"mbuf_cache", 0, 512},
                    {"rx_desc", 64, 16384},            {"tx_desc", 64, 16384},
                    {"idle_sleep_max_us", 1, 100000},  {"drain_us", 1, 1000},
                    {"heartbeat_interval_ms", 10, 10000}, {"publish_interval_ms", 10, 60000},
                    {"cmd_ring_capacity", 16, 1u << 20}, {"cpl_ring_capacity", 16, 1u << 20},
                    {"pkt_ring_capacity", 16, 1u << 16}, {"pkt_rings_to_dp", 0, 32},
                    {"max_cmds_per_poll", 1, 4096},   {"sip_guard_sources", 64, 1u << 22}};
  for (const auto& k : keys) {
    Config c;
    std::string why;
    const std::string key = k.key;
    EXPECT_TRUE(apply_config_line(key + " = " + std::to_string(k.lo), &c, &why)) << key << ": " << why;
    EXPECT_TRUE(apply_config_line(key + " = " + std::to_string(k.hi), &c, &why)) << key << ": " << why;
    EXPECT_FALSE(apply_config_line(key + " = " + std::to_string(k.hi + 1), &c, &why)) << key;
    EXPECT_CONTAINS(why, key);
    if (k.lo > 0) {
      EXPECT_FALSE(apply_config_line(key + " = " + std::to_string(k.lo - 1), &c, &why)) << key;
    }
  }
}

TEST(Config, BadAddressNamesLine) {
  const char* lines[] = {"port = 0 addr=192.0.2.999/24", "port = 0 addr=192.0.2.1/33",
                         "port = 0 addr=2001:db8::1/129", "port = 0 addr=192.0.2.1/0",
                         "port = 0 addr=192.0.2.1/", "port = 0 addr=host.example/24"};
  for (const char* l : lines) {
    Config c;
    std::string why;
    EXPECT_FALSE(parse_config(std::string("\n") + l + "\n", &c, &why)) << l;
    EXPECT_CONTAINS(why, "line 2: port");
    EXPECT_CONTAINS(why, "bad address");
  }
  Config c;
  std::string why;
  EXPECT_FALSE(parse_config("port = 0 addr=192.0.2.1/24 gw=192.0.2\n", &c, &why));
  EXPECT_CONTAINS(why, "line 1: port");
  EXPECT_CONTAINS(why, "bad gateway");
}

TEST(Config, BadPortLinesAreRejected) {
  const char* lines[] = {"port = ", "port = x addr=192.0.2.1", "port = 1024 addr=192.0.2.1",
                         "port = 0", "port = 0 gw=192.0.2.1", "port = 0 addr=192.0.2.1 mtu=9000"};
  for (const char* l : lines) {
    Config c;
    std::string why;
    EXPECT_FALSE(parse_config(l, &c, &why)) << l;
    EXPECT_CONTAINS(why, "line 1: port");
  }
}

TEST(Config, BadMacNamesLine) {
  const char* macs[] = {"02:00:00:aa:bb", "02:00:00:aa:bb:cc:dd", "02:00:00:aa:bb:1ff",
                        "02:00:00:aa:bb:ccx", "zz:00:00:aa:bb:cc", "020000aabbcc"};
  for (const char* m : macs) {
    Config c;
    std::string why;
    EXPECT_FALSE(parse_config(std::string("port = 0 addr=192.0.2.1\nneighbour = 192.0.2.1 ") + m, &c, &why))
        << m;
    EXPECT_CONTAINS(why, "line 2: neighbour");
  }
  Config c;
  std::string why;
  EXPECT_FALSE(parse_config("neighbour = 192.0.2.1\n", &c, &why));
  EXPECT_CONTAINS(why, "line 1: neighbour");
  EXPECT_FALSE(parse_config("neighbour = not-an-ip 02:00:00:aa:bb:cc\n", &c, &why));
  EXPECT_CONTAINS(why, "line 1: neighbour");
}

TEST(Config, ParseMacAcceptsCanonicalForm) {
  uint8_t mac[6];
  ASSERT_TRUE(parse_mac("de:ad:BE:EF:00:01", mac));
  const uint8_t want[6] = {0xde, 0xad, 0xbe, 0xef, 0x00, 0x01};
  EXPECT_EQ(std::memcmp(mac, want, 6), 0);
}

TEST(Config, OtherValueErrors) {
  Config c;
  std::string why;
  EXPECT_FALSE(parse_config("idle_mode = sometimes\n", &c, &why));
  EXPECT_CONTAINS(why, "line 1: idle_mode");
  EXPECT_FALSE(parse_config("shm_name = rtpgate\n", &c, &why));
  EXPECT_CONTAINS(why, "line 1: shm_name");
  EXPECT_FALSE(parse_config("shm_name = /a/b\n", &c, &why));
  EXPECT_CONTAINS(why, "shm_name");
  EXPECT_FALSE(parse_config("just words\n", &c, &why));
  EXPECT_CONTAINS(why, "line 1");
  EXPECT_CONTAINS(why, "key = value");
}

TEST(Config, ApplyConfigLineOverridesFileValue) {
  Config c;
  std::string why;
  ASSERT_TRUE(parse_config(kFullExample, &c, &why)) << why;
  ASSERT_TRUE(apply_config_line("burst_pkts=8", &c, &why)) << why;
  ASSERT_TRUE(apply_config_line("  idle_mode = adaptive  ", &c, &why)) << why;
  ASSERT_TRUE(apply_config_line("shm_name=/other", &c, &why)) << why;
  EXPECT_EQ(c.burst_pkts, 8u);
  EXPECT_EQ(c.idle_mode, IdleMode::Adaptive);
  EXPECT_EQ(c.shm_name, "/other");
  EXPECT_TRUE(apply_config_line("# nothing", &c, &why));
  EXPECT_TRUE(apply_config_line("", &c, &why));
  EXPECT_FALSE(apply_config_line("burst_pkts=0", &c, &why));
  EXPECT_CONTAINS(why, "burst_pkts");
  EXPECT_EQ(why.find("line"), std::string::npos);  // no line number on the command line
  EXPECT_EQ(c.burst_pkts, 8u);                     // unchanged on error
}

TEST(Config, FormatIpRoundTrips) {
  for (const char* s : {"192.0.2.10", "2001:db8::10", "::1", "0.0.0.0"}) {
    rtpgate_shm_addr a{};
    ASSERT_TRUE(parse_ip(s, &a)) << s;
    EXPECT_EQ(format_ip(a), s);
  }
  rtpgate_shm_addr a{};
  EXPECT_FALSE(parse_ip("", &a));
  EXPECT_FALSE(parse_ip("1.2.3", &a));
  EXPECT_EQ(a.family, 0);
}

Config valid_config() {
  Config c;
  std::string why;
  EXPECT_TRUE(parse_config("port = 0 addr=192.0.2.10/24\n", &c, &why)) << why;
  return c;
}

TEST(Config, ValidateAcceptsMinimalConfig) {
  std::string why;
  EXPECT_TRUE(validate_config(valid_config(), &why)) << why;
}

TEST(Config, ValidateRejectsNoPort) {
  Config c;
  std::string why;
  EXPECT_FALSE(validate_config(c, &why));
  EXPECT_CONTAINS(why, "port = ID");
}

TEST(Config, ValidateRejectsOddOrInvertedPortRange) {
  std::string why;
  Config c = valid_config();
  c.port_min = 20001;
  EXPECT_FALSE(validate_config(c, &why));
  EXPECT_CONTAINS(why, "port_min");
  c = valid_config();
  c.port_min = 30000;
  c.port_max = 30000;
  EXPECT_FALSE(validate_config(c, &why));
  EXPECT_CONTAINS(why, "port_min");
  c.port_max = 29000;
  EXPECT_FALSE(validate_config(c, &why));
}

TEST(Config, ValidateRejectsDuplicatePort) {
  Config c;
  std::string why;
  ASSERT_TRUE(parse_config("port = 3 addr=192.0.2.10\nport = 3 addr=192.0.2.11\n", &c, &why)) << why;
  EXPECT_FALSE(validate_config(c, &why));
  EXPECT_CONTAINS(why, "port 3 listed twice");
}

TEST(Config, ValidateRejectsTooManyAddresses) {
  Config c = valid_config();
  std::string why;
  for (int i = 1; i <= RTPGATE_SHM_MAX_ADDRS; i++) {
    const std::string n = std::to_string(i);
    ASSERT_TRUE(apply_config_line("port = " + n + " addr=10.0.0." + n, &c, &why)) << why;
  }
  EXPECT_FALSE(validate_config(c, &why));
  EXPECT_CONTAINS(why, "at most 64");
}

TEST(Config, SipGuardKeys) {
  Config c;
  std::string why;
  EXPECT_FALSE(c.sip_guard);  // off unless asked for
  ASSERT_TRUE(parse_config("sip_guard = on\nsip_guard_rules = /etc/rtpgate/sipguard.rules\n", &c, &why)) << why;
  EXPECT_TRUE(c.sip_guard);
  EXPECT_EQ(c.sip_guard_rules, "/etc/rtpgate/sipguard.rules");
  EXPECT_FALSE(parse_config("sip_guard = yes\n", &c, &why));
  EXPECT_CONTAINS(why, "line 1: sip_guard: expected on or off");
  EXPECT_FALSE(parse_config("\nsip_guard_rules =\n", &c, &why));
  EXPECT_CONTAINS(why, "line 2: sip_guard_rules");
  Config v = valid_config();
  v.sip_guard = true;
  EXPECT_FALSE(validate_config(v, &why));
  EXPECT_CONTAINS(why, "sip_guard = on needs sip_guard_rules");
  v.sip_guard_rules = "conf/sipguard.rules";
  EXPECT_TRUE(validate_config(v, &why)) << why;
}

}  // namespace
}  // namespace rtpgate::dp
