// SDES-SRTP negotiation (control/sdp/sdes.*, control/media/srtp_keys.cc, the base64 and
// a=crypto printing of crypto_line.*): key sizes, CSPRNG keys, offer/answer tag rules,
// profile choice, malformed lines.
#include "sdp/sdes.h"

#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <string>

#include "sdp/crypto_line.h"
#include "sdp/sdp.h"

namespace rtpgate::ctl::sdp {
namespace {

using media::SrtpKey;
using media::SrtpProfile;

constexpr SrtpProfile kAllProfiles[] = {SrtpProfile::AesCm128HmacSha1_80, SrtpProfile::AesCm128HmacSha1_32,
                                        SrtpProfile::AeadAes128Gcm, SrtpProfile::AeadAes256Gcm};

TEST(SrtpKeys, ProfileNamesRoundTrip) {
  for (SrtpProfile p : kAllProfiles) EXPECT_EQ(media::srtp_profile_from_name(media::srtp_profile_name(p)), p);
  EXPECT_STREQ(media::srtp_profile_name(SrtpProfile::AesCm128HmacSha1_80), "AES_CM_128_HMAC_SHA1_80");
  EXPECT_STREQ(media::srtp_profile_name(SrtpProfile::AeadAes256Gcm), "AEAD_AES_256_GCM");
  // Suites in a=crypto are matched like the stock plugin does (case-insensitively).
  EXPECT_EQ(media::srtp_profile_from_name("aes_cm_128_hmac_sha1_32"), SrtpProfile::AesCm128HmacSha1_32);
  for (const char* bad : {"", "AES_CM_256_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_80X", "F8_128_HMAC_SHA1_80",
                          "AES_192_CM_HMAC_SHA1_80"})
    EXPECT_EQ(media::srtp_profile_from_name(bad), SrtpProfile::None) << bad;
  EXPECT_STREQ(media::srtp_profile_name(SrtpProfile::None), "");
}

TEST(SrtpKeys, KeyAndSaltLengthsPerProfile) {
  EXPECT_EQ(media::srtp_key_len(SrtpProfile::AesCm128HmacSha1_80), 16);
  EXPECT_EQ(media::srtp_salt_len(SrtpProfile::AesCm128HmacSha1_80), 14);
  EXPECT_EQ(media::srtp_key_len(SrtpProfile::AesCm128HmacSha1_32), 16);
  EXPECT_EQ(media::srtp_salt_len(SrtpProfile::AesCm128HmacSha1_32), 14);
  EXPECT_EQ(media::srtp_key_len(SrtpProfile::AeadAes128Gcm), 16);
  EXPECT_EQ(media::srtp_salt_len(SrtpProfile::AeadAes128Gcm), 12);
  EXPECT_EQ(media::srtp_key_len(SrtpProfile::AeadAes256Gcm), 32);
  EXPECT_EQ(media::srtp_salt_len(SrtpProfile::AeadAes256Gcm), 12);
  EXPECT_EQ(media::srtp_key_len(SrtpProfile::None), 0);
  EXPECT_EQ(media::srtp_salt_len(SrtpProfile::None), 0);
}

// RFC 4648 §10 test vectors.
TEST(Base64, EncodesRfc4648Vectors) {
  const auto enc = [](const char* s) { return base64_encode(reinterpret_cast<const uint8_t*>(s), strlen(s)); };
  EXPECT_EQ(enc(""), "");
  EXPECT_EQ(enc("f"), "Zg==");
  EXPECT_EQ(enc("fo"), "Zm8=");
  EXPECT_EQ(enc("foo"), "Zm9v");
  EXPECT_EQ(enc("foob"), "Zm9vYg==");
  EXPECT_EQ(enc("fooba"), "Zm9vYmE=");
  EXPECT_EQ(enc("foobar"), "Zm9vYmFy");
  const uint8_t high[] = {0xfb, 0xff, 0xbf};
  EXPECT_EQ(base64_encode(high, 3), "+/+/");
}

TEST(Base64, DecodesWithOrWithoutPadding) {
  uint8_t buf[16];
  size_t n = 0;
  ASSERT_TRUE(base64_decode("Zm9vYmE=", buf, sizeof buf, &n));
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), n), "fooba");
  ASSERT_TRUE(base64_decode("Zm9vYmE", buf, sizeof buf, &n));
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), n), "fooba");
  ASSERT_TRUE(base64_decode("+/+/", buf, sizeof buf, &n));
  ASSERT_EQ(n, 3u);
  EXPECT_EQ(buf[0], 0xfb);
  EXPECT_EQ(buf[2], 0xbf);
}

