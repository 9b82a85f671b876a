// rtpgate-srtp-dp-bench: SRTP protect and unprotect packets/s of one worker core through the
// data plane's real code path (process_burst: parse, lookup, SRTP stage on the lcore's
// SrtpBatch, RTP checks, header rewrite, checksums, TX to a net_null port), per profile,
// with N SRTP flows (one context each, round-robin so N = 100,000 runs cache-cold), next to
// the raw intel-ipsec-mb burst rate for the same cipher on the same contexts (ceiling) and
// Debian libsrtp2 per packet (status quo), all in the same run. See perf/README.md.
#include <rte_cycles.h>
#include <rte_bus_vdev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <srtp2/srtp.h>

#include <unistd.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "../../tests/srtp/libsrtp_policy.h"
#include "../loop_frame.h"
#include "raw_ceiling.h"
#include "rtpgate/shm/control_client.h"
#include "lcore/packet_handler.h"
#include "runtime.h"

namespace rtpgate::perf {
namespace {

using dp::srtp::SrtpBatch;
using dp::srtp::SrtpContext;
using dp::srtp::SrtpDirection;
using dp::srtp::SrtpPacket;
using dp::srtp::SrtpProfile;
using dp::srtp::SrtpResult;

constexpr uint32_t kBurst = 32;
constexpr uint32_t kRtpLen = 172;  // 12-byte header + 160 bytes of payload
constexpr uint32_t kFrameLen = 14 + 20 + 8 + kRtpLen;
constexpr uint32_t kStride = 256;
constexpr uint16_t kPortMin = 20000, kPortMax = 49999;
constexpr uint32_t kPortsPerAddr = kPortMax - kPortMin + 1;
constexpr uint32_t kMaxLib = 1000;  // libsrtp2 on NSS creates sessions slowly

struct Args {
  std::vector<uint32_t> flows{1000, 100000};
  double seconds = 1.0;
  int rounds = 2;
  bool libsrtp = true;
  std::string only;  // one profile name (profiling)
};

rtpgate_shm_addr media_addr(uint32_t a) {
  rtpgate_shm_addr r{};
  r.family = 4;
  r.addr[0] = 10;
  r.addr[1] = 98;
  r.addr[2] = uint8_t((a + 1) >> 8);
  r.addr[3] = uint8_t(a + 1);
  return r;
}
const rtpgate_shm_addr kPeer = [] {
  rtpgate_shm_addr r{};
  r.family = 4;
  r.addr[0] = 10;
  r.addr[1] = 98;
  r.addr[2] = 250;
  r.addr[3] = 1;
  return r;
}();

const char* profile_name(SrtpProfile p) {
  switch (p) {
    case SrtpProfile::kAesCm128HmacSha1_80: return "AES_CM_128_HMAC_SHA1_80";
    case SrtpProfile::kAesCm128HmacSha1_32: return "AES_CM_128_HMAC_SHA1_32";
    case SrtpProfile::kAeadAes128Gcm: return "AEAD_AES_128_GCM";
    case SrtpProfile::kAeadAes256Gcm: return "AEAD_AES_256_GCM";
  }
  return "?";
}

void key_of(uint32_t i, uint8_t out[46]) {
  uint32_t x = i * 2654435761u + 12345u;
  for (int b = 0; b < 46; b++) {
    x = x * 1103515245u + 12345u;
    out[b] = uint8_t(x >> 16);
  }
}

// The data plane under test and the controller that programs it (same thread: commands are
// applied by calling the command lcore's poll between submits).
class Bench {
 public:
  Bench(uint32_t n, const Args& a) : n_(n), args_(a) {}

