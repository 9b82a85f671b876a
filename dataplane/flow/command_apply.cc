// Command ring consumer (command lcore): validate, build actions, publish, complete.
#include "flow/command_apply.h"

#include <rte_cycles.h>

#include <string.h>

#include <cstring>

#include "flow/command_check.h"
#include "flow/forwarders.h"

namespace rtpgate::dp {

Errc build_action(DpContext& dp, uint32_t flow_id, const rtpgate_shm_flow_params& p, uint64_t now_tsc,
                  FlowAction* out, FlowKey* key) noexcept {
  const auto& h = *dp.region.hdr();
  if (const Errc ce = check_flow_params(h, flow_id, p); ce != Errc::Ok) return ce;
  // SRTP: an index inside the table; when the context is already set it must be of the
  // right kind (one that is not set yet, or deleted later, drops as drop_srtp_no_ctx).
  const auto srtp_ok = [&](uint32_t idx, srtp::SrtpDirection d) {
    if (!srtp::SrtpTable::is_index(idx)) return true;
    if (idx >= dp.srtp.capacity()) return false;
    return dp.srtp.get(idx) == nullptr || dp.srtp.is_direction(idx, d);
  };
  if (!srtp_ok(p.srtp_slot, srtp::SrtpDirection::kUnprotect) || !srtp_ok(p.srtp_out_slot, srtp::SrtpDirection::kProtect))
    return Errc::BadParam;

  FlowAction a{};
  a.flow_id = flow_id;
  a.version = p.version;
  a.kind = p.kind;
  a.direction = p.direction;
  a.action = p.action;
  a.dscp = p.dscp;
  a.flags = p.flags;
  a.family = p.local.family;
  a.alen = p.local.family == 4 ? 4 : 16;
  a.expect_src_port_be = __builtin_bswap16(p.expect_src_port);
  a.expect_ssrc = p.expect_ssrc;
  a.out_ssrc = p.out_ssrc;
  a.ts_step = p.ts_step;
  a.rtcp_flow_id = p.rtcp_flow_id;
  a.reverse_flow_id = p.reverse_flow_id;
  a.ctl_ring = p.ctl_ring;
  a.nbr_idx = NeighbourTable::kNone;
  std::memcpy(a.expect_src, p.expect_src.addr, 16);
  a.latch_until_tsc = now_tsc + uint64_t{p.latch_window_ms} * dp.tsc_hz / 1000;
  a.idle_timeout_tsc = uint64_t{p.idle_timeout_ms} * dp.tsc_hz / 1000;
  a.srtp_in = srtp::SrtpTable::is_index(p.srtp_slot) ? p.srtp_slot : 0;
  a.srtp_out = srtp::SrtpTable::is_index(p.srtp_out_slot) ? p.srtp_out_slot : 0;
  if (a.srtp_in != 0 || a.srtp_out != 0) dp.srtp.mark_used();
  if (const Errc fe = fwd_build(flow_id, h.flow_capacity, p, &a); fe != Errc::Ok) return fe;
  if (const Errc re = rec_build(dp, p, &a); re != Errc::Ok) return re;

  int src_idx = -1;
  if (const Errc oe = check_flow_output(h, p, &src_idx); oe != Errc::Ok) return oe;
  if (src_idx >= 0) {
    const MediaAddrInfo& info = dp.addr_info[src_idx];
    const rtpgate_shm_addr& hop =
        in_prefix(h.addrs[src_idx], info.prefix_len, p.out_dst) || info.gateway.family == 0 ? p.out_dst
                                                                                             : info.gateway;
    a.nbr_idx = dp.nbrs.find_or_add(hop, info.port_id);
    if (a.nbr_idx == NeighbourTable::kNone) return Errc::NoNeighbour;
    if (shm::find_media_addr(h, hop) >= 0 && !dp.nbrs.at(a.nbr_idx).is_static) {
      // Our own address (a call between two legs of this data plane): turned around, unless
      // a static neighbour in the config sends it on the wire (closed-loop benchmarks).
      dp.nbrs.set_local(a.nbr_idx, dp.port_mac[info.port_id]);
      dp.hairpin.store(true, std::memory_order_release);
    }
    a.out_port_id = info.port_id;
    a.out_src_port_be = __builtin_bswap16(p.out_src_port);
    std::memcpy(a.out_src, p.out_src.addr, 16);
  }
  *key = make_key(p.local, p.local_port);
  *out = a;
  return Errc::Ok;
}

CommandApplier::CommandApplier(DpContext& dp)
    : dp_(dp), cmd_(dp.region.cmd_ring()), cpl_(dp.region.cpl_ring()), evt_(dp.region.evt_ring()) {}

bool CommandApplier::complete(const rtpgate_shm_cpl& c) noexcept { return cpl_.push(c); }

void CommandApplier::defer(uint32_t old_action, const rtpgate_shm_cpl* cpl) noexcept {
  Deferred& d = deferred_[(deferred_head_ + n_deferred_) % kMaxDeferred];
  d.token = dp_.table.grace_start();
  d.old_action = old_action;
  d.srtp_idx = 0;
  d.rec_slot = 0;
  d.rec_gen = 0;
  d.has_cpl = cpl != nullptr;
  if (cpl != nullptr) d.cpl = *cpl;
  n_deferred_++;
}

uint32_t CommandApplier::reclaim() noexcept {
  uint32_t n = 0;
  while (n_deferred_ > 0) {
    Deferred& d = deferred_[deferred_head_];
    if (!dp_.table.reclaimable(d.token)) break;
    if (d.rec_slot != 0 && !push_rec_close(d.rec_slot, d.rec_gen)) break;  // recorder busy: retry
    d.rec_slot = 0;
    if (d.has_cpl && !complete(d.cpl)) break;  // retry when control drained the ring
    if (d.old_action != kNoFlow) dp_.table.retire_action(d.old_action);
    if (d.srtp_idx != 0) dp_.srtp.wipe(d.srtp_idx);
    deferred_head_ = (deferred_head_ + 1) % kMaxDeferred;
    n_deferred_--;
    n++;
  }
  return n;
}

void CommandApplier::apply(const rtpgate_shm_cmd& c, uint64_t now_tsc, uint64_t* ctr) noexcept {
  rtpgate_shm_cpl cpl{};
  cpl.seq = c.seq;
  cpl.op = c.op;
  cpl.flow_id = c.flow_id;
  cpl.flow_version = c.flow_version;
  cpl.generation = dp_.region.hdr()->generation;
  Errc e = Errc::Ok;
  const uint32_t cap = dp_.table.capacity();
  if (c.op == RTPGATE_CMD_SRTP_SET || c.op == RTPGATE_CMD_SRTP_DEL) {
    if (apply_srtp(c, &cpl, ctr)) return;
    e = static_cast<Errc>(cpl.errc);
  } else if (c.op == RTPGATE_CMD_REC_START || c.op == RTPGATE_CMD_REC_STOP) {
    if (apply_rec(c, &cpl, ctr)) return;
    e = static_cast<Errc>(cpl.errc);
  } else if (c.op == RTPGATE_CMD_PLI) {
    e = apply_pli(c);
  } else if (c.op == RTPGATE_CMD_GUARD_RELOAD || c.op == RTPGATE_CMD_CONFIG_RELOAD) {
    if (apply_reload(&cpl, ctr)) return;
    e = static_cast<Errc>(cpl.errc);
  } else if (c.flow_id >= cap && c.op != RTPGATE_CMD_NOP) {
    e = Errc::BadParam;
  } else if (c.op == RTPGATE_CMD_FLOW_INSTALL || c.op == RTPGATE_CMD_FLOW_MODIFY) {
    const auto& slot = dp_.region.flow(c.flow_id).params;
    rtpgate_shm_flow_params p;
    std::memcpy(&p, &slot, sizeof(p));
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    FlowAction a;
    FlowKey key;
    if (p.version != c.flow_version || __atomic_load_n(&slot.version, __ATOMIC_ACQUIRE) != c.flow_version) {
      e = Errc::StaleVersion;
    } else if ((e = build_action(dp_, c.flow_id, p, now_tsc, &a, &key)) == Errc::Ok) {
      if (c.op == RTPGATE_CMD_FLOW_INSTALL) {
        e = dp_.table.install(c.flow_id, key, a, now_tsc);
        if (e == Errc::Ok) {
          FlowDyn& d = dp_.table.dyn(c.flow_id);
          d.rw.out_ssrc = p.out_ssrc;
          write_dst(d, p.out_dst.addr, __builtin_bswap16(p.out_dst_port));
          std::memcpy(d.cur_src, p.expect_src.addr, 16);
          d.cur_src_port_be = __builtin_bswap16(p.expect_src_port);
        }
      } else {
        uint32_t old = kNoFlow;
        e = dp_.table.modify(c.flow_id, key, a, &old);
        if (e == Errc::Ok) {
          FlowDyn& d = dp_.table.dyn(c.flow_id);
          write_dst(d, p.out_dst.addr, __builtin_bswap16(p.out_dst_port));
          defer(old, nullptr);
        }
      }
    }
  } else if (c.op == RTPGATE_CMD_FLOW_REMOVE) {
    uint32_t old = kNoFlow;
    e = dp_.table.remove(c.flow_id, &old);
    if (e == Errc::Ok) {
      ctr[RTPGATE_CTR_cmds_applied]++;
      defer(old, &cpl);  // completes once no worker can still hold the flow
      return;
    }
  } else if (c.op == RTPGATE_CMD_FLOW_RESET_STATS) {
    if (dp_.table.action_of(c.flow_id) == kNoFlow) e = Errc::NoSuchFlow;
    else std::memset(&dp_.table.dyn(c.flow_id).c, 0, sizeof(FlowCounters));
  } else if (c.op != RTPGATE_CMD_NOP) {
    e = Errc::Unsupported;
  }
  cpl.errc = static_cast<uint16_t>(e);
  ctr[e == Errc::Ok ? RTPGATE_CTR_cmds_applied : RTPGATE_CTR_cmds_failed]++;
  complete(cpl);  // room was checked before the command was taken
}

bool CommandApplier::apply_srtp(const rtpgate_shm_cmd& c, rtpgate_shm_cpl* cpl, uint64_t* ctr) noexcept {
  Errc e = Errc::Ok;
  const auto& h = *dp_.region.hdr();
  if (c.flow_id == 0 || c.flow_id >= h.srtp_capacity || c.flow_id >= dp_.srtp.capacity()) {
    e = Errc::BadParam;
  } else if (c.op == RTPGATE_CMD_SRTP_SET) {
    const rtpgate_shm_srtp_entry& slot = dp_.region.srtp(c.flow_id);
    rtpgate_shm_srtp_entry en;
    std::memcpy(&en, &slot, sizeof(en));
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (en.version != c.flow_version || __atomic_load_n(&slot.version, __ATOMIC_ACQUIRE) != c.flow_version)
      e = Errc::StaleVersion;
    else
      e = dp_.srtp.set(c.flow_id, en);  // KDF + key expansion, here, never in a burst
    explicit_bzero(&en, sizeof(en));
  } else {
    e = dp_.srtp.retire(c.flow_id);
    if (e == Errc::Ok) {
      ctr[RTPGATE_CTR_cmds_applied]++;
      cpl->errc = static_cast<uint16_t>(Errc::Ok);
      defer(kNoFlow, cpl);  // wiped and completed once no worker can still use it
      deferred_[(deferred_head_ + n_deferred_ - 1) % kMaxDeferred].srtp_idx = c.flow_id;
      return true;
    }
  }
  cpl->errc = static_cast<uint16_t>(e);
  return false;
}

uint32_t CommandApplier::forward_notifications() noexcept {
  uint32_t n = 0;
  void* obj;
  while (evt_.depth() < evt_.capacity() && rte_ring_sc_dequeue(dp_.notify_ring, &obj) == 0) {
    const auto flow_id = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(obj));
    rtpgate_shm_cpl cpl{};
    cpl.op = RTPGATE_NOTIFY_FLOW_IDLE;
    cpl.flow_id = flow_id;
    const uint32_t idx = dp_.table.action_of(flow_id);
    if (idx == kNoFlow) continue;  // removed meanwhile
    cpl.flow_version = dp_.table.actions()[idx].version;
    cpl.generation = dp_.region.hdr()->generation;
    evt_.push(cpl);
    n++;
  }
  return n;
}

uint32_t CommandApplier::poll(uint64_t now_tsc, uint32_t budget, uint64_t* ctr) noexcept {
  uint32_t n = reclaim();
  rtpgate_shm_cmd c;
  // Take a command only when its completion (and every deferred one) has room.
  while (budget-- > 0 && n_deferred_ < kMaxDeferred &&
         cpl_.depth() + n_deferred_ + reload_pending_ + 1 < cpl_.capacity() && cmd_.pop(c)) {
    apply(c, now_tsc, ctr);
    n++;
  }
  n += reclaim();
  n += expire_dead_control(now_tsc, ctr);
  n += finish_reload();
  n += forward_notifications();
  return n;
}

}  // namespace rtpgate::dp
