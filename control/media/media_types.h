// Types shared by the plugin's media link to the data plane: stream handles, the peer's
// media target, the sink that receives the peer's packets, options and counters.
// Plain data; no thread of its own.
#pragma once
#include <atomic>
#include <cstdint>
#include <string>

namespace rtpgate::ctl::media {

// Opaque handle of one medium's relay ports (RTP + RTCP flows). Never reused: the low
// 32 bits are the RTP flow slot, the high 32 bits a serial number. 0 = none.
using StreamId = uint64_t;
inline constexpr StreamId kNoStream = 0;

// Receives what the SIP peer sends on a stream. Called from the bridge thread only, never
// after close_stream() returned for that stream. `data` may be rewritten in place
// (up to `len` bytes). The sink may call DataPlaneLink::send_to_peer but nothing else of
// the link (the bridge holds the dispatch lock while it runs).
class Sink {
 public:
  virtual void on_peer_packet(bool rtcp, uint8_t* data, uint16_t len) noexcept = 0;

 protected:
  ~Sink() = default;
};

// What open_stream() allocated.
struct StreamInfo {
  StreamId id = kNoStream;
  std::string ip;          // relay media address used (textual; goes into the SDP c= line)
  int family = 0;          // 4 or 6
  uint16_t rtp_port = 0;   // even; RTCP = rtp_port + 1
  uint16_t rtcp_port = 0;
};

// The SIP peer's media endpoint and what may flow (spec §9.2). `send` = we may send to
// the peer, `recv` = we hand the peer's packets to the sink. `on_hold` stops both ways at
// the link (the caller folds hold directions that keep one way into send/recv instead).
struct PeerTarget {
  std::string addr;        // textual IP; "" or 0.0.0.0 / :: = no usable address (hold)
  int family = 0;          // 4 or 6; 0 = taken from addr
  uint16_t rtp_port = 0;
  uint16_t rtcp_port = 0;  // 0 = rtp_port + 1
  bool send = true;
  bool recv = true;
  bool on_hold = false;
  // RTPGATE_FLOW_F_EXPECT_ADDR / _EXPECT_PORT: drop what does not come from the peer's
  // address (port). Default 0: accept from anywhere, as the stock plugin's recvfrom() does.
  uint16_t source_flags = 0;
};

// One .mjr recording of a stream direction, written by the data plane (DataPlaneLink::
// start_recording; rtpgate_shm_rec_entry).
struct RecSpec {
  std::string path;          // absolute, ".mjr" included
  std::string codec;         // lower-case rtpmap name ("pcmu", "opus", "vp8", ...)
  std::string fmtp;
  uint32_t clock_hz = 0;
  bool pli = false;          // video from the peer: keyframe requests on start / SSRC change
  int video_orient_ext = 0;
};

struct DataPlaneOptions {
  std::string shm_name = "/rtpgate";
  uint32_t cmd_timeout_ms = 1000;   // per flow command round trip
  uint16_t port_min = 0;            // relay port subset; 0/0 = the data plane's whole range
  uint16_t port_max = 0;
  uint8_t dscp_audio = 0;           // 0..63, RTP only (spec §9.1); 0 = leave unset
  uint8_t dscp_video = 0;
  uint32_t attach_retry_ms = 1000;  // bridge thread: attach / liveness check period
};

// Link-wide counters (relaxed atomics; readers sum nothing, they just load).
struct LinkCounters {
  // browser -> peer (send_to_peer)
  std::atomic<uint64_t> to_dp_pkts{0};           // queued on a control-to-data-plane ring
  std::atomic<uint64_t> drop_send_stale{0};      // stream closed, unknown or from an old data plane
  std::atomic<uint64_t> drop_send_direction{0};  // send=false or on hold
  std::atomic<uint64_t> drop_send_no_peer{0};    // no peer address yet (before set_peer)
  std::atomic<uint64_t> drop_send_ring_full{0};  // ring full (data plane not draining)
  std::atomic<uint64_t> drop_send_too_big{0};    // payload > RTPGATE_PKT_SLOT_DATA
  std::atomic<uint64_t> drop_send_no_ring{0};    // not attached, or the data plane has no ring
  // peer -> browser (bridge thread)
  std::atomic<uint64_t> from_dp_pkts{0};         // taken from a data-plane-to-control ring
  std::atomic<uint64_t> delivered_pkts{0};       // handed to a sink
  std::atomic<uint64_t> drop_rx_no_stream{0};    // flow has no open stream (closed meanwhile)
  std::atomic<uint64_t> drop_rx_stale{0};        // queued for an earlier user of the flow slot
  std::atomic<uint64_t> drop_rx_bad_len{0};      // slot length out of range
  // control
  std::atomic<uint64_t> attaches{0};             // successful attaches (1 + data-plane restarts)
  std::atomic<uint64_t> orphaned_streams{0};     // streams whose data plane went away (restart, crash)
  std::atomic<uint64_t> readopted_streams{0};    // ... given back their flows by the next data plane
  std::atomic<uint64_t> readopt_failures{0};     // ... that could not be (slots or ports taken, address gone)
  std::atomic<uint64_t> cmd_failures{0};         // commands answered with an error
  std::atomic<uint64_t> cmd_timeouts{0};         // commands not answered in cmd_timeout_ms
  std::atomic<uint64_t> leaked_flows{0};         // slots kept because a removal never completed
  std::atomic<uint64_t> events_ignored{0};       // event-ring notifications nobody asked for
};

// Per-stream counters of the browser -> peer direction (query_session).
struct StreamCounters {
  uint64_t to_dp_pkts = 0;
  uint64_t drop_direction = 0;
  uint64_t drop_no_peer = 0;
  uint64_t drop_ring_full = 0;
};

// The SDES-SRTP contexts a stream's flows name in the data plane (query_session): per
// direction the SRTP entry (0 = plain) and the profile it was set with (rtpgate_srtp_profile).
struct StreamSrtpSlots {
  uint32_t in_slot = 0;    // unprotects what the peer sends
  uint8_t in_profile = 0;
  uint32_t out_slot = 0;   // protects what the data plane sends to the peer
  uint8_t out_profile = 0;
  bool rtcp_same = true;   // the RTCP flow names the same two entries
};

}  // namespace rtpgate::ctl::media
