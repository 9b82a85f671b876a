// DataPlaneLink::send_to_peer: browser media toward the SIP peer through the control ->
// data-plane packet rings. Any Janus thread; never blocks on the control lock.
#include <algorithm>
#include <cinttypes>
#include <vector>

#include "log.h"
#include "media/dataplane_link.h"
#include "media/flow_params.h"
#include "media/link_internal.h"
#include "media/media_addr.h"

namespace rtpgate::ctl::media {

using namespace link_util;  // NOLINT: the link files' shared helpers

// ---- browser -> peer (any thread) --------------------------------------------------------

bool DataPlaneLink::send_to_peer(StreamId id, bool rtcp, const uint8_t* data, uint16_t len) noexcept {
  if (id == kNoStream) {
    bump(ctr_.drop_send_stale);
    return false;
  }
  const auto fid = static_cast<uint32_t>(id);
  Stream* st = nullptr;
  enum { kStale, kNoPeer, kDirection } refused = kStale;
  // Both run under the ring's lock: owners_ cannot be replaced and a closing stream waits
  // for us in rings_.barrier() before its Stream is freed.
  auto check = [&]() noexcept -> uint32_t {
    if (fid >= owner_cap_ || owners_[fid].token.load(std::memory_order_acquire) != id) return UINT32_MAX;
    st = owners_[fid].stream.load(std::memory_order_relaxed);
    const uint32_t ss = st->send_state.load(std::memory_order_relaxed);
    if (!(ss & Stream::kPeerSet)) {
      refused = kNoPeer;
      bump(st->drop_no_peer);
      return UINT32_MAX;
    }
    if (!(ss & Stream::kSendOk)) {
      refused = kDirection;
      bump(st->drop_direction);
      return UINT32_MAX;
    }
    return rtcp ? st->rtcp_flow : st->rtp_flow;
  };
  auto done = [&](PushResult r) noexcept { bump(r == PushResult::Ok ? st->to_dp_pkts : st->drop_ring_full); };
  switch (rings_.push(id, check, done, rtcp, data, len)) {
    case PushResult::Ok:
      bump(ctr_.to_dp_pkts);
      return true;
    case PushResult::Full:
      bump(ctr_.drop_send_ring_full);
      break;
    case PushResult::TooBig:
      bump(ctr_.drop_send_too_big);
      break;
    case PushResult::NoRing:
      bump(ctr_.drop_send_no_ring);
      break;
    case PushResult::Refused:
      bump(refused == kNoPeer ? ctr_.drop_send_no_peer
                              : refused == kDirection ? ctr_.drop_send_direction : ctr_.drop_send_stale);
      break;
  }
  return false;
}

}  // namespace rtpgate::ctl::media
