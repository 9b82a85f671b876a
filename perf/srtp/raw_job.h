// One raw intel-ipsec-mb job for SRTP's cipher+auth over an RTP packet of `len` bytes at `b`
// (12-byte header authenticated, payload encrypted): the work the SRTP fast path submits,
// without any SRTP logic. Shared by the benchmarks' ceilings (perf/srtp, perf/micro).
#pragma once
#include <intel-ipsec-mb.h>

#include <cstdint>

#include "srtp/srtp_context.h"

namespace rtpgate::perf {

inline void set_raw_srtp_job(IMB_JOB* job, const dp::srtp::SrtpProfileInfo& info, const dp::srtp::SrtpStreamKeys& k,
                             uint8_t* b, uint32_t len, const uint8_t* iv, uint8_t* tag, bool decrypt) noexcept {
  job->cipher_direction = decrypt ? IMB_DIR_DECRYPT : IMB_DIR_ENCRYPT;
  job->chain_order = decrypt ? IMB_ORDER_HASH_CIPHER : IMB_ORDER_CIPHER_HASH;
  job->src = b;
  job->dst = b + 12;
  job->cipher_start_src_offset_in_bytes = 12;
  job->msg_len_to_cipher_in_bytes = len - 12;
  job->iv = iv;
  job->auth_tag_output = tag;
  job->user_data = nullptr;
  if (info.gcm) {
    job->cipher_mode = IMB_CIPHER_GCM;
    job->hash_alg = IMB_AUTH_AES_GMAC;
    job->enc_keys = job->dec_keys = &k.gcm;
    job->key_len_in_bytes = info.master_key_len;
    job->hash_start_src_offset_in_bytes = 12;
    job->msg_len_to_hash_in_bytes = len - 12;
    job->iv_len_in_bytes = 12;
    job->auth_tag_output_len_in_bytes = 16;
    job->u.GCM.aad = b;
    job->u.GCM.aad_len_in_bytes = 12;
    job->u.GCM.ctx = nullptr;
  } else {
    job->cipher_mode = IMB_CIPHER_CNTR;
    job->hash_alg = IMB_AUTH_HMAC_SHA_1;
    job->enc_keys = job->dec_keys = k.cm.aes_enc_keys;
    job->key_len_in_bytes = 16;
    job->hash_start_src_offset_in_bytes = 0;
    job->msg_len_to_hash_in_bytes = len + 4;   // + the ROC
    job->iv_len_in_bytes = 16;
    job->auth_tag_output_len_in_bytes = 12;     // ipsec-mb 1.3 refuses 10: 12, truncated
    job->u.HMAC._hashed_auth_key_xor_ipad = k.cm.hmac_ipad;
    job->u.HMAC._hashed_auth_key_xor_opad = k.cm.hmac_opad;
  }
}

}  // namespace rtpgate::perf
