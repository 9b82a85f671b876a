// rtpgate-rec-rate-bench: the highest packet rate one worker core records with ZERO lost
// recording copies, end to end through the real path (process_burst: parse, lookup, the
// worker's copy into the recorder ring, forwarding to a net_null port; the recorder thread
// writing one .mjr per flow to DIR), found by a binary search on a paced offered rate
// (RFC 2544 style: fixed trial length, a trial passes when no copy was lost and no packet
// was dropped). The generator is the worker's own thread (it fills mbufs between bursts),
// so the search is capped by what one core can offer; the recorder is a control thread on
// the other CPU. Prints one JSON line. See perf/README.md.
//   rtpgate-rec-rate-bench EAL-ARGS --vdev=net_null0 -- --dir DIR [--flows N] [--trial S]
//                          [--max-mpps X] [--steps K] [--rec-ring N] [--rec-mbufs N]
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "loop_frame.h"
#include "lcore/packet_handler.h"
#include "rtpgate/shm/control_client.h"
#include "runtime.h"

namespace rtpgate::perf {
namespace {

constexpr uint32_t kBurst = 32;
constexpr uint32_t kFrameLen = 14 + 20 + 8 + 172;  // G.711 20 ms RTP
constexpr uint16_t kPortMin = 20000;
constexpr uint8_t kLocal[4] = {10, 96, 0, 1};
constexpr uint8_t kPeer[4] = {10, 96, 255, 1};

struct Args {
  std::string dir;
  uint32_t flows = 1000;
  double trial_s = 2;
  double max_mpps = 4;
  int steps = 7;
  uint32_t rec_ring = 0;   // 0 = the data plane's default
  uint32_t rec_mbufs = 0;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "rtpgate-rec-rate-bench: %s\nusage: rtpgate-rec-rate-bench EAL-ARGS --vdev=net_null0 -- --dir DIR "
               "[--flows N] [--trial S] [--max-mpps X] [--steps K] [--rec-ring N] [--rec-mbufs N]\n",
               why);
  std::exit(2);
}

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 0; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--dir") a.dir = v;
    else if (k == "--flows") a.flows = static_cast<uint32_t>(std::stoul(v));
    else if (k == "--trial") a.trial_s = std::stod(v);
    else if (k == "--max-mpps") a.max_mpps = std::stod(v);
    else if (k == "--steps") a.steps = std::stoi(v);
    else if (k == "--rec-ring") a.rec_ring = static_cast<uint32_t>(std::stoul(v));
    else if (k == "--rec-mbufs") a.rec_mbufs = static_cast<uint32_t>(std::stoul(v));
    else usage(("unknown option " + k).c_str());
  }
  if (a.dir.empty() || a.dir[0] != '/') usage("--dir ABSOLUTE-DIR is required");
  if (a.flows < 1 || a.flows > 40000) usage("--flows must be 1..40000");
  return a;
}

rtpgate_shm_addr addr4(const uint8_t* a) {
  rtpgate_shm_addr x{};
  x.family = 4;
  std::memcpy(x.addr, a, 4);
  return x;
}

class Bench {
 public:
  Bench(const Args& a) : a_(a) {}

