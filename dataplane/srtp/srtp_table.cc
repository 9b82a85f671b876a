// Private SRTP context slab (see header). init on the main thread; set/retire/wipe on the
// command lcore between bursts; get() on workers.
#include "srtp/srtp_table.h"

#include <rte_malloc.h>
#include <string.h>

#include <new>

namespace rtpgate::dp::srtp {
namespace {

bool profile_of(uint8_t v, SrtpProfile* out) {
  switch (v) {
    case RTPGATE_SRTP_AES_CM_128_HMAC_SHA1_80: *out = SrtpProfile::kAesCm128HmacSha1_80; return true;
    case RTPGATE_SRTP_AES_CM_128_HMAC_SHA1_32: *out = SrtpProfile::kAesCm128HmacSha1_32; return true;
    case RTPGATE_SRTP_AEAD_AES_128_GCM: *out = SrtpProfile::kAeadAes128Gcm; return true;
    case RTPGATE_SRTP_AEAD_AES_256_GCM: *out = SrtpProfile::kAeadAes256Gcm; return true;
    default: return false;
  }
}

}  // namespace

SrtpTable::~SrtpTable() {
  for (uint32_t i = 0; i < capacity_; i++) ctx_[i].~SrtpContext();  // wipes
  rte_free(ctx_);
  rte_free(live_);
}

bool SrtpTable::init(uint32_t capacity, uint32_t n_workers, int socket_id, std::string* why) {
  if (capacity != 0) {
    ctx_ = static_cast<SrtpContext*>(rte_zmalloc_socket("rtpgate_srtp_ctx", uint64_t{capacity} * sizeof(SrtpContext),
                                                        alignof(SrtpContext), socket_id));
    live_ = static_cast<uint8_t*>(rte_zmalloc_socket("rtpgate_srtp_live", capacity, 64, socket_id));
    if (ctx_ == nullptr || live_ == nullptr) {
      rte_free(ctx_);
      rte_free(live_);
      ctx_ = nullptr;
      live_ = nullptr;
      *why = "cannot allocate " + std::to_string(capacity) + " SRTP contexts (" +
             std::to_string(uint64_t{capacity} * sizeof(SrtpContext) >> 20) +
             " MiB; give EAL more memory with -m or lower srtp_capacity)";
      return false;
    }
    for (uint32_t i = 0; i < capacity; i++) new (&ctx_[i]) SrtpContext();
    capacity_ = capacity;
  }
  n_batches_ = n_workers < kMaxWorkers ? n_workers : kMaxWorkers;
  for (uint32_t w = 0; w < n_batches_; w++) {
    batches_[w] = std::make_unique<SrtpBatch>();
    if (!batches_[w]->ok()) return *why = "cannot initialise an intel-ipsec-mb manager", false;
  }
  return true;
}

Errc SrtpTable::set(uint32_t idx, const rtpgate_shm_srtp_entry& e) noexcept {
  if (!is_index(idx) || idx >= capacity_) return Errc::BadParam;
  if (live_[idx] != 0) return Errc::FlowExists;
  SrtpProfile p;
  if (!profile_of(e.profile, &p) || e.direction > RTPGATE_SRTP_DIR_UNPROTECT || e.key_len > sizeof(e.key) ||
      e.salt_len > sizeof(e.salt))
    return Errc::BadParam;
  const SrtpDirection d = e.direction == RTPGATE_SRTP_DIR_PROTECT ? SrtpDirection::kProtect : SrtpDirection::kUnprotect;
  if (!ctx_[idx].init(p, d, e.key, e.key_len, e.salt, e.salt_len)) return Errc::BadParam;
  __atomic_store_n(&live_[idx], uint8_t{1}, __ATOMIC_RELEASE);
  n_live_++;
  mark_used();
  return Errc::Ok;
}

Errc SrtpTable::retire(uint32_t idx) noexcept {
  if (!is_index(idx) || idx >= capacity_ || live_[idx] == 0) return Errc::NoSuchFlow;
  __atomic_store_n(&live_[idx], uint8_t{0}, __ATOMIC_RELEASE);
  n_live_--;
  return Errc::Ok;
}

void SrtpTable::wipe(uint32_t idx) noexcept {
  if (idx < capacity_ && live_[idx] == 0) ctx_[idx].wipe();
}

}  // namespace rtpgate::dp::srtp
