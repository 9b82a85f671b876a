// The worker lcore loop: RX burst -> parse -> bulk flow lookup -> per-packet handling ->
// buffered TX; the command lcore also applies control commands between bursts.
#pragma once
#include <rte_mbuf.h>

#include <cstdint>

#include "lcore/dp_context.h"
#include "lcore/lcore_ctx.h"

namespace rtpgate::dp {

class CommandApplier;

struct WorkerArgs {
  DpContext* dp;
  LcoreCtx* lc;
  CommandApplier* cmds;  // non-null on the command lcore only
};

// Processes one received burst (takes ownership of every mbuf). Exposed for tests
// and the closed-loop benchmark.
void process_burst(DpContext& dp, LcoreCtx& lc, rte_mbuf** pkts, uint16_t n, uint64_t now_tsc) noexcept;

// Adds the lcore's local counters to its shared stats block.
void publish_lcore_stats(LcoreCtx& lc) noexcept;
// Processes, as a received burst, the frames that flushes turned around because their next
// hop is one of our own media addresses (lcore_ctx.h hairpin); returns how many. Also arms
// the hairpin check once the command lcore installed such a flow.
uint32_t process_hairpin(DpContext& dp, LcoreCtx& lc, uint64_t now) noexcept;

// rte_eal_remote_launch entry point; `arg` is a WorkerArgs*.
int worker_main(void* arg);

}  // namespace rtpgate::dp