  bool init(std::string* why) {
    dp::Config c;
    c.shm_name = "/rtpgate-srtpbench-" + std::to_string(getpid()) + "-" + std::to_string(n_);
    dp::PortConfig pc;
    pc.port_id = 0;
    for (uint32_t i = 0; i < n_addrs(); i++) pc.addrs.push_back(dp::MediaAddr{media_addr(i), 16});
    c.ports.push_back(pc);
    dp::StaticNeighbour nb;
    nb.addr = kPeer;
    const uint8_t mac[6] = {0x02, 0, 0, 0x98, 0, 1};
    std::memcpy(nb.mac, mac, 6);
    c.neighbours.push_back(nb);
    c.port_min = kPortMin;
    c.port_max = kPortMax;
    c.flow_capacity = n_;
    c.srtp_capacity = n_ + 1;
    c.mbufs = 8191;
    c.idle_mode = dp::IdleMode::Poll;
    if (!dp::validate_config(c, why) || !rt_.init(c, why)) return false;
    auto cc = shm::ControlClient::open(c.shm_name, why);
    if (!cc) return false;
    cc_.emplace(std::move(cc.value()));
    pool_ = rte_pktmbuf_pool_create(("srtpbench_in" + std::to_string(n_)).c_str(), 4095, 0, 0,
                                    RTE_MBUF_DEFAULT_BUF_SIZE, 0);
    return pool_ != nullptr && install_flows(why);
  }

  ~Bench() {
    rt_.shutdown();
    if (pool_ != nullptr) rte_mempool_free(pool_);
  }

  // Programs every context for `p` in direction `protect` (deleting the previous ones) and
  // points every flow at it. Returns false on any failed command.
  bool program(SrtpProfile p, bool protect, std::string* why) {
    const auto& info = dp::srtp::srtp_profile_info(p);
    if (programmed_) {
      for (uint32_t i = 0; i < n_; i++) submit(cc_->submit_srtp(RTPGATE_CMD_SRTP_DEL, i + 1));
      if (!drain(why)) return false;
    }
    for (uint32_t i = 0; i < n_; i++) {
      rtpgate_shm_flow_params prm = cc_->region().flow(i).params;
      prm.srtp_slot = protect ? RTPGATE_SRTP_NONE : i + 1;
      prm.srtp_out_slot = protect ? i + 1 : 0;
      cc_->write_params(i, prm);
      submit(cc_->submit(RTPGATE_CMD_FLOW_MODIFY, i));
    }
    if (!drain(why)) return false;
    for (uint32_t i = 0; i < n_; i++) {
      rtpgate_shm_srtp_entry e{};
      uint8_t km[46];
      key_of(i, km);
      e.profile = static_cast<uint8_t>(p);
      e.direction = protect ? RTPGATE_SRTP_DIR_PROTECT : RTPGATE_SRTP_DIR_UNPROTECT;
      e.key_len = info.master_key_len;
      e.salt_len = info.master_salt_len;
      std::memcpy(e.key, km, e.key_len);
      std::memcpy(e.salt, km + e.key_len, e.salt_len);
      cc_->write_srtp(i + 1, e);
      submit(cc_->submit_srtp(RTPGATE_CMD_SRTP_SET, i + 1));
    }
    programmed_ = true;
    return drain(why);
  }

  // Plain forwarding through the same flows (no SRTP): the per-packet cost without crypto.
  bool program_plain(std::string* why) {
    if (programmed_) {
      for (uint32_t i = 0; i < n_; i++) submit(cc_->submit_srtp(RTPGATE_CMD_SRTP_DEL, i + 1));
      if (!drain(why)) return false;
      programmed_ = false;
    }
    for (uint32_t i = 0; i < n_; i++) {
      rtpgate_shm_flow_params prm = cc_->region().flow(i).params;
      prm.srtp_slot = RTPGATE_SRTP_NONE;
      prm.srtp_out_slot = 0;
      cc_->write_params(i, prm);
      submit(cc_->submit(RTPGATE_CMD_FLOW_MODIFY, i));
    }
    return drain(why);
  }

