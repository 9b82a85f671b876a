// SDES key material of one direction of one medium (spec §9.3), as the plugin hands it to
// the data plane. Wiped on destruction; never logged.
#pragma once
#include <string.h>   // explicit_bzero
#include <strings.h>

#include <cstdint>
#include <string_view>

namespace rtpgate::ctl::media {

enum class SrtpProfile : uint8_t {
  None = 0,
  AesCm128HmacSha1_80 = 1,
  AesCm128HmacSha1_32 = 2,
  AeadAes128Gcm = 7,
  AeadAes256Gcm = 8,
};

// "AES_CM_128_HMAC_SHA1_80" ... -> profile; None when unsupported.
SrtpProfile srtp_profile_from_name(std::string_view name) noexcept;
const char* srtp_profile_name(SrtpProfile p) noexcept;
// Master key and salt lengths of a profile (16/14, 16/12, 32/12); 0 for None.
uint8_t srtp_key_len(SrtpProfile p) noexcept;
uint8_t srtp_salt_len(SrtpProfile p) noexcept;

struct SrtpKey {
  SrtpProfile profile = SrtpProfile::None;
  uint8_t key[32] = {};
  uint8_t key_len = 0;
  uint8_t salt[14] = {};
  uint8_t salt_len = 0;

  SrtpKey() = default;
  SrtpKey(const SrtpKey&) = default;
  SrtpKey& operator=(const SrtpKey&) = default;
  ~SrtpKey() { wipe(); }
  void wipe() noexcept {
    explicit_bzero(key, sizeof key);
    explicit_bzero(salt, sizeof salt);
    key_len = salt_len = 0;
    profile = SrtpProfile::None;
  }
  bool valid() const noexcept { return profile != SrtpProfile::None; }
};

}  // namespace rtpgate::ctl::media
