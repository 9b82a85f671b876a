// rtpgatectl SRTP commands (see srtp_cmds.h). Key material is wiped after use.
#include "srtp_cmds.h"

#include <string.h>

#include <cstdio>
#include <cstring>

#include "cli_text.h"
#include "rtpgate/shm/control_client.h"

namespace rtpgate::ctl {
namespace {

struct Profile {
  const char* name;
  uint8_t id, key_len, salt_len;
};
constexpr Profile kProfiles[] = {{"AES_CM_128_HMAC_SHA1_80", RTPGATE_SRTP_AES_CM_128_HMAC_SHA1_80, 16, 14},
                                 {"AES_CM_128_HMAC_SHA1_32", RTPGATE_SRTP_AES_CM_128_HMAC_SHA1_32, 16, 14},
                                 {"AEAD_AES_128_GCM", RTPGATE_SRTP_AEAD_AES_128_GCM, 16, 12},
                                 {"AEAD_AES_256_GCM", RTPGATE_SRTP_AEAD_AES_256_GCM, 32, 12}};

const char* profile_name(uint8_t id) {
  for (const auto& p : kProfiles)
    if (p.id == id) return p.name;
  return "?";
}

bool parse_hex(const std::string& s, uint8_t* out, size_t n) {
  if (s.size() != 2 * n) return false;
  for (size_t i = 0; i < n; i++) {
    unsigned v = 0;
    if (std::sscanf(s.c_str() + 2 * i, "%2x", &v) != 1) return false;
    out[i] = static_cast<uint8_t>(v);
  }
  return true;
}

}  // namespace

int cmd_srtp_set(const std::string& name, const std::vector<std::string>& args, bool json) {
  const Profile* prof = nullptr;
  int dir = -1;
  std::string key;
  for (size_t i = 0; i + 1 < args.size(); i += 2) {
    if (args[i] == "--profile") {
      for (const auto& p : kProfiles)
        if (args[i + 1] == p.name) prof = &p;
    } else if (args[i] == "--dir") {
      dir = args[i + 1] == "out" ? RTPGATE_SRTP_DIR_PROTECT : args[i + 1] == "in" ? RTPGATE_SRTP_DIR_UNPROTECT : -1;
    } else if (args[i] == "--key") {
      key = args[i + 1];
    }
  }
  if (prof == nullptr || dir < 0) return fail("srtp-set needs --profile NAME --dir in|out --key HEX");
  rtpgate_shm_srtp_entry e{};
  e.profile = prof->id;
  e.direction = static_cast<uint8_t>(dir);
  e.key_len = prof->key_len;
  e.salt_len = prof->salt_len;
  uint8_t km[46];
  const bool ok = parse_hex(key, km, size_t{prof->key_len} + prof->salt_len);
  explicit_bzero(key.data(), key.size());
  if (!ok) return fail("--key: " + std::to_string(2 * (prof->key_len + prof->salt_len)) + " hex digits (key || salt)");
  std::memcpy(e.key, km, prof->key_len);
  std::memcpy(e.salt, km + prof->key_len, prof->salt_len);
  explicit_bzero(km, sizeof(km));
  std::string why;
  auto cc = shm::ControlClient::open(name, &why);
  if (!cc) return explicit_bzero(&e, sizeof(e)), fail(why);
  auto idx = cc->alloc_srtp();
  if (!idx) return explicit_bzero(&e, sizeof(e)), fail("SRTP table full");
  cc->write_srtp(idx.value(), e);
  explicit_bzero(&e, sizeof(e));
  const Errc r = cc->execute_srtp(RTPGATE_CMD_SRTP_SET, idx.value());
  if (r != Errc::Ok) {
    cc->free_srtp(idx.value());
    return fail("srtp-set failed: " + std::string(to_string(r)));
  }
  if (json) std::printf("{\"srtp\":%u}\n", idx.value());
  else std::printf("%u\n", idx.value());
  return 0;
}

int cmd_srtp_del(const std::string& name, uint32_t idx) {
  std::string why;
  auto cc = shm::ControlClient::open(name, &why);
  if (!cc) return fail(why);
  const Errc r = cc->execute_srtp(RTPGATE_CMD_SRTP_DEL, idx);
  if (r != Errc::Ok && r != Errc::NoSuchFlow) return fail("srtp-del failed: " + std::string(to_string(r)));
  cc->free_srtp(idx);
  return 0;
}

int cmd_srtp_list(const std::string& name, bool json) {
  std::string why;
  auto r = shm::Region::attach(name, &why);
  if (!r) return fail(why);
  const auto& h = *r->hdr();
  if (json) std::printf("[");
  bool first = true;
  for (uint32_t i = 1; i < h.srtp_capacity; i++) {
    if (!((r->srtp_bitmap()[i / 64] >> (i % 64)) & 1u)) continue;
    const auto& e = r->srtp(i);
    const char* dir = e.direction == RTPGATE_SRTP_DIR_PROTECT ? "out" : "in";
    if (json)
      std::printf("%s{\"srtp\":%u,\"profile\":\"%s\",\"dir\":\"%s\",\"version\":%u,\"cookie\":%u}", first ? "" : ",",
                  i, profile_name(e.profile), dir, e.version, e.cookie);
    else
      std::printf("srtp %u %s %s v%u cookie %u\n", i, profile_name(e.profile), dir, e.version, e.cookie);
    first = false;
  }
  if (json) std::printf("]\n");
  return 0;
}

}  // namespace rtpgate::ctl
