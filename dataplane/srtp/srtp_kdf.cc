// SRTP key derivation on intel-ipsec-mb (one synchronous AES-CTR job on a per-thread manager).
// Control/apply path only: it allocates one manager per calling thread on first use.
#include "srtp/srtp_kdf.h"

#include <intel-ipsec-mb.h>
#include <string.h>

#include <cstring>

namespace rtpgate::dp::srtp {
namespace {

struct MgrHolder {
  IMB_MGR* mgr = nullptr;
  MgrHolder() {
    mgr = alloc_mb_mgr(0);
    if (mgr != nullptr) init_mb_mgr_auto(mgr, nullptr);
  }
  ~MgrHolder() {
    if (mgr != nullptr) free_mb_mgr(mgr);
  }
  MgrHolder(const MgrHolder&) = delete;
  MgrHolder& operator=(const MgrHolder&) = delete;
};

}  // namespace

IMB_MGR* srtp_control_mgr() {
  thread_local MgrHolder holder;
  return holder.mgr;
}

bool aes_cm_keystream(const uint8_t* key, size_t key_len, const uint8_t iv[16], uint8_t* out,
                      size_t out_len) {
  if ((key_len != 16 && key_len != 32) || out_len == 0 || out_len > 64) return false;
  IMB_MGR* mgr = srtp_control_mgr();
  if (mgr == nullptr) return false;
  alignas(16) uint32_t enc_keys[4 * 15];
  alignas(16) uint32_t dec_keys[4 * 15];
  if (key_len == 16) {
    IMB_AES_KEYEXP_128(mgr, key, enc_keys, dec_keys);
  } else {
    IMB_AES_KEYEXP_256(mgr, key, enc_keys, dec_keys);
  }
  uint8_t zeros[64] = {};
  IMB_JOB* job = IMB_GET_NEXT_JOB(mgr);
  job->cipher_mode = IMB_CIPHER_CNTR;
  job->cipher_direction = IMB_DIR_ENCRYPT;
  job->chain_order = IMB_ORDER_CIPHER_HASH;
  job->hash_alg = IMB_AUTH_NULL;
  job->enc_keys = enc_keys;
  job->dec_keys = enc_keys;
  job->key_len_in_bytes = key_len;
  job->src = zeros;
  job->dst = out;
  job->cipher_start_src_offset_in_bytes = 0;
  job->msg_len_to_cipher_in_bytes = out_len;
  job->iv = iv;
  job->iv_len_in_bytes = 16;
  job->user_data = nullptr;
  job = IMB_SUBMIT_JOB(mgr);
  bool ok = true;
  while (job != nullptr) {
    ok = ok && job->status == IMB_STATUS_COMPLETED;
    job = mgr->get_completed_job(mgr);
  }
  while ((job = IMB_FLUSH_JOB(mgr)) != nullptr) ok = ok && job->status == IMB_STATUS_COMPLETED;
  explicit_bzero(enc_keys, sizeof(enc_keys));
  explicit_bzero(dec_keys, sizeof(dec_keys));
  return ok;
}

bool srtp_kdf(const uint8_t* master_key, size_t master_key_len, const uint8_t* master_salt,
              size_t master_salt_len, KdfLabel label, uint8_t* out, size_t out_len) {
  if (master_salt_len != 14 && master_salt_len != 12) return false;
  // x = (label || r) XOR master_salt, r = 0 (kdr 0); IV = x * 2^16.
  uint8_t iv[16] = {};
  std::memcpy(iv, master_salt, master_salt_len);
  iv[7] ^= static_cast<uint8_t>(label);
  const bool ok = aes_cm_keystream(master_key, master_key_len, iv, out, out_len);
  explicit_bzero(iv, sizeof(iv));
  return ok;
}

}  // namespace rtpgate::dp::srtp
