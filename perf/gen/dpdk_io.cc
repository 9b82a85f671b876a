// rtpgate-perf's DPDK engine: port and pools (main lcore, start-up), frame classes, and
// the per-packet fill and receive work (the main lcore during trials).
#include "dpdk_io.h"

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_prefetch.h>
#include <unistd.h>

#include <cstring>

namespace rtpgate::perf {
namespace {

void prefill(rte_mempool*, void*, void* obj, unsigned) {
  auto* m = static_cast<rte_mbuf*>(obj);
  prefill_pattern(static_cast<uint8_t*>(m->buf_addr) + RTE_PKTMBUF_HEADROOM, m->buf_len - RTE_PKTMBUF_HEADROOM);
}

}  // namespace

std::unique_ptr<DpdkIo> DpdkIo::create(const DpdkIoConfig& c, std::string* why) {
  std::unique_ptr<DpdkIo> io(new DpdkIo(c));
  if (!io->setup(why)) return nullptr;
  return io;
}

bool DpdkIo::setup(std::string* why) {
  hz_ = rte_get_tsc_hz();
  const uint16_t port = c_.port_id;
  if (!rte_eth_dev_is_valid_port(port))
    return *why = "port " + std::to_string(port) + " does not exist (check --vdev)", false;
  const int sock = rte_eth_dev_socket_id(port) < 0 ? 0 : rte_eth_dev_socket_id(port);
  tx_pool_ = rte_pktmbuf_pool_create("perfgen_tx", c_.mbufs, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, sock);
  rx_pool_ = rte_pktmbuf_pool_create("perfgen_rx", c_.mbufs, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, sock);
  if (tx_pool_ == nullptr || rx_pool_ == nullptr)
    return *why = std::string("cannot create mempools: ") + rte_strerror(rte_errno) + " (give EAL more -m)", false;
  rte_mempool_obj_iter(tx_pool_, prefill, nullptr);
  rte_eth_conf conf{};
  if (c_.queues == 0 || c_.queues > kMaxQueues) return *why = "queues must be 1.." + std::to_string(kMaxQueues), false;
  if (c_.srtp != SrtpMode::None && (c_.log == nullptr || (c_.srtp == SrtpMode::In ? c_.pool == nullptr : c_.verifier == nullptr)))
    return *why = "SRTP run without its pool/verifier/send log", false;
  if (int rc = rte_eth_dev_configure(port, c_.queues, c_.queues, &conf); rc != 0)
    return *why = std::string("port configure: ") + rte_strerror(-rc), false;
  uint16_t rxd = c_.rx_desc, txd = c_.tx_desc;
  rte_eth_dev_adjust_nb_rx_tx_desc(port, &rxd, &txd);
  for (uint16_t q = 0; q < c_.queues; q++)
    if (rte_eth_rx_queue_setup(port, q, rxd, static_cast<unsigned>(sock), nullptr, rx_pool_) != 0 ||
        rte_eth_tx_queue_setup(port, q, txd, static_cast<unsigned>(sock), nullptr) != 0)
      return *why = "queue set-up failed", false;
  if (int rc = rte_eth_dev_start(port); rc != 0) return *why = std::string("port start: ") + rte_strerror(-rc), false;
  started_ = true;
  return true;
}

DpdkIo::~DpdkIo() {
  discard_unsent();
  if (started_) {
    rte_eth_dev_stop(c_.port_id);
    rte_eth_dev_close(c_.port_id);
  }
  rte_mempool_free(tx_pool_);
  rte_mempool_free(rx_pool_);
}

bool DpdkIo::wait_link(double timeout_s) const {
  const uint64_t start = rte_get_tsc_cycles();
  const uint64_t end = start + static_cast<uint64_t>(timeout_s * double(hz_));
  uint64_t restart = start + 2 * hz_;
  do {
    rte_eth_link link{};
    if (rte_eth_link_get_nowait(c_.port_id, &link) == 0 && link.link_status == RTE_ETH_LINK_UP) return true;
    if (rte_get_tsc_cycles() > restart) {
      // A memif client connects once, when the port starts: if the server was not
      // listening yet, start again.
      rte_eth_dev_stop(c_.port_id);
      rte_eth_dev_start(c_.port_id);
      restart = rte_get_tsc_cycles() + 2 * hz_;
    }
    usleep(10000);
  } while (rte_get_tsc_cycles() < end);
  return false;
}

void DpdkIo::use(FlowSchedule* sched) {
  sched_ = sched;
  classes_.clear();
  rte_ether_addr own{};
  rte_eth_macaddr_get(c_.port_id, &own);
  for (const FlowSchedule::Class& k : sched->classes()) {
    Profile p = *k.profile;
    if (c_.srtp == SrtpMode::In) p.rtp_bytes = c_.pool->len();  // what the pool holds
    classes_.push_back(make_frame_class(p, c_.dut_mac, own.addr_bytes, c_.gen_ip.addr));
  }
}

void DpdkIo::fill(rte_mbuf* m, uint64_t now, uint32_t epoch) noexcept {
  const FlowSchedule::Next nx = sched_->next();
  const FrameClass& fc = classes_[nx.cls];
  const FlowCycle& fl = *c_.flows;
  uint8_t* p = rte_pktmbuf_mtod(m, uint8_t*);
  const rtpgate_shm_addr dst_addr = FlowCycle::addr(fl.addr_index(nx.flow));
  const uint8_t* dst = dst_addr.addr;
  if (c_.srtp == SrtpMode::In) {
    c_.log->record(nx.flow, nx.seq, epoch, now);
    pool_wrapped_ += nx.seq >= c_.pool->size();
    fill_srtp_frame(p, fc, dst, fl.port(nx.flow), c_.pool->packet(nx.seq % c_.pool->size()), c_.pool->len());
  } else {
    if (c_.srtp == SrtpMode::Out) c_.log->record(nx.flow, nx.seq, epoch, now);
    fill_frame(p, fc, dst, fl.port(nx.flow), flow_ssrc(nx.flow), Stamp{kStampMagic, nx.flow, nx.seq, epoch, now});
  }
  m->hash.usr = nx.flow % c_.queues;
  m->data_len = fc.frame_len;
  m->pkt_len = fc.frame_len;
}

void DpdkIo::receive_one(FlowSink& sink, rte_mbuf* m, uint64_t now) noexcept {
  const uint8_t* p = rte_pktmbuf_mtod(m, const uint8_t*);
  const uint32_t len = rte_pktmbuf_data_len(m);
  if (len < kFrameBodyOff || p[12] != 0x08 || p[13] != 0x00 || p[kEthLen + 9] != 17) [[unlikely]] {
    sink.count_foreign();
    return;
  }
  const uint32_t l4 = kEthLen + 4u * (p[kEthLen] & 0x0fu);
  if (c_.srtp != SrtpMode::None) return receive_srtp(sink, p, len, l4, now);
  Stamp s;
  if (l4 + kUdpLen >= len || !read_rtp_stamp(p + l4 + kUdpLen, len - l4 - kUdpLen, &s)) [[unlikely]] {
    sink.count_foreign();
    return;
  }
  if (c_.verify && check_rtp_frame(p, len) != FrameVerdict::Ok) bad_frames_++;
  sink.on_packet(s, now, len);
}

void DpdkIo::receive_srtp(FlowSink& sink, const uint8_t* p, uint32_t len, uint32_t l4, uint64_t now) noexcept {
  const uint8_t* rtp = p + l4 + kUdpLen;
  const uint32_t rtp_len = len > l4 + kUdpLen ? len - l4 - kUdpLen : 0;
  const uint8_t* src = p + kEthLen + 12;
  if (rtp_len < kRtpHeaderBytes || (rtp[0] >> 6) != 2 || src[0] != 10 || src[1] != 99) [[unlikely]] {
    sink.count_foreign();
    return;
  }
  // The flow that sent it: its media address (the source) and port (the destination).
  const FlowCycle& fl = *c_.flows;
  const uint32_t a = (uint32_t{src[2]} << 8 | src[3]) - 1u;
  const uint32_t flow = a * fl.ports_per_addr() + uint32_t(dp::rd16be(p + l4 + 2) - fl.port_min);
  Stamp s;
  if (!c_.log->lookup(flow, dp::rd16be(rtp + 2), &s)) [[unlikely]] {
    unmatched_++;
    sink.count_foreign();
    return;
  }
  bool ok;
  if (c_.srtp == SrtpMode::In) {  // decrypted by the data plane: the pool's stamp must be readable
    Stamp d;
    ok = read_rtp_stamp(rtp, rtp_len, &d) && (d.seq & 0xffffu) == (s.seq & 0xffffu);
  } else {  // protected by the data plane: flow 0's packets are authenticated and decrypted
    ok = flow != 0 || c_.verifier->check(rtp, rtp_len);
    srtp_verified_ += flow == 0;
  }
  if (!ok) [[unlikely]] {
    srtp_bad_++;
    sink.count_foreign();
    return;
  }
  if (c_.verify && check_rtp_frame(p, len) != FrameVerdict::Ok) bad_frames_++;
  sink.on_packet(s, now, len);
}

uint32_t DpdkIo::send_by_queue(rte_mbuf** pkts, uint32_t n) noexcept {
  rte_mbuf* byq[kMaxQueues][kTxBurstMax];
  uint32_t cnt[kMaxQueues]{};
  for (uint32_t i = 0; i < n; i++) {
    const uint32_t q = pkts[i]->hash.usr;
    byq[q][cnt[q]++] = pkts[i];
  }
  uint32_t left = 0;
  for (uint16_t q = 0; q < c_.queues; q++) {
    if (cnt[q] == 0) continue;
    const uint16_t sent = rte_eth_tx_burst(c_.port_id, q, byq[q], static_cast<uint16_t>(cnt[q]));
    for (uint32_t j = sent; j < cnt[q]; j++) pkts[left++] = byq[q][j];
  }
  return left;
}

TxDone DpdkIo::tx_mq(uint32_t n, uint64_t now, uint32_t epoch, bool keep_unsent) noexcept {
  if (n_unsent_ != 0) {  // unpaced: what the ports refused last time goes first
    n_unsent_ = static_cast<uint16_t>(send_by_queue(unsent_, n_unsent_));
    if (n_unsent_ != 0) return TxDone{0, 0, 0, true};
  }
  if (n > kTxBurstMax) n = kTxBurstMax;
  if (rte_pktmbuf_alloc_bulk(tx_pool_, unsent_, n) != 0) [[unlikely]] return TxDone{0, 0, n, false};
  for (uint32_t i = 0; i < n; i++) fill(unsent_[i], now, epoch);
  const uint32_t left = send_by_queue(unsent_, n);
  if (left == 0) return TxDone{n, 0, 0, false};
  if (keep_unsent) {
    n_unsent_ = static_cast<uint16_t>(left);
    return TxDone{n, 0, 0, true};
  }
  rte_pktmbuf_free_bulk(unsent_, left);
  return TxDone{n, left, 0, true};
}

void DpdkIo::after(TrialResult* r) {
  if (c_.verify) r->extra.emplace_back("bad_frames", double(bad_frames_));
  if (c_.srtp != SrtpMode::None) {
    r->extra.emplace_back("srtp_bad", double(srtp_bad_));
    r->extra.emplace_back("srtp_unmatched", double(unmatched_));
    if (c_.srtp == SrtpMode::In) r->extra.emplace_back("srtp_pool_wrapped", double(pool_wrapped_));
    if (c_.srtp == SrtpMode::Out) r->extra.emplace_back("srtp_verified_libsrtp2", double(srtp_verified_));
  }
}

}  // namespace rtpgate::perf