  bool init(std::string* why) {
    dp::Config c;
    c.shm_name = "/rtpgate-recrate-" + std::to_string(getpid());
    dp::PortConfig pc;
    pc.port_id = 0;
    pc.addrs.push_back(dp::MediaAddr{addr4(kLocal), 16});
    c.ports.push_back(pc);
    dp::StaticNeighbour nb;
    nb.addr = addr4(kPeer);
    const uint8_t mac[6] = {0x02, 0, 0, 0x96, 0, 1};
    std::memcpy(nb.mac, mac, 6);
    c.neighbours.push_back(nb);
    c.port_min = kPortMin;
    c.port_max = static_cast<uint16_t>(kPortMin + a_.flows * 2);
    c.flow_capacity = a_.flows;
    c.rec_capacity = a_.flows + 1;
    c.idle_mode = dp::IdleMode::Poll;
    if (a_.rec_ring != 0) c.rec_ring = a_.rec_ring;
    if (a_.rec_mbufs != 0) c.rec_mbufs = a_.rec_mbufs;
    if (!dp::validate_config(c, why) || !rt_.init(c, why)) return false;
    auto cc = shm::ControlClient::open(c.shm_name, why);
    if (!cc) return false;
    cc_.emplace(std::move(cc.value()));
    pool_ = rte_pktmbuf_pool_create("recrate_in", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
    if (pool_ == nullptr) return *why = "no generator mbuf pool", false;
    return program(why) && build_frames();
  }

  // One trial at `pps`: offered packets, copies made and lost, forwarding drops.
  struct Trial {
    double pps = 0;
    uint64_t offered = 0, copies = 0, lost = 0, not_sent = 0;
    bool pass() const { return offered > 0 && lost == 0 && not_sent == 0; }
  };
  Trial trial(double pps) {
    dp::DpContext& d = rt_.dp();
    dp::LcoreCtx& lc = rt_.lcore(0);
    const uint64_t* ctr = lc.ctr;
    const uint64_t c0 = ctr[RTPGATE_CTR_rec_copies], l0 = ctr[RTPGATE_CTR_drop_rec_copy];
    const uint64_t tx0 = ctr[RTPGATE_CTR_tx_pkts];
    const uint64_t hz = rte_get_tsc_hz(), t0 = rte_rdtsc(), end = t0 + uint64_t(a_.trial_s * double(hz));
    Trial t;
    t.pps = pps;
    rte_mbuf* m[kBurst];
    for (uint64_t now = t0; now < end; now = rte_rdtsc()) {
      const uint64_t due = static_cast<uint64_t>(pps * double(now - t0) / double(hz));
      if (t.offered + kBurst > due) {
        rte_pause();
        continue;
      }
      if (rte_pktmbuf_alloc_bulk(pool_, m, kBurst) != 0) break;
      for (uint32_t j = 0; j < kBurst; j++) next_frame(m[j]);
      dp::process_burst(d, lc, m, kBurst, now);
      dp::flush_all(lc, d);
      t.offered += kBurst;
    }
    t.copies = ctr[RTPGATE_CTR_rec_copies] - c0;
    t.lost = ctr[RTPGATE_CTR_drop_rec_copy] - l0;
    t.not_sent = t.offered - (ctr[RTPGATE_CTR_tx_pkts] - tx0);
    usleep(500000);  // the recorder empties its ring before the next trial
    return t;
  }

  // The recorder thread's published counters (frames and bytes written so far).
  uint64_t rec_ctr(int id) { return rt_.dp().region.lcore_stats(rt_.n_workers() + 2).ctr[id]; }
  dp::Runtime& rt() { return rt_; }
  ~Bench() {
    rt_.shutdown();  // the recorder writes what is queued and closes every file
    if (pool_ != nullptr) rte_mempool_free(pool_);
  }

 private:
  // A FORWARD flow per relay port toward the peer, each recorded to its own file.
  bool program(std::string* why) {
    std::filesystem::create_directories(a_.dir);
    uint32_t pending = 0;
    auto done = [&](Result<uint64_t> s) {
      if (!s) return *why = "submit: " + std::string(to_string(s.error())), false;
      pending++;
      while (pending > 0) {
        rt_.commands().poll(rte_rdtsc(), 64, rt_.lcore(0).ctr);
        rtpgate_shm_cpl c;
        while (cc_->next_completion(c)) {
          pending--;
          if (c.errc != 0) return *why = "command failed: " + std::string(to_string(static_cast<Errc>(c.errc))), false;
        }
      }
      return true;
    };
    for (uint32_t i = 0; i < a_.flows; i++) {
      const uint32_t rec = cc_->alloc_rec().value();
      rtpgate_shm_rec_entry e{};
      e.medium = RTPGATE_REC_AUDIO;
      std::strcpy(e.codec, "pcmu");
      std::snprintf(e.path, sizeof e.path, "%s/flow-%u.mjr", a_.dir.c_str(), i);
      cc_->write_rec(rec, e);
      if (!done(cc_->submit_rec(RTPGATE_CMD_REC_START, rec))) return false;
      const uint32_t id = cc_->alloc_flow().value();
      const uint16_t port = static_cast<uint16_t>(kPortMin + 2 * i);
      cc_->claim_port(0, port);
      rtpgate_shm_flow_params p{};
      p.kind = RTPGATE_KIND_RTP;
      p.action = RTPGATE_ACT_FORWARD;
      p.local = addr4(kLocal);
      p.local_port = port;
      p.out_src = p.local;
      p.out_src_port = port;
      p.out_dst = addr4(kPeer);
      p.out_dst_port = 30000;
      p.rtcp_flow_id = p.reverse_flow_id = UINT32_MAX;
      p.srtp_slot = RTPGATE_SRTP_NONE;
      p.record_slot = rec;
      cc_->write_params(id, p);
      if (!done(cc_->submit(RTPGATE_CMD_FLOW_INSTALL, id))) return false;
    }
    return true;
  }

  bool build_frames() {
    rte_ether_addr mac{};
    rte_eth_macaddr_get(0, &mac);
    frames_.resize(size_t{a_.flows} * kFrameLen);
    for (uint32_t i = 0; i < a_.flows; i++) {
      FrameSpec s{};
      std::memcpy(s.dst_mac, mac.addr_bytes, 6);
      const uint8_t src_mac[6] = {0x02, 0, 0, 0x96, 0, 1};
      std::memcpy(s.src_mac, src_mac, 6);
      std::memcpy(s.src_ip, kPeer, 4);
      std::memcpy(s.dst_ip, kLocal, 4);
      s.src_port = 30000;
      s.dst_port = static_cast<uint16_t>(kPortMin + 2 * i);
      s.rtp_ssrc = 0x7ec00000u + i;
      s.frame_len = kFrameLen;
      build_rtp_frame(&frames_[size_t{i} * kFrameLen], s);
    }
    seq_.assign(a_.flows, 0);
    return true;
  }

  // "The NIC": the next flow's frame with its next sequence number and timestamp.
  void next_frame(rte_mbuf* m) {
    auto* b = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(m, kFrameLen));
    std::memcpy(b, &frames_[size_t{pos_} * kFrameLen], kFrameLen);
    const uint16_t s = seq_[pos_]++;
    const uint32_t ts = uint32_t{s} * 160;
    uint8_t* rtp = b + 42;
    rtp[2] = uint8_t(s >> 8), rtp[3] = uint8_t(s);
    rtp[4] = uint8_t(ts >> 24), rtp[5] = uint8_t(ts >> 16), rtp[6] = uint8_t(ts >> 8), rtp[7] = uint8_t(ts);
    if (++pos_ == a_.flows) pos_ = 0;
  }