TEST(Base64, RefusesGarbageAndOverflow) {
  uint8_t buf[4];
  size_t n = 0;
  EXPECT_FALSE(base64_decode("Zm9v!A==", buf, sizeof buf, &n));
  EXPECT_FALSE(base64_decode("Zm9vY", buf, sizeof buf, &n));     // 6 dangling bits
  EXPECT_FALSE(base64_decode("Zm=9", buf, sizeof buf, &n));      // padding inside
  EXPECT_FALSE(base64_decode("Zm9vYmFy", buf, sizeof buf, &n));  // 6 bytes > 4
}

TEST(SdesKeys, FreshKeysHaveTheProfilesLengthsAndDiffer) {
  for (SrtpProfile p : kAllProfiles) {
    SrtpKey a, b;
    ASSERT_TRUE(make_key(p, &a));
    ASSERT_TRUE(make_key(p, &b));
    EXPECT_EQ(a.profile, p);
    EXPECT_EQ(a.key_len, media::srtp_key_len(p));
    EXPECT_EQ(a.salt_len, media::srtp_salt_len(p));
    EXPECT_NE(std::memcmp(a.key, b.key, a.key_len), 0) << "two keys from the CSPRNG are equal";
    const std::string b64 = encode_key(a);
    // base64 of key||salt: 30 bytes -> 40 characters, 28 -> 40 (one "=="), 44 -> 60 (one "=").
    const size_t total = a.key_len + a.salt_len;
    EXPECT_EQ(b64.size(), (total + 2) / 3 * 4);
    SrtpKey back;
    ASSERT_TRUE(decode_key(p, b64, &back));
    EXPECT_EQ(std::memcmp(back.key, a.key, a.key_len), 0);
    EXPECT_EQ(std::memcmp(back.salt, a.salt, a.salt_len), 0);
  }
  SrtpKey none;
  EXPECT_FALSE(make_key(SrtpProfile::None, &none));
  EXPECT_FALSE(none.valid());
}

TEST(SdesKeys, FreshKeysAreNotConstant) {
  // 32 AES-256 keys: every byte position takes more than one value.
  std::set<uint8_t> first;
  for (int i = 0; i < 32; i++) {
    SrtpKey k;
    ASSERT_TRUE(make_key(SrtpProfile::AeadAes256Gcm, &k));
    first.insert(k.key[31]);
  }
  EXPECT_GT(first.size(), 1u);
}

TEST(SdesKeys, DecodeRefusesTheWrongLength) {
  SrtpKey k;
  ASSERT_TRUE(make_key(SrtpProfile::AesCm128HmacSha1_80, &k));
  const std::string b64 = encode_key(k);   // 30 bytes
  SrtpKey out;
  EXPECT_FALSE(decode_key(SrtpProfile::AeadAes128Gcm, b64, &out));   // wants 28
  EXPECT_FALSE(decode_key(SrtpProfile::AeadAes256Gcm, b64, &out));   // wants 44
  EXPECT_FALSE(decode_key(SrtpProfile::AesCm128HmacSha1_80, b64.substr(0, 36), &out));   // 27 bytes
  EXPECT_FALSE(decode_key(SrtpProfile::None, b64, &out));
  EXPECT_FALSE(decode_key(SrtpProfile::AesCm128HmacSha1_80, "not base64 at all!!!", &out));
  EXPECT_FALSE(out.valid());
}

