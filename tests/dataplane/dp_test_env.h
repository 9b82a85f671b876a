// What the EAL tests that drive a whole Runtime in-process share (tests/srtp/
// srtp_stage_test.cc, tests/dataplane/recording_eal_test.cc): one data plane on a net_ring
// port with one /24 media address and a static peer neighbour, commands through the real
// command ring (the test thread polls the command lcore), RTP built and injected through
// process_burst, control's packets pushed on its ring and drained by the worker.
#pragma once
#include <gtest/gtest.h>
#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include <rte_bus_vdev.h>
#include <rte_ethdev.h>
#include <stdlib.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "frame_builder.h"
#include "lcore/ctl_tx.h"
#include "net/checksum.h"
#include "net/pkt_parse.h"
#include "rtpgate/shm/control_client.h"
#include "runtime.h"

namespace rtpgate::dp::test {

using Bytes = std::vector<uint8_t>;

struct DpEnv {
  Runtime rt;
  std::optional<shm::ControlClient> cc;
  rte_mempool* pool = nullptr;  // frames the tests inject
  uint16_t port = 0;            // the net_ring port
  uint16_t next_port = 20000;   // relay ports handed to test flows
  uint8_t local[4]{};           // the media address (flows' local and out_src)
  uint8_t peer[4]{};            // the peer injected frames come from
  std::filesystem::path dir;    // the suite's temporary directory (open_vdev)
};

inline rtpgate_shm_addr addr4(const uint8_t* a) {
  rtpgate_shm_addr x{};
  x.family = 4;
  std::memcpy(x.addr, a, 4);
  return x;
}

// A flow on env.local:`port` with the given action and output (env.local:`port` ->
// env.peer:`dst_port`); no RTCP, reverse, recording or SRTP link.
inline rtpgate_shm_flow_params flow_params(const DpEnv& env, uint8_t action, uint16_t port, uint16_t dst_port) {
  rtpgate_shm_flow_params p{};
  p.kind = RTPGATE_KIND_RTP;
  p.action = action;
  p.local = addr4(env.local);
  p.local_port = port;
  p.out_src = addr4(env.local);
  p.out_src_port = port;
  p.out_dst = addr4(env.peer);
  p.out_dst_port = dst_port;
  p.reverse_flow_id = UINT32_MAX;
  p.rtcp_flow_id = UINT32_MAX;
  p.record_slot = RTPGATE_REC_NONE;
  p.record_tx_slot = RTPGATE_REC_NONE;
  p.srtp_slot = RTPGATE_SRTP_NONE;
  return p;
}

// The data plane of the tests: env.local/24 on `port_id`, env.peer a static neighbour,
// relay ports 20000-20999, 256 flows, polling. Callers add their own capacities.
inline Config base_config(const DpEnv& env, const std::string& shm_name, uint16_t port_id) {
  Config c;
  c.shm_name = shm_name;
  PortConfig pc;
  pc.port_id = port_id;
  pc.addrs.push_back(MediaAddr{addr4(env.local), 24});
  c.ports.push_back(pc);
  StaticNeighbour nb;
  nb.addr = addr4(env.peer);
  const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 2};
  std::memcpy(nb.mac, mac, 6);
  c.neighbours.push_back(nb);
  c.port_min = 20000;
  c.port_max = 20999;
  c.flow_capacity = 256;
  c.idle_mode = IdleMode::Poll;
  return c;
}

// The start of an EAL suite's set-up: sets the suite's media address and peer, hot-plugs
// `vdev`, finds its port and makes a temporary directory named after `tmp_name`. False
// without *err = skip (no EAL or no such vdev); false with *err = fail.
inline bool open_vdev(DpEnv& env, const char* vdev, const std::string& tmp_name, const uint8_t local[4],
                      const uint8_t peer[4], std::string* err) {
  std::memcpy(env.local, local, 4);
  std::memcpy(env.peer, peer, 4);
  if (rte_lcore_count() == 0 || rte_vdev_init(vdev, nullptr) != 0) return false;
  if (rte_eth_dev_get_port_by_name(vdev, &env.port) != 0) return *err = "vdev has no port", false;
  std::string tmpl = ::testing::TempDir() + tmp_name + "_XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) return *err = "mkdtemp failed", false;
  env.dir = tmpl;
  return true;
}

