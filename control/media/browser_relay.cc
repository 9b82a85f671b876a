// Peer -> browser relay rules and the browser RTCP SSRC fix (see browser_relay.h).
// on_peer_packet: bridge thread. note_browser_rtp / fix_browser_rtcp: Janus core threads.
#include "media/browser_relay.h"

#include "media/rtcp_ssrc_fix.h"
#include "rtpgate/shm/region_map.h"

namespace rtpgate::ctl::media {
namespace {

void bump(std::atomic<uint64_t>& c) noexcept { c.fetch_add(1, std::memory_order_relaxed); }

}  // namespace

bool is_rtp(const uint8_t* buf, size_t len) noexcept {
  if (buf == nullptr || len < 12 || (buf[0] >> 6) != 2) return false;
  const uint8_t pt = buf[1] & 0x7f;
  if (pt >= 64 && pt < 96) return false;  // RTCP (192..223 with the marker bit)
  size_t hdr = 12 + 4u * (buf[0] & 0x0fu);
  if (hdr > len) return false;
  if (buf[0] & 0x10u) {
    if (hdr + 4 > len) return false;
    hdr += 4 + 4u * (size_t(buf[hdr + 2]) << 8 | buf[hdr + 3]);
    if (hdr > len) return false;
  }
  return true;
}

void BrowserRelay::on_peer_packet(bool rtcp, uint8_t* data, uint16_t len) noexcept {
  on_peer_packet_at(rtcp, data, len, shm::monotonic_ns());
}

void BrowserRelay::on_peer_packet_at(bool rtcp, uint8_t* data, uint16_t len, uint64_t now_ns) noexcept {
  bump(rtcp ? ctr_.rx_rtcp : ctr_.rx_rtp);
  if (!rtcp && !is_rtp(data, len)) {
    bump(ctr_.drop_not_rtp);
    return;
  }
  if (!recv_.load(std::memory_order_relaxed)) {
    bump(ctr_.drop_not_recv);
    return;
  }
  if (hold_.load(std::memory_order_relaxed)) {
    bump(ctr_.drop_on_hold);
    return;
  }
  if (!rtcp && !video_ && dtmf_fn_ != nullptr) {
    // Before the rewrite: the dedup key is the peer's own timestamp. The packet still goes on.
    if (auto ev = dtmf_.on_rtp(data, len, dtmf_pt_.load(std::memory_order_relaxed))) {
      bump(ctr_.dtmf_events);
      dtmf_fn_(dtmf_ctx_, *ev);
    }
  }
  if (!rtcp) {
    const bool reset = reset_.load(std::memory_order_relaxed) && reset_.exchange(false, std::memory_order_acquire);
    switch (rtp_switch_rewrite(sw_, data, now_ns, clock_rate_.load(std::memory_order_relaxed), reset)) {
      case RtpSwitchResult::First:
        peer_ssrc_.store(sw_.out_ssrc, std::memory_order_relaxed);
        break;
      case RtpSwitchResult::SourceChanged:
        bump(ctr_.ssrc_changes);
        break;
      case RtpSwitchResult::Reset:
        bump(ctr_.resets);
        break;
      case RtpSwitchResult::Same:
        break;
    }
  }
  // RTCP goes raw: the core rewrites its SSRCs towards the browser.
  fn_(ctx_, video_, rtcp, reinterpret_cast<char*>(data), len);
  bump(rtcp ? ctr_.relayed_rtcp : ctr_.relayed_rtp);
}

void BrowserRelay::note_browser_rtp(const uint8_t* buf, size_t len) noexcept {
  if (browser_ssrc_.load(std::memory_order_relaxed) != 0 || !is_rtp(buf, len)) return;
  const uint32_t ssrc = uint32_t(buf[8]) << 24 | uint32_t(buf[9]) << 16 | uint32_t(buf[10]) << 8 | buf[11];
  uint32_t expected = 0;
  browser_ssrc_.compare_exchange_strong(expected, ssrc, std::memory_order_relaxed);
}

bool BrowserRelay::fix_browser_rtcp(uint8_t* buf, size_t len) noexcept {
  if (rtcp_fix_ssrc(buf, len, browser_ssrc(), peer_ssrc()) < 0) {
    bump(ctr_.drop_browser_rtcp_bad);
    return false;
  }
  bump(ctr_.browser_rtcp_fixed);
  return true;
}

}  // namespace rtpgate::ctl::media
