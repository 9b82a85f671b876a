// Worker-side slow path for packets that are not media of an installed flow: ARP and
// IPv6 neighbour discovery answered in place, next-hop MACs learnt, everything else for
// a media address handed (rate-limited) to the exception thread for the kernel's TAP.
// Runs on worker lcores; no syscalls, no allocation beyond mbufs, every mbuf consumed.
#pragma once
#include <rte_mbuf.h>

#include "lcore/lcore_ctx.h"
#include "lcore/packet_handler.h"
#include "net/pkt_parse.h"

namespace rtpgate::dp {

// A packet that did not parse as UDP or missed the flow table. Consumes m.
void handle_unmatched(DpContext& dp, LcoreCtx& lc, rte_mbuf* m, ParseStatus st, const ParsedPkt& pp,
                      uint64_t now_tsc) noexcept;

// Screens the SIP datagrams handle_unmatched held during this burst (SIP guard, see
// exception/sip_hook.h): passed ones go to the kernel, refused ones are counted and freed.
void screen_held_sip(DpContext& dp, LcoreCtx& lc, uint64_t now_tsc) noexcept;

// A forwarded packet whose next hop is not resolved yet: queue it for the exception
// thread (it sends it once ARP/ND answers) or drop it. Consumes m.
void hold_for_neighbour(DpContext& dp, LcoreCtx& lc, rte_mbuf* m, uint16_t out_port, uint16_t nbr_idx) noexcept;

// Every packet a worker sends toward next hop `nbr_idx` leaves through here: queued for TX
// when the next hop is resolved, else held until ARP/ND answers (its destination MAC is
// written on release). Relayed media, control's packets, forwarder copies and PLIs alike:
// a next hop that is still resolving (a new peer, an entry being refreshed) costs a short
// wait, not a packet. Consumes m.
[[gnu::always_inline]] inline void tx_or_hold(DpContext& dp, LcoreCtx& lc, rte_mbuf* m, uint16_t out_port,
                                              uint16_t nbr_idx) noexcept {
  if (!__atomic_load_n(&dp.nbrs.at(nbr_idx).resolved, __ATOMIC_ACQUIRE)) [[unlikely]] {
    hold_for_neighbour(dp, lc, m, out_port, nbr_idx);
    return;
  }
  tx_enqueue(lc, out_port, m, dp.cfg.burst_pkts);
}

// Worker 0: sends frames the exception thread queued (kernel output, probes, released
// held packets). Returns how many.
uint32_t drain_kernel_tx(DpContext& dp, LcoreCtx& lc, uint32_t budget) noexcept;

}  // namespace rtpgate::dp