// Starts env.rt with `c`, attaches the control client and creates the pool the tests inject
// from (`pool_mbufs` buffers of `buf_size` bytes). Returns "" or what failed (and then has
// removed the temporary directory of open_vdev).
inline std::string start_env(DpEnv& env, const Config& c, const char* pool_name, uint32_t pool_mbufs,
                             uint16_t buf_size = RTE_MBUF_DEFAULT_BUF_SIZE, ConfigSource src = {}) {
  std::string why;
  if (!validate_config(c, &why) || !env.rt.init(c, &why, std::move(src))) {
    why = "runtime init failed: " + why;
  } else if (auto cc = shm::ControlClient::open(c.shm_name, &why); !cc) {
    why = "control attach failed: " + why;
  } else {
    env.cc.emplace(std::move(cc.value()));
    env.pool = rte_pktmbuf_pool_create(pool_name, pool_mbufs, 0, 0, buf_size, 0);
    if (env.pool != nullptr) return "";
    why = "no test mbuf pool";
  }
  std::filesystem::remove_all(env.dir);
  return why;
}

// Undoes start_env and open_vdev (env may be null: the set-up failed or skipped).
inline void close_env(DpEnv* env, const char* vdev) {
  if (env != nullptr) {
    env->rt.shutdown();
    rte_mempool_free(env->pool);
    env->pool = nullptr;
    std::filesystem::remove_all(env->dir);
  }
  if (rte_lcore_count() != 0) rte_vdev_uninit(vdev);
}

// Drains what the worker transmitted on env.port (net_ring loops it back to RX) and calls
// fn(frame, parsed) for each IPv4 frame that parses (ARP and the like are skipped).
template <class Fn>
void for_each_tx_ipv4(DpEnv& env, Fn fn) {
  rte_mbuf* b[32];
  uint16_t n;
  while ((n = rte_eth_rx_burst(env.port, 0, b, 32)) != 0) {
    for (uint16_t i = 0; i < n; i++) {
      const uint8_t* p = rte_pktmbuf_mtod(b[i], const uint8_t*);
      ParsedPkt pp{};
      if (parse_frame(p, b[i]->data_len, &pp) == ParseStatus::Ok && pp.key.family == 4) fn(p, pp);
    }
    rte_pktmbuf_free_bulk(b, n);
  }
}

// The end of an EAL suite: close_env, then the suite's environment is deleted and forgotten.
template <class Env>
void end_suite(Env*& env, const char* vdev) {
  close_env(env, vdev);
  delete env;
  env = nullptr;
}

// Polls the command lcore until the completion of `seq` arrives (others are discarded).
inline Errc finish_seq(DpEnv& env, uint64_t seq) {
  for (int i = 0; i < 100000; i++) {
    env.rt.commands().poll(rte_rdtsc(), 64, env.rt.lcore(0).ctr);
    rtpgate_shm_cpl c;
    while (env.cc->next_completion(c))
      if (c.seq == seq) return static_cast<Errc>(c.errc);
  }
  return Errc::Timeout;
}
inline Errc finish(DpEnv& env, Result<uint64_t> seq) { return seq ? finish_seq(env, seq.value()) : seq.error(); }

inline Errc modify_flow(DpEnv& env, uint32_t id, const rtpgate_shm_flow_params& p) {
  env.cc->write_params(id, p);
  return finish(env, env.cc->submit(RTPGATE_CMD_FLOW_MODIFY, id));
}

inline void remove_flow(DpEnv& env, uint32_t id, uint16_t port) {
  EXPECT_EQ(finish(env, env.cc->submit(RTPGATE_CMD_FLOW_REMOVE, id)), Errc::Ok);
  env.cc->free_flow(id);
  env.cc->free_port(0, port);
}

