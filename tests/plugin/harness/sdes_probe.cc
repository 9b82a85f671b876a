// SDP a=crypto lines and query_session's SRTP slots for the SDES tests (see sdes_probe.h).
#include "sdes_probe.h"

#include <regex>

#include "json_ref.h"

namespace rtpgate::test {

std::vector<std::string> crypto_of(const std::string& sdp, const std::string& kind) {
  std::vector<std::string> out;
  const size_t m = sdp.find("m=" + kind + " ");
  if (m == std::string::npos) return out;
  const size_t end = sdp.find("\nm=", m + 2);
  const std::string sec = sdp.substr(m, end == std::string::npos ? std::string::npos : end - m);
  static const std::regex re("a=crypto:([^\r\n]*)");
  for (auto it = std::sregex_iterator(sec.begin(), sec.end(), re); it != std::sregex_iterator(); ++it)
    out.push_back((*it)[1].str());
  return out;
}

SrtpSlots srtp_slots(janus_plugin_session* h, const std::string& kind) {
  SrtpSlots s;
  JsonRef q = FakeJanus::instance().query_session(h);
  const json_t* m = json_object_get(json_object_get(q.get(), "rtpgate"), kind.c_str());
  const auto in = integer_at(m, "srtp_in_slot"), out = integer_at(m, "srtp_out_slot");
  if (!in || !out) return s;
  s.found = true;
  s.in = *in;
  s.out = *out;
  s.in_profile = string_at(m, "srtp_in_profile").value_or("?");
  s.out_profile = string_at(m, "srtp_out_profile").value_or("?");
  s.rtcp_same = bool_at(m, "srtp_rtcp_same").value_or(false);
  return s;
}

}  // namespace rtpgate::test