  // Packets per second through process_burst; `pre` = protected input (unprotect runs).
  struct Cell {
    double mpps = 0;
    double tsc_per_pkt = 0;
    uint64_t bad = 0;  // packets not transmitted (drops of any reason)
  };
  Cell run_dp(SrtpProfile p, bool unprotect) {
    const uint32_t seqs = std::max<uint32_t>(2, std::min<uint32_t>(64, 200000 / n_));
    if (unprotect) prepare_protected(p, seqs);
    else prepare_plain();
    dp::DpContext& d = rt_.dp();
    for (uint32_t i = 0; i < n_; i++) d.srtp.get(i + 1)->reset_state();  // a fresh stream per run
    dp::LcoreCtx& lc = rt_.lcore(0);
    uint64_t tsc = 0, pkts = 0;
    const uint64_t budget = static_cast<uint64_t>(args_.seconds * double(rte_get_tsc_hz()));
    uint64_t pos = 0;                       // (seq, flow) walk, flow fastest
    const uint64_t span = uint64_t{n_} * (unprotect ? seqs : 1);
    std::vector<uint16_t> seq(n_, 0);
    rte_mbuf* m[kBurst];
    while (tsc < budget) {
      if (rte_pktmbuf_alloc_bulk(pool_, m, kBurst) != 0) break;
      for (uint32_t j = 0; j < kBurst; j++) {  // "the NIC" fills the buffers (untimed)
        const uint32_t f = static_cast<uint32_t>(pos % n_);
        uint8_t* b = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(m[j], static_cast<uint16_t>(frame_len_[pos])));
        std::memcpy(b, &frames_[pos * kStride], frame_len_[pos]);
        if (!unprotect) {
          const uint16_t s = seq[f]++;
          b[42 + 2] = uint8_t(s >> 8);
          b[42 + 3] = uint8_t(s);
        }
        if (++pos == span) {
          pos = 0;
          if (unprotect)  // every pre-protected packet used: forget the receive state (untimed)
            for (uint32_t i = 0; i < n_; i++) d.srtp.get(i + 1)->reset_state();
        }
      }
      const uint64_t t0 = rte_rdtsc();
      dp::process_burst(d, lc, m, kBurst, t0);
      dp::flush_all(lc, d);
      tsc += rte_rdtsc() - t0;
      pkts += kBurst;
      if ((pkts & 0xffff) == 0) dp::publish_lcore_stats(lc);
    }
    dp::publish_lcore_stats(lc);
    const auto& st = d.region.lcore_stats(0);
    Cell c;
    const uint64_t sent = st.ctr[RTPGATE_CTR_tx_pkts] + st.ctr[RTPGATE_CTR_drop_tx_full] - sent_before_;
    sent_before_ += sent;
    c.bad = pkts - sent;
    c.mpps = double(pkts) * double(rte_get_tsc_hz()) / double(tsc) / 1e6;
    c.tsc_per_pkt = double(tsc) / double(pkts);
    return c;
  }

  double run_plain() {
    prepare_plain();
    dp::DpContext& d = rt_.dp();
    dp::LcoreCtx& lc = rt_.lcore(0);
    uint64_t tsc = 0, pkts = 0, pos = 0;
    const uint64_t budget = static_cast<uint64_t>(args_.seconds * double(rte_get_tsc_hz()));
    rte_mbuf* m[kBurst];
    while (tsc < budget) {
      if (rte_pktmbuf_alloc_bulk(pool_, m, kBurst) != 0) break;
      for (uint32_t j = 0; j < kBurst; j++) {
        uint8_t* b = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(m[j], static_cast<uint16_t>(frame_len_[pos])));
        std::memcpy(b, &frames_[pos * kStride], frame_len_[pos]);
        if (++pos == n_) pos = 0;
      }
      const uint64_t t0 = rte_rdtsc();
      dp::process_burst(d, lc, m, kBurst, t0);
      dp::flush_all(lc, d);
      tsc += rte_rdtsc() - t0;
      pkts += kBurst;
    }
    dp::publish_lcore_stats(lc);
    sent_before_ = d.region.lcore_stats(0).ctr[RTPGATE_CTR_tx_pkts] + d.region.lcore_stats(0).ctr[RTPGATE_CTR_drop_tx_full];
    return double(tsc) / double(pkts);
  }

