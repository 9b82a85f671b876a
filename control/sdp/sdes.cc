// SDES-SRTP negotiation state (see sdes.h for the rules). Pure; the owner's thread.
#include "sdp/sdes.h"

#include <string.h>
#include <sys/random.h>

#include <cerrno>
#include <cstring>

#include "sdp/crypto_line.h"

namespace rtpgate::ctl::sdp {
namespace {

using media::SrtpKey;
using media::SrtpProfile;

bool fill_random(uint8_t* buf, size_t len) {
  size_t got = 0;
  for (int tries = 0; got < len && tries < 16; tries++) {
    const ssize_t n = getrandom(buf + got, len - got, 0);
    if (n > 0) got += static_cast<size_t>(n);
    else if (n < 0 && errno != EINTR) return false;
  }
  return got == len;
}

bool same_key(const SrtpKey& a, const SrtpKey& b) noexcept {
  return a.profile == b.profile && a.key_len == b.key_len && a.salt_len == b.salt_len &&
         memcmp(a.key, b.key, a.key_len) == 0 && memcmp(a.salt, b.salt, a.salt_len) == 0;
}

// The line of `m` that answers our offer on this medium, or -1.
int pick_answer_line(const RemoteMedium& m, int tag, SrtpProfile profile) {
  for (size_t i = 0; i < m.crypto.size(); i++) {
    const Crypto& c = m.crypto[i];
    if (c.tag != tag || media::srtp_profile_from_name(c.profile) != profile) continue;
    SrtpKey k;
    if (decode_key(profile, c.key_b64, &k)) return static_cast<int>(i);
  }
  return -1;
}

// Sets the remote key of `sm` from line `idx` of `m` (already checked to decode).
void set_remote(SdesMedium* sm, const RemoteMedium& m, int idx) {
  const Crypto& c = m.crypto[static_cast<size_t>(idx)];
  SrtpKey k;
  decode_key(media::srtp_profile_from_name(c.profile), c.key_b64, &k);
  if (!same_key(k, sm->remote)) {
    sm->remote = k;
    sm->remote_changed = true;
  }
  sm->remote_tag = c.tag;
}

void drop_remote(SdesMedium* sm) noexcept {
  if (sm->remote.valid()) sm->remote_changed = true;
  sm->remote.wipe();
  sm->remote_tag = 0;
}

bool active_medium(const RemoteMedium& m) { return m.present && m.port != 0; }

}  // namespace

void SdesState::clear() noexcept {
  required = false;
  offered_profile = SrtpProfile::None;
  for (SdesMedium* m : {&audio, &video}) {
    m->local.wipe();
    m->remote.wipe();
    m->local_tag = m->remote_tag = 0;
    m->local_changed = m->remote_changed = false;
  }
}

bool make_key(SrtpProfile profile, SrtpKey* key) {
  key->wipe();
  const uint8_t kl = media::srtp_key_len(profile), sl = media::srtp_salt_len(profile);
  if (kl == 0 || kl > sizeof key->key || sl > sizeof key->salt) return false;
  if (!fill_random(key->key, kl) || !fill_random(key->salt, sl)) {
    key->wipe();
    return false;
  }
  key->key_len = kl;
  key->salt_len = sl;
  key->profile = profile;
  return true;
}

std::string encode_key(const SrtpKey& key) {
  uint8_t buf[sizeof key.key + sizeof key.salt];
  memcpy(buf, key.key, key.key_len);
  memcpy(buf + key.key_len, key.salt, key.salt_len);
  std::string b64 = base64_encode(buf, key.key_len + key.salt_len);
  explicit_bzero(buf, sizeof buf);
  return b64;
}

bool decode_key(SrtpProfile profile, const std::string& b64, SrtpKey* key) {
  key->wipe();
  const uint8_t kl = media::srtp_key_len(profile), sl = media::srtp_salt_len(profile);
  if (kl == 0) return false;
  uint8_t buf[sizeof key->key + sizeof key->salt + 3];
  size_t len = 0;
  const bool ok = base64_decode(b64, buf, sizeof buf, &len) && len == size_t{kl} + sl;
  if (ok) {
    memcpy(key->key, buf, kl);
    memcpy(key->salt, buf + kl, sl);
    key->key_len = kl;
    key->salt_len = sl;
    key->profile = profile;
  }
  explicit_bzero(buf, sizeof buf);
  return ok;
}

int pick_offered_line(const RemoteMedium& m) {
  for (size_t i = 0; i < m.crypto.size(); i++) {
    const SrtpProfile p = media::srtp_profile_from_name(m.crypto[i].profile);
    if (p == SrtpProfile::None) continue;
    SrtpKey k;
    if (decode_key(p, m.crypto[i].key_b64, &k)) return static_cast<int>(i);
  }
  return -1;
}

bool make_offer(SdesState* st, SrtpProfile profile, bool mandatory, bool audio, bool video) {
  st->clear();
  st->required = mandatory;
  st->offered_profile = profile;
  for (bool v : {false, true}) {
    if (!(v ? video : audio)) continue;
    SdesMedium& m = st->medium(v);
    if (!make_key(profile, &m.local)) {
      st->clear();
      return false;
    }
    m.local_tag = 1;
    m.local_changed = true;
  }
  return true;
}

void take_offer(SdesState* st, const RemoteMedia& rm) {
  if (rm.srtp_mandatory) st->required = true;
  for (bool v : {false, true}) {
    const RemoteMedium& m = v ? rm.video : rm.audio;
    if (!active_medium(m)) continue;
    const int idx = pick_offered_line(m);
    if (idx >= 0) set_remote(&st->medium(v), m, idx);
  }
}

bool make_answer(SdesState* st, bool audio, bool video) {
  for (bool v : {false, true}) {
    SdesMedium& m = st->medium(v);
    if (!(v ? video : audio) || !m.remote.valid()) {
      if (m.local.valid()) m.local_changed = true;
      m.local.wipe();
      m.local_tag = 0;
      continue;
    }
    m.local_tag = m.remote_tag;
    if (m.local.valid() && m.local.profile == m.remote.profile) continue;   // keep our key
    if (!make_key(m.remote.profile, &m.local)) return false;
    m.local_changed = true;
  }
  return true;
}

bool make_reoffer(SdesState* st, bool audio, bool video) {
  for (bool v : {false, true}) {
    SdesMedium& m = st->medium(v);
    if (!(v ? video : audio) || m.local.valid()) continue;
    const SdesMedium& other = st->medium(!v);
    const SrtpProfile p = other.local.valid() ? other.local.profile : st->offered_profile;
    if (p == SrtpProfile::None) continue;   // the call does not use SDES
    if (!make_key(p, &m.local)) return false;
    m.local_tag = 1;
    m.local_changed = true;
  }
  return true;
}

void take_answer(SdesState* st, const RemoteMedia& rm) {
  if (rm.srtp_mandatory) st->required = true;
  for (bool v : {false, true}) {
    SdesMedium& sm = st->medium(v);
    const RemoteMedium& m = v ? rm.video : rm.audio;
    if (!sm.local.valid() || !active_medium(m)) continue;
    const int idx = pick_answer_line(m, sm.local_tag, sm.local.profile);
    if (idx >= 0) set_remote(&sm, m, idx);
    else drop_remote(&sm);
  }
}

bool missing_required(const SdesState& st, const RemoteMedia& rm) {
  if (!st.required) return false;
  for (bool v : {false, true})
    if (active_medium(v ? rm.video : rm.audio) && !st.medium(v).remote.valid()) return true;
  return false;
}

bool peer_offered(const SdesState& st) { return st.audio.remote.valid() || st.video.remote.valid(); }

void fill_local(const SdesState& st, LocalMedia* lm) {
  lm->srtp_mandatory = st.required;
  for (bool v : {false, true}) {
    const SdesMedium& m = st.medium(v);
    LocalMedium& out = v ? lm->video : lm->audio;
    wipe_string(&out.crypto);
    if (!m.local.valid()) continue;
    std::string b64 = encode_key(m.local);
    out.crypto = format_crypto(m.local_tag, media::srtp_profile_name(m.local.profile), b64);
    wipe_string(&b64);
  }
}

void wipe_string(std::string* s) noexcept {
  if (!s->empty()) explicit_bzero(s->data(), s->size());
  s->clear();
}

void wipe_keys(RemoteMedia* rm) noexcept {
  for (RemoteMedium* m : {&rm->audio, &rm->video})
    for (Crypto& c : m->crypto) wipe_string(&c.key_b64);
}

}  // namespace rtpgate::ctl::sdp