TEST(SdesKeys, WipeZeroesKeysAndStrings) {
  SrtpKey k;
  ASSERT_TRUE(make_key(SrtpProfile::AesCm128HmacSha1_80, &k));
  k.wipe();
  EXPECT_FALSE(k.valid());
  for (uint8_t b : k.key) EXPECT_EQ(b, 0);
  std::string s = "inline:secret";
  const char* p = s.data();
  wipe_string(&s);
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(p[0], '\0');   // small-string buffer: still ours, now zero
}

TEST(FormatCrypto, PrintsTagProfileAndInlineKey) {
  EXPECT_EQ(format_crypto(1, "AES_CM_128_HMAC_SHA1_80", "abcd"), "1 AES_CM_128_HMAC_SHA1_80 inline:abcd");
  Crypto c;
  SrtpKey k;
  ASSERT_TRUE(make_key(SrtpProfile::AeadAes256Gcm, &k));
  ASSERT_TRUE(parse_crypto(format_crypto(7, "AEAD_AES_256_GCM", encode_key(k)), &c));   // our parser takes it
  EXPECT_EQ(c.tag, 7);
}

// --- offers and answers ---

RemoteMedium medium(std::vector<Crypto> lines, bool present = true) {
  RemoteMedium m;
  m.present = present;
  m.port = present ? 40000 : 0;
  m.addr = "192.0.2.1";
  m.crypto = std::move(lines);
  return m;
}

Crypto line(int tag, SrtpProfile p) {
  SrtpKey k;
  EXPECT_TRUE(make_key(p, &k));
  return Crypto{tag, media::srtp_profile_name(p), encode_key(k)};
}

TEST(SdesOffer, KeysWithTag1AndTheProfileForTheMediaPresent) {
  SdesState st;
  ASSERT_TRUE(make_offer(&st, SrtpProfile::AesCm128HmacSha1_32, /*mandatory=*/false, true, false));
  EXPECT_FALSE(st.required);
  EXPECT_TRUE(st.audio.local.valid());
  EXPECT_EQ(st.audio.local_tag, 1);
  EXPECT_EQ(st.audio.local.profile, SrtpProfile::AesCm128HmacSha1_32);
  EXPECT_FALSE(st.video.local.valid());
  LocalMedia lm;
  fill_local(st, &lm);
  EXPECT_FALSE(lm.srtp_mandatory);   // RTP/AVP + a=crypto
  EXPECT_EQ(lm.audio.crypto.rfind("1 AES_CM_128_HMAC_SHA1_32 inline:", 0), 0u) << lm.audio.crypto;
  EXPECT_EQ(lm.audio.crypto.size(), strlen("1 AES_CM_128_HMAC_SHA1_32 inline:") + 40);
  EXPECT_TRUE(lm.video.crypto.empty());

  ASSERT_TRUE(make_offer(&st, SrtpProfile::AeadAes128Gcm, /*mandatory=*/true, true, true));
  fill_local(st, &lm);
  EXPECT_TRUE(lm.srtp_mandatory);   // RTP/SAVP
  EXPECT_EQ(lm.video.crypto.rfind("1 AEAD_AES_128_GCM inline:", 0), 0u);
}

TEST(SdesAnswer, OnlyOurTagAndProfileAreAccepted) {
  SdesState st;
  ASSERT_TRUE(make_offer(&st, SrtpProfile::AesCm128HmacSha1_80, /*mandatory=*/true, true, false));
  RemoteMedia rm;
  rm.audio = medium({line(2, SrtpProfile::AesCm128HmacSha1_80), line(1, SrtpProfile::AesCm128HmacSha1_32)});
  take_answer(&st, rm);
  EXPECT_FALSE(st.audio.remote.valid()) << "wrong tag or another profile under our tag must not be accepted";
  EXPECT_TRUE(missing_required(st, rm));   // -> BYE after a 2xx

  rm.audio = medium({line(2, SrtpProfile::AesCm128HmacSha1_80), line(1, SrtpProfile::AesCm128HmacSha1_80)});
  take_answer(&st, rm);
  EXPECT_TRUE(st.audio.remote.valid());
  EXPECT_EQ(st.audio.remote_tag, 1);
  EXPECT_TRUE(st.audio.active());
  EXPECT_FALSE(missing_required(st, rm));
}