  // The ceiling: the same cipher+auth jobs on the same contexts (key schedules of the data
  // plane's contexts), same buffers, no SRTP or forwarding logic.
  double run_raw(SrtpProfile p, bool decrypt) {
    std::vector<const dp::srtp::SrtpStreamKeys*> keys(n_);
    for (uint32_t i = 0; i < n_; i++) keys[i] = &rt_.dp().srtp.get(i + 1)->rtp_keys();
    return raw_ceiling_mpps(p, keys, decrypt, args_.seconds);
  }

  uint32_t n() const { return n_; }

 private:
  uint32_t n_addrs() const { return (n_ + kPortsPerAddr - 1) / kPortsPerAddr; }

  void submit(Result<uint64_t> r) {
    if (!r) {  // ring full: apply and collect, then retry is the caller's job; we drain first
      std::string why;
      drain(&why);
      return;
    }
    inflight_++;
    if (inflight_ >= 2048) {
      std::string why;
      drain(&why);
    }
  }

  bool drain(std::string* why) {
    uint32_t spins = 0;
    while (inflight_ > 0) {
      rt_.commands().poll(rte_rdtsc(), 4096, rt_.lcore(0).ctr);
      rtpgate_shm_cpl c;
      bool got = false;
      while (cc_->next_completion(c)) {
        got = true;
        inflight_--;
        if (c.errc != 0 && failed_++ == 0)
          *why = "command " + std::to_string(c.op) + " on " + std::to_string(c.flow_id) + ": " +
                 std::string(to_string(static_cast<Errc>(c.errc)));
      }
      if (!got && ++spins > 10000000) return *why = "commands do not complete", false;
    }
    return failed_ == 0;
  }

  bool install_flows(std::string* why) {
    for (uint32_t i = 0; i < n_; i++) {
      auto id = cc_->alloc_flow();
      if (!id || id.value() != i) return *why = "flow ids not in order", false;
      const uint32_t a = i / kPortsPerAddr;
      const auto port = static_cast<uint16_t>(kPortMin + i % kPortsPerAddr);
      cc_->claim_port(a, port);
      rtpgate_shm_flow_params p{};
      p.kind = RTPGATE_KIND_RTP;
      p.action = RTPGATE_ACT_FORWARD;
      p.local = media_addr(a);
      p.local_port = port;
      p.out_src = media_addr(a);
      p.out_src_port = port;
      p.out_dst = kPeer;
      p.out_dst_port = 40000;
      p.rtcp_flow_id = p.reverse_flow_id = p.record_slot = UINT32_MAX;
      p.srtp_slot = RTPGATE_SRTP_NONE;
      p.flags = RTPGATE_FLOW_F_REWRITE;  // the relay path: switching context on
      cc_->write_params(i, p);
      submit(cc_->submit(RTPGATE_CMD_FLOW_INSTALL, i));
    }
    return drain(why);
  }

  void frame_for(uint32_t f, uint16_t seq, uint8_t* out) const {
    FrameSpec s{};
    const uint8_t dmac[6] = {0x02, 0, 0, 0, 0, 1}, smac[6] = {0x02, 0, 0, 0x98, 0, 1};
    std::memcpy(s.dst_mac, dmac, 6);
    std::memcpy(s.src_mac, smac, 6);
    std::memcpy(s.src_ip, kPeer.addr, 4);
    std::memcpy(s.dst_ip, media_addr(f / kPortsPerAddr).addr, 4);
    s.src_port = 40000;
    s.dst_port = static_cast<uint16_t>(kPortMin + f % kPortsPerAddr);
    s.rtp_seq = seq;
    s.rtp_ts = 160u * seq;
    s.rtp_ssrc = 0x5eed0000u + f;
    s.frame_len = kFrameLen;
    build_rtp_frame(out, s);
  }

  void prepare_plain() {
    frames_.assign(size_t{n_} * kStride, 0);
    frame_len_.assign(n_, kFrameLen);
    for (uint32_t f = 0; f < n_; f++) frame_for(f, 0, &frames_[size_t{f} * kStride]);
  }

