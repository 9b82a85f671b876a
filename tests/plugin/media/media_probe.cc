// rtpgate-media-probe: drives the plugin's DataPlaneLink (control/media) the way the Janus
// plugin does, for tests/integration/media_link_test.sh. Reads one command per line on
// stdin and answers each with one JSON line on stdout. Streams get a BrowserRelay sink that
// counts what the peer sends (RTP carrying our own pattern vs. anything else).
//
//   wait-available SECONDS      -> {"available":B,"why":S,"waited_ms":N}
//   wait-unavailable SECONDS    -> same, waiting for the opposite
//   open NAME SDP_IP [video]    -> {"ok":B,"why":S,"ip":S,"family":N,"rtp_port":N}
//   peer NAME IP RTP_PORT [RTCP_PORT] [nosend] [norecv] [hold]  -> {"ok":B,"why":S}
//   send NAME COUNT PPS [rtcp]  -> {"queued":N,"refused":N}
//   raw-send NAME COUNT         -> pushes COUNT packets for NAME's RTP flow straight onto
//                                  control-to-data-plane ring 0 (bypasses the link's checks)
//   expect NAME RTP RTCP TIMEOUT_MS  -> waits for at least RTP/RTCP packets at the sink:
//                                  {"rtp":N,"rtcp":N,"own":N,"foreign":N,"bad":N,...}
//   close NAME                  -> {"ok":true}
//   counters                    -> link counters
//   quit
#include <time.h>

#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "media/browser_relay.h"
#include "media/dataplane_link.h"
#include "rtpgate/shm/region_map.h"

namespace {

using namespace rtpgate::ctl::media;
namespace shm = rtpgate::shm;

constexpr uint8_t kMagic[4] = {'R', 'G', 'P', 'R'};
constexpr uint16_t kPayload = 160;

struct Tally {
  std::atomic<uint64_t> rtp{0}, rtcp{0}, own{0}, foreign{0}, bad{0};
};

// BrowserRelay's output: what the browser would get.
void on_relayed(void* ctx, bool, bool rtcp, char* buf, uint16_t len) {
  auto* t = static_cast<Tally*>(ctx);
  const auto* b = reinterpret_cast<const uint8_t*>(buf);
  if (rtcp) {
    t->rtcp++;
    return;
  }
  t->rtp++;
  if (len != 12 + kPayload || std::memcmp(b + 12, kMagic, 4) != 0) {
    t->foreign++;
    return;
  }
  uint32_t idx;
  std::memcpy(&idx, b + 16, 4);
  bool ok = true;
  for (uint32_t i = 20; ok && i < len; i++) ok = b[i] == uint8_t(idx * 7 + i);
  (ok ? t->own : t->bad)++;
}

struct ProbeStream {
  explicit ProbeStream(bool video) : relay(video, on_relayed, &tally) {}
  Tally tally;
  BrowserRelay relay;
  StreamInfo info;
  uint32_t sent = 0;
};

std::string jstr(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    o += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
  }
  return o + "\"";
}

void nap_ms(long ms) {
  timespec ts{ms / 1000, (ms % 1000) * 1000000};
  nanosleep(&ts, nullptr);
}

std::vector<uint8_t> make_rtp(uint32_t ssrc, uint32_t idx) {
  std::vector<uint8_t> b(12 + kPayload);
  b[0] = 0x80, b[1] = 0;
  b[2] = uint8_t(idx >> 8), b[3] = uint8_t(idx);
  const uint32_t ts = idx * 160;
  b[4] = uint8_t(ts >> 24), b[5] = uint8_t(ts >> 16), b[6] = uint8_t(ts >> 8), b[7] = uint8_t(ts);
  b[8] = uint8_t(ssrc >> 24), b[9] = uint8_t(ssrc >> 16), b[10] = uint8_t(ssrc >> 8), b[11] = uint8_t(ssrc);
  std::memcpy(&b[12], kMagic, 4);
  std::memcpy(&b[16], &idx, 4);
  for (uint32_t i = 20; i < b.size(); i++) b[i] = uint8_t(idx * 7 + i);
  return b;
}

std::vector<uint8_t> make_rr(uint32_t ssrc) {
  return {0x80, 201, 0, 1, uint8_t(ssrc >> 24), uint8_t(ssrc >> 16), uint8_t(ssrc >> 8), uint8_t(ssrc)};
}

class Probe {
 public:
  bool start(const DataPlaneOptions& o) {
    opt_ = o;
    std::string why;
    if (!link_.start(o, &why)) {
      std::fprintf(stderr, "start: %s\n", why.c_str());
      return false;
    }
    return true;
  }

  std::string run(const std::vector<std::string>& a) {
    const std::string& c = a[0];
    if (c == "wait-available" || c == "wait-unavailable") return wait_available(a, c == "wait-available");
    if (c == "open" && a.size() >= 3) return open(a);
    if (c == "peer" && a.size() >= 4) return peer(a);
    if (c == "send" && a.size() >= 4) return send(a);
    if (c == "raw-send" && a.size() >= 3) return raw_send(a);
    if (c == "expect" && a.size() >= 5) return expect(a);
    if (c == "close" && a.size() >= 2) return close(a);
    if (c == "counters") return counters();
    return "{\"error\":\"bad command\"}";
  }

