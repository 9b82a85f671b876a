// libFuzzer target: parse_frame on arbitrary frames; checks the offsets it reports.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "net/pkt_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rtpgate::dp;
  if (size > 65535) return 0;  // larger than any mbuf
  ParsedPkt pp;
  if (parse_frame(data, static_cast<uint32_t>(size), &pp) != ParseStatus::Ok) return 0;
  FUZZ_CHECK(pp.key.family == 4 || pp.key.family == 6);
  FUZZ_CHECK(pp.l3_off == 14 || pp.l3_off == 18);
  const uint32_t min_l3 = pp.key.family == 4 ? 20 : 40;
  FUZZ_CHECK(pp.l4_off >= pp.l3_off + min_l3);
  FUZZ_CHECK(pp.payload_off == pp.l4_off + 8);
  FUZZ_CHECK(size_t{pp.payload_off} + pp.payload_len + pp.l2_len_trailer <= size);
  // The data plane reads the whole payload and trims the trailer: both must be in bounds.
  volatile uint8_t sink = 0;
  for (uint32_t i = 0; i < pp.payload_len; i++) sink = sink ^ data[pp.payload_off + i];
  for (uint32_t i = 0; i < pp.l2_len_trailer; i++) sink = sink ^ data[size - 1 - i];
  return 0;
}