  // seqs packets per flow, protected with the flow's key by our batch (interop with
  // libsrtp2 is tested in tests/srtp), laid out (seq, flow) with the flow fastest.
  void prepare_protected(SrtpProfile p, uint32_t seqs) {
    const auto& info = dp::srtp::srtp_profile_info(p);
    frames_.assign(size_t{n_} * seqs * kStride, 0);
    frame_len_.assign(size_t{n_} * seqs, 0);
    SrtpBatch batch;
    SrtpContext tx;
    std::vector<SrtpPacket> v(seqs);
    std::vector<SrtpResult> r(seqs);
    for (uint32_t f = 0; f < n_; f++) {
      uint8_t km[46];
      key_of(f, km);
      tx.init(p, SrtpDirection::kProtect, km, info.master_key_len, km + info.master_key_len, info.master_salt_len);
      for (uint32_t s = 0; s < seqs; s++) {
        uint8_t* b = &frames_[(size_t{s} * n_ + f) * kStride];
        frame_for(f, static_cast<uint16_t>(s), b);
        v[s] = SrtpPacket{b + 42, kRtpLen, kStride - 42, &tx};
      }
      batch.protect_rtp(v.data(), r.data(), seqs);
      for (uint32_t s = 0; s < seqs; s++) {
        uint8_t* b = &frames_[(size_t{s} * n_ + f) * kStride];
        const uint32_t len = v[s].len;
        b[16] = uint8_t((20 + 8 + len) >> 8);  // IPv4 total length and UDP length
        b[17] = uint8_t(20 + 8 + len);
        b[38] = uint8_t((8 + len) >> 8);
        b[39] = uint8_t(8 + len);
        b[40] = b[41] = 0;  // UDP checksum 0 (IPv4: none); the data plane recomputes it
        frame_len_[size_t{s} * n_ + f] = 42 + len;
      }
    }
  }

  uint32_t n_;
  const Args& args_;
  dp::Runtime rt_;
  std::optional<shm::ControlClient> cc_;
  rte_mempool* pool_ = nullptr;
  uint32_t inflight_ = 0, failed_ = 0;
  bool programmed_ = false;
  uint64_t sent_before_ = 0;
  std::vector<uint8_t> frames_;
  std::vector<uint32_t> frame_len_;
};

void print_row(const char* prof, const char* op, uint32_t flows, const Bench::Cell& c, double raw, double lib,
               double plain_tsc, double tsc_hz) {
  const double raw_tsc = tsc_hz / (raw * 1e6);
  std::printf("| %-23s | %-9s | %7u | %6.2f | %6.2f | %5.3f | %4.0f%% | %5.1fx | %6.0f | %5.0f | %5.0f | %5.0f | %lu |\n",
              prof, op, flows, c.mpps, raw, lib, 100.0 * c.mpps / raw, c.mpps / lib, c.tsc_per_pkt, plain_tsc, raw_tsc,
              c.tsc_per_pkt - plain_tsc - raw_tsc, static_cast<unsigned long>(c.bad));
  std::fflush(stdout);
}

