// Internet checksum helpers (RFC 1071 sum, RFC 1624 incremental update). Plain bytes.
#pragma once
#include <cstddef>
#include <cstdint>

namespace rtpgate::dp {

// Incremental updates on the hot path keep sums in native byte order and unfolded (RFC 1071
// 1.2.B: the one's-complement sum commutes with byte swapping), and fold once at the end.
// `n` must be even; any alignment.
[[gnu::always_inline]] inline uint64_t csum_native(const uint8_t* p, size_t n) noexcept {
  uint64_t s = 0;
  for (; n >= 4; n -= 4, p += 4) {
    uint32_t w;
    __builtin_memcpy(&w, p, 4);
    s += w;
  }
  if (n >= 2) {
    uint16_t w;
    __builtin_memcpy(&w, p, 2);
    s += w;
  }
  return s;
}
// The native-order value of two bytes as they would sit in memory.
[[gnu::always_inline]] inline uint64_t csum_native2(uint8_t b0, uint8_t b1) noexcept {
  const uint8_t b[2] = {b0, b1};
  uint16_t w;
  __builtin_memcpy(&w, b, 2);
  return w;
}
// A native-order sum as the big-endian folded sum csum_adjust() takes.
[[gnu::always_inline]] inline uint32_t csum_native_to_be(uint64_t s) noexcept {
  s = (s & 0xffffffffu) + (s >> 32);
  s = (s & 0xffffu) + (s >> 16);
  s = (s & 0xffffu) + (s >> 16);
  s = (s & 0xffffu) + (s >> 16);
  return __builtin_bswap16(static_cast<uint16_t>(s));
}

// One's-complement sum of big-endian 16-bit words (odd tail padded with zero), unfolded.
[[gnu::always_inline]] inline uint32_t csum_add_bytes(uint32_t acc, const uint8_t* p, size_t n) noexcept {
  uint64_t s = csum_native(p, n & ~size_t{1});
  if (n & 1u) s += csum_native2(p[n - 1], 0);
  return acc + csum_native_to_be(s);
}

inline uint16_t csum_fold(uint32_t acc) noexcept {
  acc = (acc & 0xffffu) + (acc >> 16);
  acc = (acc & 0xffffu) + (acc >> 16);
  return static_cast<uint16_t>(acc);
}

// Checksum field value for data whose folded sum is `sum` (host order).
inline uint16_t csum_finish(uint32_t acc) noexcept { return static_cast<uint16_t>(~csum_fold(acc)); }

// RFC 1624 eqn. 3: new checksum after the covered data's sum changed from old_sum to new_sum.
inline uint16_t csum_adjust(uint16_t old_csum, uint32_t old_sum, uint32_t new_sum) noexcept {
  uint32_t acc = uint16_t(~old_csum);
  acc += uint16_t(~csum_fold(old_sum));
  acc += csum_fold(new_sum);
  return static_cast<uint16_t>(~csum_fold(acc));
}

// IPv4 header checksum computed from scratch (the field is treated as zero).
inline uint16_t ipv4_header_csum(const uint8_t* ip, size_t ihl_bytes) noexcept {
  uint32_t acc = csum_add_bytes(0, ip, 10);
  acc = csum_add_bytes(acc, ip + 12, ihl_bytes - 12);
  return csum_finish(acc);
}

// Full UDP checksum over pseudo-header + UDP header + payload (the field treated as zero).
// family 4 or 6; `udp` points at the UDP header, `udp_len` is the UDP length.
inline uint16_t udp_full_csum(int family, const uint8_t* src, const uint8_t* dst, const uint8_t* udp,
                              uint32_t udp_len) noexcept {
  const size_t alen = family == 4 ? 4 : 16;
  uint32_t acc = csum_add_bytes(0, src, alen);
  acc = csum_add_bytes(acc, dst, alen);
  acc += 17;
  acc += udp_len;
  acc = csum_add_bytes(acc, udp, 6);
  acc = csum_add_bytes(acc, udp + 8, udp_len - 8);
  uint16_t c = csum_finish(acc);
  return c == 0 ? 0xffff : c;
}

}  // namespace rtpgate::dp
