// The one place SIP datagrams crossing the exception path pass before the kernel (and
// Sofia-SIP behind it) sees them. The SIP guard (Hyperscan screening, per-source rate
// limits) will sit here; today every well-formed datagram passes. Worker lcores only.
#pragma once
#include <cstdint>

namespace rtpgate::dp {

enum class SipVerdict : uint8_t { Pass, Drop };

[[gnu::always_inline]] inline SipVerdict sip_hook(const uint8_t* udp_payload, uint32_t len) noexcept {
  (void)udp_payload;
  (void)len;
  return SipVerdict::Pass;
}

}  // namespace rtpgate::dp