int run(int argc, char** argv) {
  const int consumed = rte_eal_init(argc, argv);
  if (consumed < 0) {
    std::fprintf(stderr, "rtpgate-srtp-dp-bench: EAL init failed (root? --no-huge -m 2048 --vdev=net_null0)\n");
    return 77;
  }
  Args a;
  for (int i = consumed + 1; i < argc; i++) {
    const std::string k = argv[i];
    if (k == "--seconds" && i + 1 < argc) a.seconds = std::atof(argv[++i]);
    else if (k == "--no-libsrtp") a.libsrtp = false;
    else if (k == "--profile" && i + 1 < argc) a.only = argv[++i];
    else if (k == "--rounds" && i + 1 < argc) a.rounds = std::atoi(argv[++i]);
    else if (k == "--flows" && i + 1 < argc) {
      a.flows.clear();
      std::string v = argv[++i];
      for (size_t p = 0; p <= v.size();) {
        const size_t q = v.find(',', p);
        a.flows.push_back(static_cast<uint32_t>(std::stoul(v.substr(p, q - p))));
        if (q == std::string::npos) break;
        p = q + 1;
      }
    } else {
      std::fprintf(stderr, "usage: rtpgate-srtp-dp-bench EAL-ARGS -- [--flows 1000,100000] [--seconds S] [--rounds R]\n"
                           "         [--profile NAME] [--no-libsrtp]\n");
      return 2;
    }
  }
  if (rte_eth_dev_count_avail() == 0) {
    std::fprintf(stderr, "rtpgate-srtp-dp-bench: no port: pass --vdev=net_null0\n");
    return 2;
  }
  if (srtp_init() != srtp_err_status_ok) return 1;
  const double tsc_hz = double(rte_get_tsc_hz());
  std::printf("rtpgate-srtp-dp-bench: 172-byte RTP (%u-byte frames), bursts of %u, one core, %.2f s per cell, best of %d; "
              "TSC %.2f GHz; %s; libsrtp2 %s (%u sessions)\n",
              kFrameLen, kBurst, a.seconds, a.rounds, tsc_hz / 1e9, raw_arch_name(), srtp_get_version_string(), kMaxLib);
  std::printf("| profile | op | flows | dp Mpps | raw Mpps | libsrtp2 Mpps | dp/raw | dp/libsrtp2 | dp TSC/pkt | "
              "plain fwd TSC/pkt | raw crypto TSC/pkt | SRTP stage overhead TSC/pkt | not sent |\n");
  std::printf("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  const SrtpProfile profiles[] = {SrtpProfile::kAesCm128HmacSha1_80, SrtpProfile::kAesCm128HmacSha1_32,
                                  SrtpProfile::kAeadAes128Gcm, SrtpProfile::kAeadAes256Gcm};
  double lib[4][2] = {};
  for (int pi = 0; pi < 4; pi++)
    for (int op = 0; op < 2; op++)
      if (a.libsrtp && (a.only.empty() || a.only == profile_name(profiles[pi])))
        lib[pi][op] = libsrtp_mpps(profiles[pi], op == 1, a.seconds);
  int rc = 0;
  for (const uint32_t n : a.flows) {
    if (rte_eth_dev_count_avail() == 0) {  // the previous run closed the port: a new one
      rte_vdev_uninit("net_null0");
      if (rte_vdev_init("net_null0", "") != 0) return std::fprintf(stderr, "cannot re-create net_null0\n"), 1;
    }
    auto b = std::make_unique<Bench>(n, a);
    std::string why;
    if (!b->init(&why)) {
      std::fprintf(stderr, "rtpgate-srtp-dp-bench: %u flows: %s\n", n, why.c_str());
      return 1;
    }
    if (!b->program_plain(&why)) return std::fprintf(stderr, "%s\n", why.c_str()), 1;
    const double plain_tsc = b->run_plain();
    for (int pi = 0; pi < 4; pi++) {
      if (!a.only.empty() && a.only != profile_name(profiles[pi])) continue;
      for (int op = 0; op < 2; op++) {
        const bool unprotect = op == 1;
        if (!b->program(profiles[pi], !unprotect, &why)) {
          std::fprintf(stderr, "rtpgate-srtp-dp-bench: programming: %s\n", why.c_str());
          return 1;
        }
        Bench::Cell best;
        double raw = 0;
        for (int r = 0; r < a.rounds; r++) {  // alternate; keep the best of each (shared machine)
          const Bench::Cell c = b->run_dp(profiles[pi], unprotect);
          const double w = b->run_raw(profiles[pi], unprotect);
          if (c.mpps > best.mpps) best = c;
          raw = std::max(raw, w);
        }
        if (best.bad != 0) rc = 3;
        print_row(profile_name(profiles[pi]), unprotect ? "unprotect" : "protect", n, best, raw, lib[pi][op],
                  plain_tsc, tsc_hz);
      }
    }
  }
  srtp_shutdown();
  rte_eal_cleanup();
  return rc;
}

}  // namespace
}  // namespace rtpgate::perf

int main(int argc, char** argv) { return rtpgate::perf::run(argc, argv); }
