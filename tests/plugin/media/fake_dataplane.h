// A stand-in for rtpgate-dataplane in unit tests: creates the region, keeps the heartbeat
// fresh and answers flow commands from a thread; packets are injected into / read from
// the packet rings directly. No DPDK.
#pragma once
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "rtpgate/shm/region_map.h"

namespace rtpgate::ctl::media::testing {

struct FakeDpConfig {
  uint32_t flows = 16;
  uint16_t port_min = 30000;
  uint16_t port_max = 30011;
  uint32_t to_ctl_rings = 2;
  uint32_t to_dp_rings = 2;
  uint32_t ring_capacity = 64;
  bool ipv6_second_addr = true;
};

class FakeDataPlane {
 public:
  explicit FakeDataPlane(std::string name, FakeDpConfig c = {}) : name_(std::move(name)), cfg_(c) {}
  ~FakeDataPlane() { stop(); }

  bool start() {
    shm::RegionConfig rc;
    rc.name = name_;
    rc.flow_capacity = cfg_.flows;
    rtpgate_shm_addr a{};
    a.family = 4;
    a.addr[0] = 10, a.addr[1] = 9, a.addr[2] = 0, a.addr[3] = 1;
    rc.addrs.push_back(a);
    a.addr[3] = 2;
    rc.addrs.push_back(a);
    if (cfg_.ipv6_second_addr) {
      rtpgate_shm_addr b{};
      b.family = 6;
      b.addr[0] = 0xfd, b.addr[15] = 1;
      rc.addrs.push_back(b);
    }
    rc.port_min = cfg_.port_min;
    rc.port_max = cfg_.port_max;
    rc.n_lcore_stats = 1;
    rc.cmd_ring_capacity = 64;
    rc.cpl_ring_capacity = 64;
    rc.evt_ring_capacity = 16;
    rc.n_pkt_rings_to_ctl = cfg_.to_ctl_rings;
    rc.n_pkt_rings_to_dp = cfg_.to_dp_rings;
    rc.pkt_ring_capacity = cfg_.ring_capacity;
    rc.heartbeat_interval_ms = 100;
    std::string why;
    auto r = shm::Region::create(rc, &why);
    if (!r) return false;
    region_ = std::move(r.value());
    __atomic_store_n(&region_.hdr()->dp_state, RTPGATE_DP_RUNNING, __ATOMIC_RELEASE);
    stop_ = false;
    thread_ = std::thread([this] { run(); });
    return true;
  }

  // Clean shutdown like the real data plane: state STOPPED and the name unlinked.
  void stop() {
    if (!thread_.joinable()) return;
    stop_ = true;
    thread_.join();
    __atomic_store_n(&region_.hdr()->dp_state, RTPGATE_DP_STOPPED, __ATOMIC_RELEASE);
    region_.unlink();
  }

  shm::Region& region() { return region_; }
  void set_answering(bool on) { answering_ = on; }
  void set_install_error(Errc e) { install_error_ = e; }
  std::set<uint32_t> installed() {
    std::lock_guard<std::mutex> g(mu_);
    return installed_;
  }
  uint32_t commands_seen() const { return commands_; }

  // Data plane -> control: a packet the worker of ring `r` matched to `flow_id`.
  bool inject(uint32_t r, uint32_t flow_id, bool rtcp, const uint8_t* data, uint16_t len) {
    auto ring = region_.pkt_ring_to_ctl(r);
    rtpgate_shm_pkt_slot* s = ring.reserve();
    if (s == nullptr) return false;
    s->flow_id = flow_id;
    s->len = len;
    s->is_rtcp = rtcp;
    std::memcpy(s->data, data, len);
    ring.publish();
    return true;
  }
  // Control -> data plane: next packet of ring `r`.
  bool take(uint32_t r, rtpgate_shm_pkt_slot* out) { return region_.pkt_ring_to_dp(r).pop(*out); }

 private:
  void run() {
    auto cmd = region_.cmd_ring();
    auto cpl = region_.cpl_ring();
    while (!stop_) {
      __atomic_store_n(&region_.hdr()->heartbeat_ns, shm::monotonic_ns(), __ATOMIC_RELEASE);
      rtpgate_shm_cmd c;
      if (!answering_ || !cmd.pop(c)) {
        usleep(100);
        continue;
      }
      commands_++;
      rtpgate_shm_cpl r{};
      r.seq = c.seq;
      r.op = c.op;
      r.flow_id = c.flow_id;
      r.flow_version = c.flow_version;
      r.generation = region_.hdr()->generation;
      Errc e = Errc::Ok;
      {
        std::lock_guard<std::mutex> g(mu_);
        const auto& p = region_.flow(c.flow_id).params;
        if (c.op == RTPGATE_CMD_FLOW_INSTALL) {
          if (installed_.count(c.flow_id)) e = Errc::FlowExists;
          else if (p.version != c.flow_version) e = Errc::StaleVersion;
          else if (install_error_ != Errc::Ok) e = install_error_;
          else installed_.insert(c.flow_id);
        } else if (c.op == RTPGATE_CMD_FLOW_MODIFY) {
          if (!installed_.count(c.flow_id)) e = Errc::NoSuchFlow;
        } else if (c.op == RTPGATE_CMD_FLOW_REMOVE) {
          if (installed_.erase(c.flow_id) == 0) e = Errc::NoSuchFlow;
        }
      }
      r.errc = static_cast<uint16_t>(e);
      cpl.push(r);
    }
  }

  std::string name_;
  FakeDpConfig cfg_;
  shm::Region region_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> answering_{true};
  std::atomic<Errc> install_error_{Errc::Ok};
  std::atomic<uint32_t> commands_{0};
  std::mutex mu_;
  std::set<uint32_t> installed_;
};

}  // namespace rtpgate::ctl::media::testing
