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
  if (int rc = rte_eth_dev_configure(port, 1, 1, &conf); rc != 0)
    return *why = std::string("port configure: ") + rte_strerror(-rc), false;
  uint16_t rxd = c_.rx_desc, txd = c_.tx_desc;
  rte_eth_dev_adjust_nb_rx_tx_desc(port, &rxd, &txd);
  if (rte_eth_rx_queue_setup(port, 0, rxd, static_cast<unsigned>(sock), nullptr, rx_pool_) != 0 ||
      rte_eth_tx_queue_setup(port, 0, txd, static_cast<unsigned>(sock), nullptr) != 0)
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
  for (const FlowSchedule::Class& k : sched->classes())
    classes_.push_back(make_frame_class(*k.profile, c_.dut_mac, own.addr_bytes, c_.gen_ip.addr));
}

void DpdkIo::fill(rte_mbuf* m, uint64_t now, uint32_t epoch) noexcept {
  const FlowSchedule::Next nx = sched_->next();
  const FrameClass& fc = classes_[nx.cls];
  const FlowCycle& fl = *c_.flows;
  fill_frame(rte_pktmbuf_mtod(m, uint8_t*), fc, FlowCycle::addr(fl.addr_index(nx.flow)).addr, fl.port(nx.flow),
             flow_ssrc(nx.flow), Stamp{kStampMagic, nx.flow, nx.seq, epoch, now});
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
  Stamp s;
  if (l4 + kUdpLen >= len || !read_rtp_stamp(p + l4 + kUdpLen, len - l4 - kUdpLen, &s)) [[unlikely]] {
    sink.count_foreign();
    return;
  }
  if (c_.verify && check_rtp_frame(p, len) != FrameVerdict::Ok) bad_frames_++;
  sink.on_packet(s, now, len);
}

void DpdkIo::after(TrialResult* r) {
  if (c_.verify) r->extra.emplace_back("bad_frames", double(bad_frames_));
}

}  // namespace rtpgate::perf
