// Recording and PLI commands (command lcore): REC_START hands a recording entry to its
// recorder thread, REC_STOP closes it once no worker can still copy for it (QSBR grace,
// then the recorder drains its rings before closing), PLI queues a keyframe request for
// the worker loop. Never blocks: a busy recorder ring fails REC_START with RingFull and
// delays REC_STOP's completion.
#include <cstring>

#include "flow/command_apply.h"

namespace rtpgate::dp {
namespace {

uint32_t rec_index(uint32_t v) noexcept { return v == RTPGATE_REC_NONE ? 0 : v; }

bool terminated(const char* s, size_t cap) noexcept { return std::memchr(s, '\0', cap) != nullptr; }

// The control part of an entry, checked: what the recorder needs to open the file.
Errc make_open(const rtpgate_shm_rec_entry& en, uint32_t slot, RecRequest* r) noexcept {
  if (en.medium != RTPGATE_REC_AUDIO && en.medium != RTPGATE_REC_VIDEO) return Errc::BadParam;
  if (!terminated(en.codec, sizeof en.codec) || en.codec[0] == '\0') return Errc::BadParam;
  if (!terminated(en.fmtp, sizeof en.fmtp)) return Errc::BadParam;
  if (!terminated(en.path, sizeof en.path) || en.path[0] != '/') return Errc::BadParam;
  std::memset(r, 0, sizeof *r);
  r->op = RecOp::Open;
  r->slot = slot;
  r->gen = en.version;
  r->medium = en.medium;
  r->video_orient_ext = en.video_orient_ext;
  r->clock_hz = en.clock_hz;
  std::memcpy(r->codec, en.codec, sizeof r->codec);
  std::memcpy(r->fmtp, en.fmtp, sizeof r->fmtp);
  std::memcpy(r->path, en.path, sizeof r->path);
  return Errc::Ok;
}

}  // namespace

Errc rec_build(const DpContext& dp, const rtpgate_shm_flow_params& p, FlowAction* a) noexcept {
  const uint32_t rx = rec_index(p.record_slot), tx = rec_index(p.record_tx_slot);
  a->rec_rx = a->rec_tx = a->rec_rx_gen = a->rec_tx_gen = 0;
  a->rec_pli = 0;
  if (rx == 0 && tx == 0) return Errc::Ok;
  if (dp.rec.n_threads == 0) return Errc::Unsupported;
  const uint32_t cap = dp.region.hdr()->rec_capacity;
  if (rx >= cap || tx >= cap || p.kind != RTPGATE_KIND_RTP) return Errc::BadParam;
  if (rx != 0) {
    const rtpgate_shm_rec_entry& en = dp.region.rec(rx);
    a->rec_rx = rx;
    a->rec_rx_gen = __atomic_load_n(&en.version, __ATOMIC_ACQUIRE);
    a->rec_pli = en.medium == RTPGATE_REC_VIDEO && (en.flags & RTPGATE_REC_F_PLI) != 0;
  }
  if (tx != 0) {
    a->rec_tx = tx;
    a->rec_tx_gen = __atomic_load_n(&dp.region.rec(tx).version, __ATOMIC_ACQUIRE);
  }
  return Errc::Ok;
}

bool CommandApplier::push_rec_close(uint32_t slot, uint32_t gen) noexcept {
  RecRequest r;
  std::memset(&r, 0, sizeof r);
  r.op = RecOp::Close;
  r.slot = slot;
  r.gen = gen;
  return rte_ring_enqueue_elem(dp_.rec.req[dp_.rec.thread_of(slot)], &r, sizeof r) == 0;
}

bool CommandApplier::apply_rec(const rtpgate_shm_cmd& c, rtpgate_shm_cpl* cpl, uint64_t* ctr) noexcept {
  const uint32_t slot = c.flow_id;
  Errc e = Errc::Ok;
  if (dp_.rec.n_threads == 0) {
    e = Errc::Unsupported;
  } else if (slot == 0 || slot >= dp_.region.hdr()->rec_capacity) {
    e = Errc::BadParam;
  } else if (c.op == RTPGATE_CMD_REC_START) {
    const rtpgate_shm_rec_entry& live = dp_.region.rec(slot);
    rtpgate_shm_rec_entry en;
    std::memcpy(&en, &live, offsetof(rtpgate_shm_rec_entry, status));
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    RecRequest r;
    if (en.version != c.flow_version || __atomic_load_n(&live.version, __ATOMIC_ACQUIRE) != c.flow_version)
      e = Errc::StaleVersion;
    else if ((e = make_open(en, slot, &r)) == Errc::Ok &&
             rte_ring_enqueue_elem(dp_.rec.req[dp_.rec.thread_of(slot)], &r, sizeof r) != 0)
      e = Errc::RingFull;
  } else {
    // Closed once no worker holds an action that still copies for it (flows were modified
    // first) and the recorder wrote every copy made before; the entry is free after that.
    ctr[RTPGATE_CTR_cmds_applied]++;
    cpl->errc = static_cast<uint16_t>(Errc::Ok);
    defer(kNoFlow, cpl);
    Deferred& d = deferred_[(deferred_head_ + n_deferred_ - 1) % kMaxDeferred];
    d.rec_slot = slot;
    d.rec_gen = c.flow_version;
    return true;
  }
  cpl->errc = static_cast<uint16_t>(e);
  return false;
}

Errc CommandApplier::apply_pli(const rtpgate_shm_cmd& c) noexcept {
  if (c.flow_id >= dp_.table.capacity()) return Errc::BadParam;
  const FlowAction* a = dp_.table.action(c.flow_id);
  if (a == nullptr) return Errc::NoSuchFlow;
  if (a->kind != RTPGATE_KIND_RTP) return Errc::BadParam;
  if (n_pli_ == kMaxPli) return Errc::RingFull;
  rtpgate_cmd_pli p;
  std::memcpy(&p, c.payload, sizeof p);
  pli_[n_pli_++] = PliRequest{c.flow_id, p.sender_ssrc, (p.flags & RTPGATE_PLI_F_FORCE) != 0};
  return Errc::Ok;
}

uint32_t CommandApplier::take_pli(PliRequest* out, uint32_t max) noexcept {
  const uint32_t n = n_pli_ < max ? n_pli_ : max;
  std::memcpy(out, pli_, n * sizeof(PliRequest));
  std::memmove(pli_, pli_ + n, (n_pli_ - n) * sizeof(PliRequest));
  n_pli_ -= n;
  return n;
}

}  // namespace rtpgate::dp
