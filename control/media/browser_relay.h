// One medium's SIP-peer -> browser relay rules (spec §11.2) as a Sink, plus the browser ->
// peer RTCP SSRC fix (§11.1) that needs the same two SSRCs. Peer packets arrive on the
// bridge thread; flags are set by the control thread; browser helpers run on Janus's
// core threads. Everything shared between them is atomic.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "media/dtmf_detect.h"
#include "media/media_types.h"
#include "media/rtp_switch.h"

namespace rtpgate::ctl::media {

// Hands a packet to the browser (the plugin wires it to Janus's relay_rtp / relay_rtcp).
using RelayFn = void (*)(void* ctx, bool video, bool rtcp, char* buf, uint16_t len);
// Reports an RFC 2833 DTMF event detected on the peer's audio (bridge thread; spec §13).
using DtmfFn = void (*)(void* ctx, const DtmfEvent& ev);

struct RelayCounters {
  std::atomic<uint64_t> rx_rtp{0};           // RTP from the peer
  std::atomic<uint64_t> rx_rtcp{0};          // RTCP from the peer
  std::atomic<uint64_t> relayed_rtp{0};      // handed to the browser
  std::atomic<uint64_t> relayed_rtcp{0};
  std::atomic<uint64_t> drop_not_rtp{0};     // RTP flow, but not an RTP packet
  std::atomic<uint64_t> drop_not_recv{0};    // recv = false
  std::atomic<uint64_t> drop_on_hold{0};     // on hold
  std::atomic<uint64_t> ssrc_changes{0};     // peer SSRC changed (seq/ts kept continuous)
  std::atomic<uint64_t> resets{0};           // request_reset() applied
  std::atomic<uint64_t> browser_rtcp_fixed{0};
  std::atomic<uint64_t> drop_browser_rtcp_bad{0};  // malformed compound from the browser
  std::atomic<uint64_t> dtmf_events{0};      // RFC 2833 end-of-event packets reported
};

class BrowserRelay final : public Sink {
 public:
  BrowserRelay(bool video, RelayFn fn, void* ctx) noexcept : video_(video), fn_(fn), ctx_(ctx) {}
  BrowserRelay(const BrowserRelay&) = delete;
  BrowserRelay& operator=(const BrowserRelay&) = delete;

  // Sink (bridge thread).
  void on_peer_packet(bool rtcp, uint8_t* data, uint16_t len) noexcept override;
  // Same with the arrival time given (tests inject the clock).
  void on_peer_packet_at(bool rtcp, uint8_t* data, uint16_t len, uint64_t now_ns) noexcept;

  // Control thread.
  void set_recv(bool on) noexcept { recv_.store(on, std::memory_order_relaxed); }
  void set_on_hold(bool on) noexcept { hold_.store(on, std::memory_order_relaxed); }
  // Clock rate of the negotiated codec (Hz): sizes the timestamp gap at an SSRC change.
  void set_clock_rate(uint32_t hz) noexcept { clock_rate_.store(hz, std::memory_order_relaxed); }
  // Negotiated telephone-event PT of the peer (-1 = none): audio RTP with it is checked for
  // RFC 2833 end-of-event packets, reported to `fn` (set before the first packet arrives).
  void set_dtmf_pt(int pt) noexcept { dtmf_pt_.store(pt, std::memory_order_relaxed); }
  void set_dtmf_sink(DtmfFn fn, void* ctx) noexcept {
    dtmf_fn_ = fn;
    dtmf_ctx_ = ctx;
  }
  // The next peer packet starts a new sequence/timestamp base (continuous with what the
  // browser has seen), e.g. when reception resumes after hold.
  void request_reset() noexcept { reset_.store(true, std::memory_order_release); }

  bool video() const noexcept { return video_; }
  uint32_t peer_ssrc() const noexcept { return peer_ssrc_.load(std::memory_order_relaxed); }
  uint32_t browser_ssrc() const noexcept { return browser_ssrc_.load(std::memory_order_relaxed); }
  const RelayCounters& counters() const noexcept { return ctr_; }

  // Browser -> peer (Janus core threads). Learns the browser's SSRC from its first RTP packet.
  void note_browser_rtp(const uint8_t* buf, size_t len) noexcept;
  // Rewrites browser RTCP in place: sender = browser SSRC, media source = peer SSRC.
  // False when the compound is malformed (unchanged, counted): the caller drops it.
  bool fix_browser_rtcp(uint8_t* buf, size_t len) noexcept;

 private:
  const bool video_;
  const RelayFn fn_;
  void* const ctx_;
  std::atomic<bool> recv_{true};
  std::atomic<bool> hold_{false};
  std::atomic<bool> reset_{false};
  std::atomic<uint32_t> clock_rate_{0};
  std::atomic<uint32_t> peer_ssrc_{0};
  std::atomic<uint32_t> browser_ssrc_{0};
  std::atomic<int> dtmf_pt_{-1};
  DtmfFn dtmf_fn_ = nullptr;
  void* dtmf_ctx_ = nullptr;
  DtmfDetector dtmf_;  // bridge thread only
  RtpSwitchState sw_;  // bridge thread only
  RelayCounters ctr_;
};

// janus_is_rtp semantics plus header bounds: version 2, payload type outside the RTCP
// range, CSRC list and extension inside `len`.
bool is_rtp(const uint8_t* buf, size_t len) noexcept;

}  // namespace rtpgate::ctl::media
