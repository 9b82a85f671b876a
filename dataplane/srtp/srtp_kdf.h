// SRTP key derivation (RFC 3711 §4.3 AES-CM PRF, RFC 7714 §11 for AES-GCM), key derivation rate 0.
// Runs on the control/apply path when a context is created; never inside a burst.
#pragma once

#include <cstddef>
#include <cstdint>

#include <intel-ipsec-mb.h>

namespace rtpgate::dp::srtp {

// A manager owned by the calling thread, for key setup off the fast path (never inside a burst).
IMB_MGR* srtp_control_mgr();

// RFC 3711 §4.3.1 labels.
enum class KdfLabel : uint8_t {
  kRtpEncryption = 0x00,
  kRtpAuth = 0x01,
  kRtpSalt = 0x02,
  kRtcpEncryption = 0x03,
  kRtcpAuth = 0x04,
  kRtcpSalt = 0x05,
};

// Derives out_len bytes for `label` with the AES-CM PRF keyed by master_key (16 or 32 bytes),
// master_salt 14 bytes (AES-CM) or 12 bytes (AES-GCM, zero-padded to 14 as RFC 7714 §11 / libsrtp).
// Returns false on unsupported lengths.
bool srtp_kdf(const uint8_t* master_key, size_t master_key_len, const uint8_t* master_salt,
              size_t master_salt_len, KdfLabel label, uint8_t* out, size_t out_len);

// Raw AES counter-mode keystream (used by the KDF; exposed for the RFC 3711 B.2 test vector).
// iv is the full 16-byte initial counter block; the low 16 bits count blocks.
bool aes_cm_keystream(const uint8_t* key, size_t key_len, const uint8_t iv[16], uint8_t* out,
                      size_t out_len);

}  // namespace rtpgate::dp::srtp
