// The one place SIP datagrams crossing the exception path pass before the kernel (and
// Sofia-SIP behind it) sees them. With the SIP guard on (dataplane/sipguard/), the worker
// holds a burst's SIP datagrams here and screens them together at the end of the burst
// (screen_held_sip, exc_worker.cc); with it off they go straight on. Worker lcores only.
#pragma once
#include <rte_mbuf.h>

#include <cstring>

#include "lcore/lcore_ctx.h"
#include "net/pkt_parse.h"

namespace rtpgate::dp {

// Holds m for the end-of-burst screening. Takes ownership of m unless it returns false
// (no room: the caller passes it on unscreened).
[[gnu::always_inline]] inline bool sip_hold(LcoreCtx& lc, rte_mbuf* m, const ParsedPkt& pp) noexcept {
  if (lc.n_sip == kMaxBurst) [[unlikely]] return false;
  sipguard::SipDatagram& d = lc.sip[lc.n_sip];
  d.data = rte_pktmbuf_mtod(m, const uint8_t*) + pp.payload_off;
  d.len = pp.payload_len;
  d.src.family = pp.key.family;
  if (pp.key.family == 4) {
    std::memcpy(d.src.addr, pp.src_addr, 4);
    std::memset(d.src.addr + 4, 0, 12);
  } else {
    std::memcpy(d.src.addr, pp.src_addr, 16);
  }
  lc.sip_mbuf[lc.n_sip++] = m;
  return true;
}

}  // namespace rtpgate::dp