TEST(SdesAnswer, NoCryptoMeansPlainUnderOptionalAndTeardownUnderMandatory) {
  for (bool mandatory : {false, true}) {
    SdesState st;
    ASSERT_TRUE(make_offer(&st, SrtpProfile::AesCm128HmacSha1_80, mandatory, true, true));
    RemoteMedia rm;
    rm.audio = medium({});
    rm.video = medium({}, /*present=*/false);   // a refused medium needs no key
    take_answer(&st, rm);
    EXPECT_FALSE(st.audio.active());
    EXPECT_EQ(missing_required(st, rm), mandatory);
  }
}

TEST(SdesAnswer, MalformedKeyUnderOurTagIsIgnored) {
  SdesState st;
  ASSERT_TRUE(make_offer(&st, SrtpProfile::AesCm128HmacSha1_80, true, true, false));
  RemoteMedia rm;
  rm.audio = medium({Crypto{1, "AES_CM_128_HMAC_SHA1_80", "c2hvcnQ="}});   // 5 bytes
  take_answer(&st, rm);
  EXPECT_FALSE(st.audio.remote.valid());
  EXPECT_TRUE(missing_required(st, rm));
}

TEST(SdesAnswer, ASavpAnswerMakesSrtpRequired) {
  SdesState st;
  ASSERT_TRUE(make_offer(&st, SrtpProfile::AesCm128HmacSha1_80, false, true, false));
  RemoteMedia rm;
  rm.audio = medium({});
  rm.srtp_mandatory = true;
  take_answer(&st, rm);
  EXPECT_TRUE(st.required);
  EXPECT_TRUE(missing_required(st, rm));
}

TEST(SdesOfferFromPeer, FirstSupportedProfileWinsAndItsTagIsAnswered) {
  SdesState st;
  RemoteMedia rm;
  rm.audio = medium({Crypto{1, "AES_256_CM_HMAC_SHA1_80", encode_key(SrtpKey{})},   // unsupported
                     Crypto{2, "AES_CM_128_HMAC_SHA1_80", "c2hvcnQ="},             // bad key length
                     line(3, SrtpProfile::AeadAes256Gcm), line(4, SrtpProfile::AesCm128HmacSha1_80)});
  take_offer(&st, rm);
  EXPECT_FALSE(st.required);
  ASSERT_TRUE(peer_offered(st));
  EXPECT_EQ(st.audio.remote_tag, 3);
  EXPECT_EQ(st.audio.remote.profile, SrtpProfile::AeadAes256Gcm);
  ASSERT_TRUE(make_answer(&st, true, false));
  EXPECT_EQ(st.audio.local_tag, 3);
  EXPECT_EQ(st.audio.local.profile, SrtpProfile::AeadAes256Gcm);
  EXPECT_EQ(st.audio.local.key_len, 32);
  LocalMedia lm;
  fill_local(st, &lm);
  EXPECT_EQ(lm.audio.crypto.rfind("3 AEAD_AES_256_GCM inline:", 0), 0u);
  EXPECT_EQ(lm.audio.crypto.size(), strlen("3 AEAD_AES_256_GCM inline:") + 60);
}

TEST(SdesOfferFromPeer, NoUsableLineMeansNoCryptoInOurAnswer) {
  SdesState st;
  RemoteMedia rm;
  rm.audio = medium({Crypto{1, "AES_256_CM_HMAC_SHA1_80", "c2hvcnQ="}});
  rm.srtp_mandatory = true;   // RTP/SAVP
  take_offer(&st, rm);
  EXPECT_TRUE(st.required);
  EXPECT_FALSE(peer_offered(st));
  EXPECT_TRUE(missing_required(st, rm));   // accept -> 452
  ASSERT_TRUE(make_answer(&st, true, false));
  LocalMedia lm;
  fill_local(st, &lm);
  EXPECT_TRUE(lm.audio.crypto.empty());
}

