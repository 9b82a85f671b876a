// rtpgate-perf's DPDK engine: one ethdev port (net_memif towards the device under test),
// one queue pair per worker of the device under test (flow i always on queue i mod N, as RSS
// would keep a flow on one queue), a TX mempool whose buffers are pre-filled with the payload pattern (so a
// packet costs its headers, its stamp and incremental checksums), an RX mempool, and the
// per-packet send and receive work. Created on the main lcore, which then runs the trials.
#pragma once
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "../loop_flows.h"
#include "flow_sink.h"
#include "frame_class.h"
#include "profile.h"
#include "send_log.h"
#include "srtp_pool.h"
#include "trial_loop.h"

namespace rtpgate::perf {

struct DpdkIoConfig {
  uint16_t port_id = 0;
  uint32_t mbufs = 8191;         // per pool (TX and RX)
  uint16_t rx_desc = 1024, tx_desc = 1024;
  uint8_t dut_mac[6] = {0x02, 0x70, 0x67, 0, 0, 0x01};
  rtpgate_shm_addr gen_ip{};     // source address of everything we send
  const FlowCycle* flows = nullptr;  // destination (address, port) of flow i
  bool verify = false;           // check IPv4/UDP checksums of every received frame
  uint16_t queues = 1;           // queue pairs (the device under test's workers), at most kMaxQueues
  // SRTP runs (srtp_pool.h): In sends `pool`'s packets; Out sends plain and checks flow 0's
  // output with `verifier`; both note every send in `log` and rebuild the stamps from it.
  SrtpMode srtp = SrtpMode::None;
  const SrtpPool* pool = nullptr;
  SrtpVerifier* verifier = nullptr;
  SendLog* log = nullptr;
};

class DpdkIo final : public TrialProbe {
 public:
  static std::unique_ptr<DpdkIo> create(const DpdkIoConfig& c, std::string* why);
  ~DpdkIo() override;
  DpdkIo(const DpdkIo&) = delete;
  DpdkIo& operator=(const DpdkIo&) = delete;

  // Waits for the link (memif: connected to the peer). False after timeout_s.
  bool wait_link(double timeout_s) const;
  // The flows and profiles the next trials send; rebuilds the frame classes.
  void use(FlowSchedule* sched);

  // TrialProbe: frames that failed the checksum check (--verify) during a trial.
  void before() override { bad_frames_ = srtp_bad_ = unmatched_ = srtp_verified_ = 0; }
  void after(TrialResult* r) override;

  uint64_t hz() const noexcept { return hz_; }
  uint64_t now() const noexcept { return rte_rdtsc(); }

  void rx(FlowSink& sink, uint64_t now) noexcept {
    for (uint16_t q = 0; q < c_.queues; q++) {
      rte_mbuf* pkts[kRxBurst];
      const uint16_t n = rte_eth_rx_burst(c_.port_id, q, pkts, kRxBurst);
      for (uint16_t i = 0; i < n; i++) {
        if (i + 2 < n) rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 2], void*));
        receive_one(sink, pkts[i], now);
      }
      if (n != 0) rte_pktmbuf_free_bulk(pkts, n);
    }
  }

  TxDone tx(uint32_t n, uint64_t now, uint32_t epoch, bool keep_unsent) noexcept {
    if (c_.queues > 1) return tx_mq(n, now, epoch, keep_unsent);
    if (n_unsent_ != 0) {  // unpaced: what the port refused last time goes first
      const uint16_t sent = rte_eth_tx_burst(c_.port_id, 0, unsent_ + unsent_off_, n_unsent_);
      unsent_off_ += sent;
      n_unsent_ -= sent;
      if (n_unsent_ != 0) return TxDone{0, 0, 0, true};
      unsent_off_ = 0;
    }
    rte_mbuf** pkts = unsent_;
    if (n > kTxBurstMax) n = kTxBurstMax;
    if (rte_pktmbuf_alloc_bulk(tx_pool_, pkts, n) != 0) [[unlikely]] return TxDone{0, 0, n, false};
    for (uint32_t i = 0; i < n; i++) fill(pkts[i], now, epoch);
    const uint16_t sent = rte_eth_tx_burst(c_.port_id, 0, pkts, static_cast<uint16_t>(n));
    if (sent == n) return TxDone{n, 0, 0, false};
    if (keep_unsent) {
      unsent_off_ = sent;
      n_unsent_ = static_cast<uint16_t>(n - sent);
      return TxDone{n, 0, 0, true};
    }
    rte_pktmbuf_free_bulk(pkts + sent, n - sent);
    return TxDone{n, n - sent, 0, true};
  }
  // Frees what an unpaced trial still holds; returns how many.
  uint32_t discard_unsent() noexcept {
    const uint32_t n = n_unsent_;
    if (n != 0) rte_pktmbuf_free_bulk(unsent_ + unsent_off_, n);
    n_unsent_ = 0;
    unsent_off_ = 0;
    return n;
  }

  static constexpr uint16_t kRxBurst = 64;
  static constexpr uint32_t kTxBurstMax = 64;
  static constexpr uint16_t kMaxQueues = 8;

 private:
  explicit DpdkIo(const DpdkIoConfig& c) : c_(c) {}
  bool setup(std::string* why);
  void receive_one(FlowSink& sink, rte_mbuf* m, uint64_t now) noexcept;
  void receive_srtp(FlowSink& sink, const uint8_t* p, uint32_t len, uint32_t l4, uint64_t now) noexcept;
  void fill(rte_mbuf* m, uint64_t now, uint32_t epoch) noexcept;
  TxDone tx_mq(uint32_t n, uint64_t now, uint32_t epoch, bool keep_unsent) noexcept;
  // Sends pkts[0..n) on their queues (mbuf hash.usr); the refused ones end up at the front of
  // pkts, in order; returns how many.
  uint32_t send_by_queue(rte_mbuf** pkts, uint32_t n) noexcept;

  DpdkIoConfig c_;
  uint64_t hz_ = 0;
  rte_mempool* tx_pool_ = nullptr;
  rte_mempool* rx_pool_ = nullptr;
  bool started_ = false;
  FlowSchedule* sched_ = nullptr;
  std::vector<FrameClass> classes_;
  uint64_t bad_frames_ = 0;
  uint64_t srtp_bad_ = 0;      // SRTP runs: output that failed decryption/authentication
  uint64_t srtp_verified_ = 0; // SRTP Out: packets libsrtp2 authenticated and decrypted
  uint64_t unmatched_ = 0;     // SRTP runs: output whose flow/sequence the send log did not hold
  uint64_t pool_wrapped_ = 0;  // SRTP In: packets sent past the end of the pool (replays)
  rte_mbuf* unsent_[kTxBurstMax]{};  // also the build area of tx()
  uint16_t unsent_off_ = 0, n_unsent_ = 0;
};

}  // namespace rtpgate::perf