// RTP: V=2, `pt`, `seq`, ts = 160 * seq, `ssrc`, a payload derived from seq.
inline Bytes make_rtp(uint16_t seq, uint32_t ssrc, uint32_t payload = 160, uint8_t pt = 0) {
  Bytes b(12 + payload);
  b[0] = 0x80;
  b[1] = pt;
  b[2] = uint8_t(seq >> 8);
  b[3] = uint8_t(seq);
  const uint32_t ts = 160u * seq;
  for (int i = 0; i < 4; i++) b[4 + i] = uint8_t(ts >> (24 - 8 * i));
  for (int i = 0; i < 4; i++) b[8 + i] = uint8_t(ssrc >> (24 - 8 * i));
  for (uint32_t i = 0; i < payload; i++) b[12 + i] = uint8_t(seq * 7 + i);
  return b;
}

// Registers the test thread as a QSBR reader (online), as a worker lcore is: grace periods
// then end only at report_quiescent().
class QsbrReader {
 public:
  explicit QsbrReader(rte_rcu_qsbr* q) : q_(q), id_(rte_lcore_id()) {
    rte_rcu_qsbr_thread_register(q_, id_);
    rte_rcu_qsbr_thread_online(q_, id_);
  }
  ~QsbrReader() {
    rte_rcu_qsbr_thread_offline(q_, id_);
    rte_rcu_qsbr_thread_unregister(q_, id_);
  }
  QsbrReader(const QsbrReader&) = delete;
  QsbrReader& operator=(const QsbrReader&) = delete;
  void report_quiescent() { rte_rcu_qsbr_quiescent(q_, id_); }

 private:
  rte_rcu_qsbr* q_;
  unsigned id_;
};

// Peer (or `src`, IPv4) -> `port`: UDP payloads through process_burst (bursts of up to 32),
// then TX and the recording copies are flushed (flush_all), as the worker loop does after a
// short burst.
inline void inject(DpEnv& env, uint16_t port, const std::vector<Bytes>& payloads, const uint8_t* src = nullptr) {
  std::vector<rte_mbuf*> ms;
  for (const Bytes& pl : payloads) {
    FrameSpec s;
    std::memcpy(s.src, src != nullptr ? src : env.peer, 4);
    std::memcpy(s.dst, env.local, 4);
    s.sport = 30000;
    s.dport = port;
    s.payload = pl;
    Bytes f = build_frame(s);
    // A valid IPv4 header checksum, as a real sender's: the data plane adjusts it (RFC 1624).
    const uint16_t ipc = ipv4_header_csum(&f[14], 20);
    f[24] = uint8_t(ipc >> 8);
    f[25] = uint8_t(ipc);
    rte_mbuf* m = rte_pktmbuf_alloc(env.pool);
    ASSERT_NE(m, nullptr);
    std::memcpy(rte_pktmbuf_append(m, static_cast<uint16_t>(f.size())), f.data(), f.size());
    m->port = env.port;  // as the PMD sets it on RX (the kernel path indexes tap_port by it)
    ms.push_back(m);
  }
  for (size_t i = 0; i < ms.size(); i += 32) {
    const auto n = static_cast<uint16_t>(std::min<size_t>(32, ms.size() - i));
    process_burst(env.rt.dp(), env.rt.lcore(0), ms.data() + i, n, rte_rdtsc());
  }
  flush_all(env.rt.lcore(0), env.rt.dp());
}

// Control -> peer on flow `flow_id`: slots on control's ring 0, drained by the worker.
inline void send_from_control(DpEnv& env, uint32_t flow_id, const std::vector<Bytes>& payloads, bool rtcp) {
  DpContext& dp = env.rt.dp();
  LcoreCtx& lc = env.rt.lcore(0);
  auto ring = dp.region.pkt_ring_to_dp(0);
  for (const Bytes& pl : payloads) {
    rtpgate_shm_pkt_slot* s = ring.reserve();
    ASSERT_NE(s, nullptr);
    std::memset(s, 0, 64);
    s->flow_id = flow_id;
    s->len = static_cast<uint16_t>(pl.size());
    s->is_rtcp = rtcp;
    std::memcpy(s->data, pl.data(), pl.size());
    ring.publish();
    if (ring.depth() >= 32) drain_ctl_rings(dp, lc, 64, rte_rdtsc());
  }
  while (drain_ctl_rings(dp, lc, 64, rte_rdtsc()) != 0) {
  }
  flush_all(lc, dp);
}

}  // namespace rtpgate::dp::test
