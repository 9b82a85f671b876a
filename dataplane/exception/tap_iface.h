// The kernel side of the exception path: a DPDK net_tap port per data port whose kernel
// interface carries the port's MAC and media addresses, so the kernel answers ICMP, runs
// SIP (Sofia-SIP, kamailio...) and anything else on them as if it owned the NIC.
// Start-up and shutdown only (main thread).
#pragma once
#include <rte_mempool.h>

#include <string>

#include "config/config.h"

namespace rtpgate::dp {

// Creates, configures and starts the TAP port for data port `pc` (MAC `mac`), then
// assigns the media addresses to the kernel interface and brings it up.
bool create_tap(const PortConfig& pc, const uint8_t mac[6], rte_mempool* pool, uint16_t* tap_port,
                std::string* why);
void destroy_tap(uint16_t tap_port);

}  // namespace rtpgate::dp
