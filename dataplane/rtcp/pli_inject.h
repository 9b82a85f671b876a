// PLIs the data plane generates toward the sender of an RTP flow (the SIP peer): on
// control's request (RTPGATE_CMD_PLI: `keyframe` peer:true, recording start of peer video)
// and by the worker itself when a recorded video flow starts or its SSRC changes. Sent on
// the flow's RTCP flow (rtcp_flow_id, or the flow itself with rtcp-mux), SRTCP-protected
// when that flow protects, rate-limited per flow (pli_min_interval_ms). Worker lcores only.
#pragma once
#include "lcore/ctl_tx.h"
#include "rtcp/pli.h"

namespace rtpgate::dp {

// PLI for the RTP flow `a` (whose state is `d`); `sender_ssrc` 0 = the last SSRC control
// sent on the flow. Returns true when a PLI was queued.
inline bool inject_pli(DpContext& dp, LcoreCtx& lc, const FlowAction& a, FlowDyn& d, uint32_t sender_ssrc,
                       bool force, uint64_t now_tsc, SrtpOutBurst* ob) noexcept {
  if (!pli_allowed(&d.last_pli_tsc, now_tsc, dp.live.pli_min_tsc.load(std::memory_order_relaxed), force)) {
    lc.ctr[RTPGATE_CTR_pli_rate_limited]++;
    return false;
  }
  uint8_t pli[kPliLen];
  build_pli(pli, sender_ssrc != 0 ? sender_ssrc : d.last_tx_ssrc, d.last_in_ssrc);
  const uint32_t out_flow = a.rtcp_flow_id != kNoFlow ? a.rtcp_flow_id : a.flow_id;
  if (!send_on_flow(dp, lc, dp.table.action(out_flow), pli, kPliLen, true, ob)) {
    lc.ctr[RTPGATE_CTR_drop_pli]++;
    return false;
  }
  lc.ctr[RTPGATE_CTR_pli_sent]++;
  return true;
}

// A recorded video flow asks for a keyframe when its recording starts seeing packets and
// whenever the SSRC changes (peer re-INVITE, restart), so the file gets a decodable start.
[[gnu::noinline]] inline void rec_pli_check(DpContext& dp, LcoreCtx& lc, const FlowAction& a, FlowDyn& d,
                                            uint32_t ssrc, uint64_t now_tsc, SrtpOutBurst* ob) noexcept {
  if (d.rec_gen == a.rec_rx_gen && d.rec_ssrc == ssrc) return;
  d.rec_gen = a.rec_rx_gen;
  d.rec_ssrc = ssrc;
  inject_pli(dp, lc, a, d, 0, false, now_tsc, ob);
}

}  // namespace rtpgate::dp
