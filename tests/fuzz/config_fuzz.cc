// libFuzzer target: the data-plane configuration parser on arbitrary text.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/config.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rtpgate::dp;
  if (size > 16384) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  Config c;
  std::string why;
  if (!parse_config(text, &c, &why)) {
    FUZZ_CHECK(why.rfind("line ", 0) == 0);  // errors name their line
    return 0;
  }
  std::string vwhy;
  if (!validate_config(c, &vwhy)) FUZZ_CHECK(!vwhy.empty());
  for (const auto& p : c.ports) {
    FUZZ_CHECK(!p.addrs.empty());
    for (const auto& a : p.addrs) {
      FUZZ_CHECK(a.addr.family == 4 || a.addr.family == 6);
      FUZZ_CHECK(a.prefix_len >= 1 && a.prefix_len <= (a.addr.family == 4 ? 32 : 128));
      // What format_ip prints parses back to the same address.
      rtpgate_shm_addr back{};
      FUZZ_CHECK(parse_ip(format_ip(a.addr), &back));
      FUZZ_CHECK(back.family == a.addr.family);
    }
  }
  return 0;
}