  void stop() { link_.stop(); }

 private:
  ProbeStream* find(const std::string& n) {
    auto it = streams_.find(n);
    return it == streams_.end() ? nullptr : it->second.get();
  }

  std::string wait_available(const std::vector<std::string>& a, bool want) {
    const double secs = a.size() > 1 ? std::stod(a[1]) : 10;
    const uint64_t t0 = shm::monotonic_ns(), end = t0 + static_cast<uint64_t>(secs * 1e9);
    std::string why;
    bool av = link_.available(&why);
    while (av != want && shm::monotonic_ns() < end) {
      nap_ms(20);
      av = link_.available(&why);
    }
    if (av) why.clear();
    return "{\"available\":" + std::string(av ? "true" : "false") + ",\"why\":" + jstr(why) +
           ",\"waited_ms\":" + std::to_string((shm::monotonic_ns() - t0) / 1000000) + "}";
  }

  std::string open(const std::vector<std::string>& a) {
    const bool video = a.size() > 3 && a[3] == "video";
    auto s = std::make_unique<ProbeStream>(video);
    std::string why;
    if (!link_.open_stream(a[2], video, &s->relay, &s->info, &why))
      return "{\"ok\":false,\"why\":" + jstr(why) + "}";
    const StreamInfo i = s->info;
    streams_[a[1]] = std::move(s);
    return "{\"ok\":true,\"ip\":" + jstr(i.ip) + ",\"family\":" + std::to_string(i.family) +
           ",\"rtp_port\":" + std::to_string(i.rtp_port) + ",\"rtp_flow\":" + std::to_string(uint32_t(i.id)) + "}";
  }

  std::string peer(const std::vector<std::string>& a) {
    ProbeStream* s = find(a[1]);
    if (s == nullptr) return "{\"ok\":false,\"why\":\"no such stream\"}";
    PeerTarget p;
    p.addr = a[2];
    p.rtp_port = static_cast<uint16_t>(std::stoul(a[3]));
    for (size_t i = 4; i < a.size(); i++) {
      if (a[i] == "nosend") p.send = false;
      else if (a[i] == "norecv") p.recv = false;
      else if (a[i] == "hold") p.on_hold = true;
      else p.rtcp_port = static_cast<uint16_t>(std::stoul(a[i]));
    }
    std::string why;
    const bool ok = link_.set_peer(s->info.id, p, &why);
    s->relay.set_recv(p.recv);
    s->relay.set_on_hold(p.on_hold);
    return "{\"ok\":" + std::string(ok ? "true" : "false") + ",\"why\":" + jstr(why) + "}";
  }

  std::string send(const std::vector<std::string>& a) {
    ProbeStream* s = find(a[1]);
    if (s == nullptr) return "{\"error\":\"no such stream\"}";
    const uint32_t n = static_cast<uint32_t>(std::stoul(a[2]));
    const double pps = std::stod(a[3]);
    const bool rtcp = a.size() > 4 && a[4] == "rtcp";
    const uint32_t ssrc = 0x50000000u | static_cast<uint32_t>(s->info.rtp_port);
    const uint64_t t0 = shm::monotonic_ns();
    uint32_t queued = 0, refused = 0;
    for (uint32_t i = 0; i < n; i++) {
      const uint64_t due = t0 + static_cast<uint64_t>(i * 1e9 / pps);
      while (shm::monotonic_ns() < due) sched_pause();
      const auto pkt = rtcp ? make_rr(ssrc) : make_rtp(ssrc, s->sent++);
      if (!rtcp) s->relay.note_browser_rtp(pkt.data(), pkt.size());
      (link_.send_to_peer(s->info.id, rtcp, pkt.data(), static_cast<uint16_t>(pkt.size())) ? queued : refused)++;
    }
    return "{\"queued\":" + std::to_string(queued) + ",\"refused\":" + std::to_string(refused) + "}";
  }

  static void sched_pause() {
    timespec ts{0, 50000};
    nanosleep(&ts, nullptr);
  }

  // Plays a buggy producer: packets for the flow whatever control's state says. Uses its
  // own mapping; only while the link itself is not sending (ring 0 is SPSC).
  std::string raw_send(const std::vector<std::string>& a) {
    ProbeStream* s = find(a[1]);
    if (s == nullptr) return "{\"error\":\"no such stream\"}";
    std::string why;
    auto r = shm::Region::attach(opt_.shm_name, &why);
    if (!r || r->hdr()->n_pkt_rings_to_dp == 0) return "{\"error\":" + jstr(why) + "}";
    auto ring = r->pkt_ring_to_dp(0);
    const uint32_t n = static_cast<uint32_t>(std::stoul(a[2]));
    uint32_t queued = 0;
    for (uint32_t i = 0; i < n; i++) {
      rtpgate_shm_pkt_slot* slot = ring.reserve();
      if (slot == nullptr) break;
      const auto pkt = make_rtp(1, i);
      slot->flow_id = static_cast<uint32_t>(s->info.id);
      slot->len = static_cast<uint16_t>(pkt.size());
      slot->is_rtcp = 0;
      std::memcpy(slot->data, pkt.data(), pkt.size());
      ring.publish();
      queued++;
    }
    return "{\"queued\":" + std::to_string(queued) + "}";
  }

