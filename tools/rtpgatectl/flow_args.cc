// rtpgatectl option parsing for flow parameters (see flow_args.h).
#include "flow_args.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace rtpgate::ctl {
namespace {

bool parse_u32(const std::string& s, uint32_t* v) {
  int base = 10;
  const char* b = s.data();
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) base = 16, b += 2;
  auto [p, ec] = std::from_chars(b, s.data() + s.size(), *v, base);
  return ec == std::errc() && p == s.data() + s.size();
}

bool parse_ip(const std::string& s, rtpgate_shm_addr* a) {
  *a = rtpgate_shm_addr{};
  if (inet_pton(AF_INET, s.c_str(), a->addr) == 1) return a->family = 4, true;
  if (inet_pton(AF_INET6, s.c_str(), a->addr) == 1) return a->family = 6, true;
  return false;
}

}  // namespace

bool parse_endpoint(const std::string& s, rtpgate_shm_addr* addr, uint16_t* port) {
  std::string host = s, p;
  if (!s.empty() && s[0] == '[') {
    const auto e = s.find(']');
    if (e == std::string::npos) return false;
    host = s.substr(1, e - 1);
    if (e + 1 < s.size()) {
      if (s[e + 1] != ':') return false;
      p = s.substr(e + 2);
    }
  } else if (std::count(s.begin(), s.end(), ':') == 1) {
    host = s.substr(0, s.find(':'));
    p = s.substr(s.find(':') + 1);
  }
  if (!parse_ip(host, addr)) return false;
  *port = 0;
  if (p.empty()) return true;
  uint32_t v = 0;
  if (!parse_u32(p, &v) || v > 65535) return false;
  *port = static_cast<uint16_t>(v);
  return true;
}

std::string format_endpoint(const rtpgate_shm_addr& a, uint16_t port) {
  char buf[INET6_ADDRSTRLEN] = "-";
  if (a.family == 4) inet_ntop(AF_INET, a.addr, buf, sizeof(buf));
  if (a.family == 6) inet_ntop(AF_INET6, a.addr, buf, sizeof(buf));
  std::string h = a.family == 6 ? "[" + std::string(buf) + "]" : std::string(buf);
  return h + ":" + std::to_string(port);
}

bool parse_flow_args(const std::vector<std::string>& args, FlowArgs* out, std::string* why) {
  auto& p = out->p;
  p.rtcp_flow_id = UINT32_MAX;
  p.reverse_flow_id = UINT32_MAX;
  p.srtp_slot = UINT32_MAX;
  p.record_slot = UINT32_MAX;
  p.ts_step = 160;
  bool have_local = false, have_from = false;
  for (size_t i = 0; i < args.size(); i++) {
    const std::string& k = args[i];
    if (k == "--rewrite") { p.flags |= RTPGATE_FLOW_F_REWRITE; continue; }
    if (k == "--srtp-auth") { p.flags |= RTPGATE_FLOW_F_SRTP_AUTH; continue; }
    if (i + 1 >= args.size()) return *why = k + " needs a value", false;
    const std::string& v = args[++i];
    uint32_t n = 0;
    auto num = [&](uint32_t max) {
      if (parse_u32(v, &n) && n <= max) return true;
      *why = k + ": bad number " + v;
      return false;
    };
    if (k == "--local") {
      if (!parse_endpoint(v, &p.local, &p.local_port)) return *why = "--local: bad endpoint " + v, false;
      out->local_port_auto = p.local_port == 0;
      have_local = true;
    } else if (k == "--to") {
      if (!parse_endpoint(v, &p.out_dst, &p.out_dst_port)) return *why = "--to: bad endpoint " + v, false;
    } else if (k == "--from") {
      if (!parse_endpoint(v, &p.out_src, &p.out_src_port)) return *why = "--from: bad endpoint " + v, false;
      have_from = true;
    } else if (k == "--expect") {
      if (!parse_endpoint(v, &p.expect_src, &p.expect_src_port)) return *why = "--expect: bad endpoint " + v, false;
      p.flags |= RTPGATE_FLOW_F_EXPECT_ADDR;
      if (p.expect_src_port != 0) p.flags |= RTPGATE_FLOW_F_EXPECT_PORT;
    } else if (k == "--peer") {  // expected peer for latching, without filtering
      if (!parse_endpoint(v, &p.expect_src, &p.expect_src_port)) return *why = "--peer: bad endpoint " + v, false;
    } else if (k == "--srtp-in") {
      if (!num(UINT32_MAX)) return false;
      p.srtp_slot = n;
    } else if (k == "--srtp-out") {
      if (!num(UINT32_MAX)) return false;
      p.srtp_out_slot = n;
    } else if (k == "--expect-ssrc") {
      if (!num(UINT32_MAX)) return false;
      p.expect_ssrc = n;
      p.flags |= RTPGATE_FLOW_F_EXPECT_SSRC;
    } else if (k == "--latch") {
      if (!num(86400000)) return false;
      p.latch_window_ms = n;
      p.flags |= RTPGATE_FLOW_F_LATCH;
    } else if (k == "--reverse") {
      if (!num(UINT32_MAX - 1)) return false;
      p.reverse_flow_id = n;
    } else if (k == "--out-ssrc") {
      if (!num(UINT32_MAX)) return false;
      p.out_ssrc = n;
      p.flags |= RTPGATE_FLOW_F_REWRITE;
    } else if (k == "--ts-step") {
      if (!num(UINT32_MAX)) return false;
      p.ts_step = n;
    } else if (k == "--dscp") {
      if (!num(63)) return false;
      p.dscp = static_cast<uint8_t>(n);
      p.flags |= RTPGATE_FLOW_F_DSCP;
    } else if (k == "--idle-ms") {
      if (!num(UINT32_MAX)) return false;
      p.idle_timeout_ms = n;
    } else if (k == "--rtcp-mux") {
      if (!num(UINT32_MAX - 1)) return false;
      p.rtcp_flow_id = n;
      p.flags |= RTPGATE_FLOW_F_RTCP_MUX;
    } else if (k == "--ctl-ring") {
      if (!num(31)) return false;
      p.ctl_ring = n;
    } else if (k == "--cookie") {
      if (!num(UINT32_MAX)) return false;
      p.cookie = n;
    } else if (k == "--kind") {
      if (v == "rtp") p.kind = RTPGATE_KIND_RTP;
      else if (v == "rtcp") p.kind = RTPGATE_KIND_RTCP;
      else return *why = "--kind: rtp or rtcp", false;
    } else if (k == "--direction") {
      static const char* names[] = {"sendrecv", "sendonly", "recvonly", "inactive"};
      bool found = false;
      for (uint8_t d = 0; d < 4; d++)
        if (v == names[d]) p.direction = d, found = true;
      if (!found) return *why = "--direction: sendrecv, sendonly, recvonly or inactive", false;
    } else if (k == "--action") {
      if (v == "forward") p.action = RTPGATE_ACT_FORWARD;
      else if (v == "ctl") p.action = RTPGATE_ACT_TO_CTL;
      else if (v == "drop") p.action = RTPGATE_ACT_DROP;
      else return *why = "--action: forward, ctl or drop", false;
    } else {
      return *why = "unknown option " + k, false;
    }
  }
  if (!have_local) return *why = "--local IP[:PORT] is required", false;
  if (!have_from) {  // answer from the flow's own address and port by default
    p.out_src = p.local;
    p.out_src_port = p.local_port;
  }
  return true;
}

}  // namespace rtpgate::ctl