  const Args& a_;
  dp::Runtime rt_;
  std::optional<shm::ControlClient> cc_;
  rte_mempool* pool_ = nullptr;
  std::vector<uint8_t> frames_;
  std::vector<uint16_t> seq_;
  uint32_t pos_ = 0;
};

int run(int argc, char** argv) {
  const int consumed = rte_eal_init(argc, argv);
  if (consumed < 0) {
    std::fprintf(stderr, "rtpgate-rec-rate-bench: EAL init failed\n");
    return 1;
  }
  const int rest = argc - consumed - 1;
  const Args a = parse_args(rest > 0 ? rest : 0, argv + consumed + 1);
  int rc = 1;
  {
    Bench b(a);
    std::string why;
    if (!b.init(&why)) {
      std::fprintf(stderr, "rtpgate-rec-rate-bench: %s\n", why.c_str());
      return 1;
    }
    if (!b.rt().recorder(0).start()) {
      std::fprintf(stderr, "rtpgate-rec-rate-bench: cannot start the recorder thread\n");
      return 1;
    }
    // Binary search on the offered rate: the highest passing trial.
    double lo = 0, hi = a.max_mpps * 1e6;
    Bench::Trial best, first_fail;
    std::string trials = "[";
    for (int i = 0; i < a.steps; i++) {
      const double r = i == 0 ? hi : (lo + hi) / 2;
      const Bench::Trial t = b.trial(r);
      std::fprintf(stderr, "rtpgate-rec-rate-bench: %.3f Mpps offered %llu copies %llu lost %llu not sent %llu: %s\n",
                   r / 1e6, static_cast<unsigned long long>(t.offered), static_cast<unsigned long long>(t.copies),
                   static_cast<unsigned long long>(t.lost), static_cast<unsigned long long>(t.not_sent),
                   t.pass() ? "pass" : "fail");
      char buf[160];
      std::snprintf(buf, sizeof buf, "%s{\"mpps\":%.3f,\"lost\":%llu,\"not_sent\":%llu,\"pass\":%s}",
                    i ? "," : "", r / 1e6, static_cast<unsigned long long>(t.lost),
                    static_cast<unsigned long long>(t.not_sent), t.pass() ? "true" : "false");
      trials += buf;
      if (t.pass()) {
        lo = r;
        best = t;
        if (i == 0) break;  // the whole range passes
      } else {
        hi = r;
        first_fail = t;
      }
    }
    trials += "]";
    const uint64_t frames = b.rec_ctr(RTPGATE_CTR_rec_frames), bytes = b.rec_ctr(RTPGATE_CTR_rec_write_bytes);
    std::printf("{\"bench\":\"rtpgate-rec-rate\",\"flows\":%u,\"trial_s\":%.1f,\"zero_loss_mpps\":%.3f,"
                "\"zero_loss_mbytes_per_s\":%.1f,\"g711_streams\":%.0f,\"recorder_frames_total\":%llu,"
                "\"recorder_bytes_total\":%llu,\"trials\":%s}\n",
                a.flows, a.trial_s, best.pps / 1e6, best.pps * (172 + 10) / 1e6, best.pps / 50,
                static_cast<unsigned long long>(frames), static_cast<unsigned long long>(bytes), trials.c_str());
    rc = best.pps > 0 ? 0 : 3;
  }
  rte_eal_cleanup();
  return rc;
}

}  // namespace
}  // namespace rtpgate::perf

int main(int argc, char** argv) { return rtpgate::perf::run(argc, argv); }