TEST(SdesOfferFromPeer, ReofferWithANewKeyRekeysOnlyThePeersDirection) {
  SdesState st;
  RemoteMedia rm;
  rm.audio = medium({line(1, SrtpProfile::AesCm128HmacSha1_80)});
  take_offer(&st, rm);
  ASSERT_TRUE(make_answer(&st, true, false));
  const SrtpKey local = st.audio.local;
  const SrtpKey remote = st.audio.remote;
  st.audio.local_changed = st.audio.remote_changed = false;   // programmed

  take_offer(&st, rm);   // same offer again (e.g. a session refresh): nothing changes
  ASSERT_TRUE(make_answer(&st, true, false));
  EXPECT_FALSE(st.audio.remote_changed);
  EXPECT_FALSE(st.audio.local_changed);

  rm.audio = medium({line(5, SrtpProfile::AesCm128HmacSha1_80)});   // new key, new tag
  take_offer(&st, rm);
  ASSERT_TRUE(make_answer(&st, true, false));
  EXPECT_TRUE(st.audio.remote_changed);
  EXPECT_NE(std::memcmp(st.audio.remote.key, remote.key, 16), 0);
  EXPECT_FALSE(st.audio.local_changed);
  EXPECT_EQ(std::memcmp(st.audio.local.key, local.key, 16), 0) << "our direction keeps its key";
  EXPECT_EQ(st.audio.local_tag, 5);   // answered with the new line's tag

  rm.audio = medium({});   // a re-offer without a=crypto keeps the keys in force (as stock)
  take_offer(&st, rm);
  EXPECT_TRUE(st.audio.remote.valid());
}

// The peer called with audio line `l`; our answer is made and programmed (nothing pending).
void answer_peer(SdesState* st, RemoteMedia* rm, Crypto l) {
  rm->audio = medium({std::move(l)});
  take_offer(st, *rm);
  ASSERT_TRUE(make_answer(st, true, false));
  st->audio.local_changed = st->audio.remote_changed = false;
}

// Our a=crypto value for a medium.
std::string our_line(const SdesState& st, bool video) {
  LocalMedia lm;
  fill_local(st, &lm);
  return video ? lm.video.crypto : lm.audio.crypto;
}

TEST(SdesOfferFromPeer, ReofferWithAnotherSuiteRekeysBothDirections) {
  SdesState st;
  RemoteMedia rm;
  answer_peer(&st, &rm, line(1, SrtpProfile::AesCm128HmacSha1_80));
  const SrtpKey local = st.audio.local;

  rm.audio = medium({line(2, SrtpProfile::AesCm128HmacSha1_32)});   // same key size, other suite
  take_offer(&st, rm);
  ASSERT_TRUE(make_answer(&st, true, false));
  EXPECT_TRUE(st.audio.remote_changed);
  EXPECT_TRUE(st.audio.local_changed) << "a new suite rekeys our direction too";
  EXPECT_EQ(st.audio.local.profile, SrtpProfile::AesCm128HmacSha1_32);
  EXPECT_NE(std::memcmp(st.audio.local.key, local.key, 16), 0) << "a fresh key for the new suite";
  EXPECT_EQ(st.audio.local_tag, 2);
  EXPECT_EQ(our_line(st, false).rfind("2 AES_CM_128_HMAC_SHA1_32 inline:", 0), 0u) << our_line(st, false);
}

