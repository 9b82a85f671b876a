// SDES-SRTP profile names and key sizes (spec §9.3, RFC 4568 / RFC 7714). Pure; any thread.
#include "media/srtp_keys.h"

#include <strings.h>

#include <cstring>

namespace rtpgate::ctl::media {
namespace {

struct ProfileInfo {
  SrtpProfile profile;
  const char* name;
  uint8_t key_len;
  uint8_t salt_len;
};

constexpr ProfileInfo kProfiles[] = {
    {SrtpProfile::AesCm128HmacSha1_80, "AES_CM_128_HMAC_SHA1_80", 16, 14},
    {SrtpProfile::AesCm128HmacSha1_32, "AES_CM_128_HMAC_SHA1_32", 16, 14},
    {SrtpProfile::AeadAes128Gcm, "AEAD_AES_128_GCM", 16, 12},
    {SrtpProfile::AeadAes256Gcm, "AEAD_AES_256_GCM", 32, 12},
};

const ProfileInfo* find(SrtpProfile p) noexcept {
  for (const ProfileInfo& i : kProfiles)
    if (i.profile == p) return &i;
  return nullptr;
}

}  // namespace

// Case-insensitive, as the stock plugin matches a=crypto suites (strcasecmp); the
// `srtp_profile` request field is checked case-sensitively before it gets here.
SrtpProfile srtp_profile_from_name(std::string_view name) noexcept {
  for (const ProfileInfo& i : kProfiles)
    if (name.size() == strlen(i.name) && strncasecmp(name.data(), i.name, name.size()) == 0) return i.profile;
  return SrtpProfile::None;
}

const char* srtp_profile_name(SrtpProfile p) noexcept {
  const ProfileInfo* i = find(p);
  return i ? i->name : "";
}

uint8_t srtp_key_len(SrtpProfile p) noexcept {
  const ProfileInfo* i = find(p);
  return i ? i->key_len : 0;
}

uint8_t srtp_salt_len(SrtpProfile p) noexcept {
  const ProfileInfo* i = find(p);
  return i ? i->salt_len : 0;
}

}  // namespace rtpgate::ctl::media
