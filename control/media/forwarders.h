// RTP forwarders of one media stream as the control side programs them in the data plane
// (shared/include/rtpgate/shm/forwarder.h, spec §4.17): each forwarder is a flow slot with
// action FORWARD on a relay port of its own, linked into the stream's RTP flow's rx chain
// (what the peer sends) or tx chain (what the browser sends). Types and pure helpers; the
// DataPlaneLink methods that use them live in forwarders.cc.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "media/srtp_keys.h"
#include "rtpgate/shm/flow_entry.h"

namespace rtpgate::ctl::media {

// Where copies go and what they rewrite.
struct FwdTarget {
  std::string addr;        // numeric IP, same family as the relay address
  uint16_t port = 0;
  bool set_ssrc = false;
  uint32_t ssrc = 0;
  bool set_pt = false;
  uint8_t pt = 0;
  SrtpKey srtp;            // valid: copies are SRTP-protected with this master key
};

// One forwarder of a stream (control side, under the link's control lock).
struct FwdFlow {
  uint32_t flow = 0;       // forwarder flow slot (also the handle the caller gets)
  uint16_t port = 0;       // its relay port pair (even port used; +1 kept free)
  bool rx = false;         // rx chain (peer's media) or tx chain (browser's media)
  uint32_t srtp_idx = 0;   // SRTP entry protecting the copies (0 = plain)
  rtpgate_shm_flow_params params{};  // as last written (its next link changes)
};

// What a forwarder did so far (its flow's counters; 0 before the first publish).
struct FwdCounters {
  uint64_t pkts = 0;
  uint64_t bytes = 0;
  uint64_t drops = 0;
};

// The chain fields of a media stream's RTP flow for these forwarders: rx/tx heads are the
// first forwarder of each kind, in order.
rtpgate_shm_fwd chain_heads(const std::vector<FwdFlow>& fwds) noexcept;
// Links every forwarder of `fwds` to the next of its kind (params.fwd.next / F_NEXT).
void link_chains(std::vector<FwdFlow>& fwds) noexcept;
// The parameters of a forwarder flow (next link left unset).
rtpgate_shm_flow_params forwarder_params(const rtpgate_shm_addr& local, uint16_t port, const rtpgate_shm_addr& dst,
                                         const FwdTarget& t, uint32_t cookie) noexcept;

}  // namespace rtpgate::ctl::media