TEST(SdesReoffer, KeysOnlyTheMediaTheUpdateAdds) {
  SdesState st;
  ASSERT_TRUE(make_offer(&st, SrtpProfile::AesCm128HmacSha1_80, false, true, false));
  RemoteMedia rm;
  rm.audio = medium({line(1, SrtpProfile::AesCm128HmacSha1_80)});
  take_answer(&st, rm);
  const SrtpKey audio = st.audio.local;
  st.audio.local_changed = st.audio.remote_changed = false;   // programmed

  ASSERT_TRUE(make_reoffer(&st, true, true));
  EXPECT_FALSE(st.audio.local_changed);
  EXPECT_EQ(std::memcmp(st.audio.local.key, audio.key, 16), 0) << "audio keeps its key";
  ASSERT_TRUE(st.video.local.valid());
  EXPECT_TRUE(st.video.local_changed);
  EXPECT_EQ(st.video.local_tag, 1);
  EXPECT_EQ(st.video.local.profile, SrtpProfile::AesCm128HmacSha1_80);
  EXPECT_NE(std::memcmp(st.video.local.key, audio.key, 16), 0) << "one key per medium";
  EXPECT_FALSE(st.video.remote.valid()) << "the peer's answer keys the other direction";

  // The peer's answer to the re-offer: video answered with our tag and suite.
  rm.video = medium({line(1, SrtpProfile::AesCm128HmacSha1_80)});
  take_answer(&st, rm);
  EXPECT_TRUE(st.video.active());
  EXPECT_FALSE(st.audio.remote_changed) << "the same audio line again changes nothing";
}

TEST(SdesReoffer, AddedMediaTakeTheSuiteOfTheCallsKey) {
  SdesState st;
  RemoteMedia rm;   // the peer called us with AEAD_AES_256_GCM under tag 4
  answer_peer(&st, &rm, line(4, SrtpProfile::AeadAes256Gcm));
  ASSERT_TRUE(make_reoffer(&st, true, true));
  EXPECT_EQ(st.audio.local_tag, 4) << "audio keeps its line";
  EXPECT_FALSE(st.audio.local_changed);
  EXPECT_EQ(st.video.local.profile, SrtpProfile::AeadAes256Gcm);
  EXPECT_EQ(st.video.local_tag, 1);
  EXPECT_EQ(our_line(st, true).rfind("1 AEAD_AES_256_GCM inline:", 0), 0u) << our_line(st, true);
}

TEST(SdesReoffer, NothingInACallWithoutSdes) {
  SdesState st;
  ASSERT_TRUE(make_reoffer(&st, true, true));
  EXPECT_FALSE(st.audio.local.valid());
  EXPECT_FALSE(st.video.local.valid());
  RemoteMedia rm;   // a plain call from the peer
  answer_peer(&st, &rm, Crypto{});   // no usable line
  ASSERT_TRUE(make_reoffer(&st, true, true));
  EXPECT_FALSE(st.video.local.valid());
}

TEST(SdesState, ClearWipesEverything) {
  SdesState st;
  ASSERT_TRUE(make_offer(&st, SrtpProfile::AesCm128HmacSha1_80, true, true, true));
  st.clear();
  EXPECT_FALSE(st.required);
  EXPECT_FALSE(st.audio.local.valid());
  EXPECT_FALSE(st.video.local.valid());
  for (uint8_t b : st.audio.local.key) EXPECT_EQ(b, 0);
}

// Malformed a=crypto lines in a real SIP SDP: ignored by the parser, never a crash.
TEST(SdesOfferFromPeer, MalformedLinesInASipSdpAreIgnored) {
  const std::string sdp =
      "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
      "m=audio 40000 RTP/SAVP 0\r\n"
      "a=crypto:\r\n"
      "a=crypto:1\r\n"
      "a=crypto:x AES_CM_128_HMAC_SHA1_80 inline:AAAA\r\n"
      "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:\r\n"
      "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:!!!!\r\n"
      "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB|2^20|1:4\r\n"
      "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:QUFB\r\n"
      "a=crypto:99999999999 AES_CM_128_HMAC_SHA1_80 inline:QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\r\n";
  RemoteMedia rm;
  std::string why;
  ASSERT_TRUE(parse_remote(sdp, SdpType::Offer, &rm, &why)) << why;
  SdesState st;
  take_offer(&st, rm);
  EXPECT_TRUE(st.required);
  EXPECT_FALSE(peer_offered(st));   // not one usable line
  EXPECT_TRUE(missing_required(st, rm));
}

}  // namespace
}  // namespace rtpgate::ctl::sdp