  std::string expect(const std::vector<std::string>& a) {
    ProbeStream* s = find(a[1]);
    if (s == nullptr) return "{\"error\":\"no such stream\"}";
    const uint64_t want_rtp = std::stoull(a[2]), want_rtcp = std::stoull(a[3]);
    const uint64_t end = shm::monotonic_ns() + std::stoull(a[4]) * 1000000ull;
    while ((s->tally.rtp < want_rtp || s->tally.rtcp < want_rtcp) && shm::monotonic_ns() < end) nap_ms(5);
    nap_ms(50);  // anything beyond the expected count shows up too
    const auto& rc = s->relay.counters();
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "{\"rtp\":%" PRIu64 ",\"rtcp\":%" PRIu64 ",\"own\":%" PRIu64 ",\"foreign\":%" PRIu64
                  ",\"bad\":%" PRIu64 ",\"ssrc_changes\":%" PRIu64 ",\"drop_not_rtp\":%" PRIu64
                  ",\"drop_not_recv\":%" PRIu64 ",\"drop_on_hold\":%" PRIu64 ",\"peer_ssrc\":%u}",
                  s->tally.rtp.load(), s->tally.rtcp.load(), s->tally.own.load(), s->tally.foreign.load(),
                  s->tally.bad.load(), rc.ssrc_changes.load(), rc.drop_not_rtp.load(), rc.drop_not_recv.load(),
                  rc.drop_on_hold.load(), s->relay.peer_ssrc());
    return buf;
  }

  std::string close(const std::vector<std::string>& a) {
    ProbeStream* s = find(a[1]);
    if (s == nullptr) return "{\"ok\":false}";
    link_.close_stream(s->info.id);
    streams_.erase(a[1]);  // the sink may go: close_stream guarantees no further call
    return "{\"ok\":true}";
  }

  std::string counters() {
    const LinkCounters& c = link_.counters();
    std::string o = "{";
    auto add = [&](const char* k, const std::atomic<uint64_t>& v) {
      if (o.size() > 1) o += ",";
      o += "\"" + std::string(k) + "\":" + std::to_string(v.load());
    };
    add("to_dp_pkts", c.to_dp_pkts);
    add("drop_send_stale", c.drop_send_stale);
    add("drop_send_direction", c.drop_send_direction);
    add("drop_send_no_peer", c.drop_send_no_peer);
    add("drop_send_ring_full", c.drop_send_ring_full);
    add("drop_send_no_ring", c.drop_send_no_ring);
    add("from_dp_pkts", c.from_dp_pkts);
    add("delivered_pkts", c.delivered_pkts);
    add("drop_rx_no_stream", c.drop_rx_no_stream);
    add("drop_rx_stale", c.drop_rx_stale);
    add("attaches", c.attaches);
    add("orphaned_streams", c.orphaned_streams);
    add("readopted_streams", c.readopted_streams);
    add("readopt_failures", c.readopt_failures);
    add("cmd_failures", c.cmd_failures);
    add("cmd_timeouts", c.cmd_timeouts);
    add("leaked_flows", c.leaked_flows);
    return o + ",\"open_streams\":" + std::to_string(link_.open_streams()) + "}";
  }

  DataPlaneOptions opt_;
  DataPlaneLink link_;
  std::map<std::string, std::unique_ptr<ProbeStream>> streams_;
};

}  // namespace

int main(int argc, char** argv) {
  DataPlaneOptions o;
  o.attach_retry_ms = 200;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--shm") o.shm_name = v;
    else if (k == "--timeout-ms") o.cmd_timeout_ms = static_cast<uint32_t>(std::stoul(v));
    else if (k == "--port-min") o.port_min = static_cast<uint16_t>(std::stoul(v));
    else if (k == "--port-max") o.port_max = static_cast<uint16_t>(std::stoul(v));
    else if (k == "--dscp") o.dscp_audio = o.dscp_video = static_cast<uint8_t>(std::stoul(v));
    else {
      std::fprintf(stderr, "usage: rtpgate-media-probe [--shm NAME] [--timeout-ms N] [--port-min N --port-max N] "
                           "[--dscp N]  (commands on stdin, see the source)\n");
      return 2;
    }
  }
  Probe p;
  if (!p.start(o)) return 1;
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream is(line);
    std::vector<std::string> a;
    for (std::string w; is >> w;) a.push_back(w);
    if (a.empty()) continue;
    if (a[0] == "quit") break;
    std::printf("%s\n", p.run(a).c_str());
    std::fflush(stdout);
  }
  p.stop();
  return 0;
}
