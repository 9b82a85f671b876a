// libFuzzer target: the plugin's SDP functions (control/sdp) on arbitrary text, checking
// that what rewrite_for_sip() prints is an SDP the module itself reads back as announced.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "sdp/sdp.h"

namespace {

using namespace rtpgate::ctl::sdp;

// Line starts that name an attribute the rewrite always removes.
constexpr std::string_view kStripped[] = {
    "a=ice-",   "a=candidate:", "a=fingerprint:", "a=setup:",     "a=mid:",        "a=msid:",
    "a=group:", "a=ssrc:",      "a=rtcp:",        "a=rtcp-mux\r", "a=ssrc-group:", "a=bundle-only\r"};

bool has_line_prefix(const std::string& sdp, std::string_view prefix) {
  size_t pos = 0;
  while (pos < sdp.size()) {
    if (sdp.compare(pos, prefix.size(), prefix) == 0) return true;
    const size_t nl = sdp.find('\n', pos);
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  return false;
}

void check_remote(const RemoteMedium& m) {
  if (!m.present) return;
  FUZZ_CHECK(m.port != 0);
  FUZZ_CHECK(m.family == 0 || m.family == 4 || m.family == 6);
  FUZZ_CHECK(m.pt >= -1 && m.pt <= 127);
  FUZZ_CHECK(m.send == (m.direction == Direction::SendRecv || m.direction == Direction::RecvOnly));
  for (const Crypto& c : m.crypto) FUZZ_CHECK(!c.profile.empty() && !c.key_b64.empty());
}

void check_rewrite(const std::string& text, const BrowserSdpInfo& info, SdpType type, bool inspected) {
  LocalMedia lm;
  lm.sdp_ip = type == SdpType::Offer ? "198.51.100.1" : "2001:db8::1";
  lm.srtp_mandatory = type == SdpType::Answer;
  lm.audio.port = 40000;
  lm.audio.crypto = "1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz";
  lm.video.port = 40002;
  std::string out, why;
  const bool ok = rewrite_for_sip(text, type, lm, true, &out, &why);
  FUZZ_CHECK(ok == inspected);  // inspect_browser() accepts exactly what the rewrite does
  if (!ok) {
    FUZZ_CHECK(!why.empty());
    return;
  }
  for (std::string_view p : kStripped) FUZZ_CHECK(!has_line_prefix(out, p));
  RemoteMedia back;
  FUZZ_CHECK(parse_remote(out, type, &back, &why));
  if (lm.srtp_mandatory && (info.has_audio || info.has_video)) FUZZ_CHECK(back.srtp_mandatory);
  FUZZ_CHECK(back.audio.present == info.has_audio);
  FUZZ_CHECK(back.video.present == info.has_video);
  if (back.audio.present) {
    FUZZ_CHECK(back.audio.port == 40000 && back.audio.addr == lm.sdp_ip);
    FUZZ_CHECK(back.audio.crypto.size() == 1);
  }
  if (back.video.present) FUZZ_CHECK(back.video.port == 40002 && back.video.crypto.empty());
  // Our own output goes through the rewrite again (hold/unhold reuse it).
  std::string again;
  FUZZ_CHECK(rewrite_for_sip(out, type, lm, false, &again, &why));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 16384) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::string why;
  BrowserSdpInfo info;
  const bool inspected = inspect_browser(text, &info, &why);
  if (!inspected) FUZZ_CHECK(!why.empty());
  check_rewrite(text, info, SdpType::Offer, inspected);
  check_rewrite(text, info, SdpType::Answer, inspected);
  for (SdpType type : {SdpType::Offer, SdpType::Answer}) {
    RemoteMedia rm;
    if (!parse_remote(text, type, &rm, &why)) {
      FUZZ_CHECK(!why.empty());
      FUZZ_CHECK(!rm.audio.present && !rm.video.present);
      continue;
    }
    FUZZ_CHECK(inspected);  // the same parser underneath
    check_remote(rm.audio);
    check_remote(rm.video);
  }
  return 0;
}
