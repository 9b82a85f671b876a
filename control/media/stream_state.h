// Control-side state of one open stream and the per-flow-slot owner table that maps a flow
// (as the data plane reports it) back to its stream. Written by the control side under the
// link's locks; read by senders (under a ring lock) and the bridge (under the dispatch lock).
#pragma once
#include <atomic>
#include <cstdint>
#include <vector>

#include "media/forwarders.h"
#include "media/media_types.h"
#include "media/stream_srtp.h"
#include "rtpgate/shm/flow_entry.h"
#include "rtpgate/shm/region.h"

namespace rtpgate::ctl::media {

struct Stream {
  static constexpr uint32_t kPeerSet = 1u;  // send_state bits
  static constexpr uint32_t kSendOk = 2u;

  StreamId id = kNoStream;
  bool video = false;
  Sink* sink = nullptr;
  uint64_t generation = 0;      // data plane that carries it
  bool orphaned = false;        // that data plane went away (control side only)
  uint32_t addr_idx = 0;
  rtpgate_shm_addr local{};
  uint16_t rtp_port = 0;
  uint32_t rtp_flow = 0;
  uint32_t rtcp_flow = 0;
  PeerTarget peer;              // last set_peer (control side only)
  StreamSrtp srtp;              // SDES-SRTP contexts of both flows (control side only)
  std::vector<FwdFlow> fwds;    // RTP forwarders (control side only; forwarders.h)
  uint32_t rec[2] = {0, 0};     // recording entries: [0] what the peer sends, [1] what we send (link_record.cc)
  bool rec_paused[2] = {false, false};  // the entry stays open, the flow stops copying
  // Producer positions of the data plane -> control rings when the flows were installed:
  // anything queued before belongs to an earlier user of the same flow slots.
  uint64_t start_pos[RTPGATE_SHM_MAX_PKT_RINGS] = {};
  std::atomic<uint32_t> send_state{0};
  // browser -> peer counters (senders, relaxed)
  std::atomic<uint64_t> to_dp_pkts{0};
  std::atomic<uint64_t> drop_direction{0};
  std::atomic<uint64_t> drop_no_peer{0};
  std::atomic<uint64_t> drop_ring_full{0};
};

// One entry per flow slot of the attached region.
struct FlowOwner {
  std::atomic<StreamId> token{kNoStream};  // stream owning the slot (checked by senders)
  std::atomic<Stream*> stream{nullptr};    // set before token, cleared after it
};

}  // namespace rtpgate::ctl::media
