// Summaries and ids of a call's RTP forwarders (see rtp_forwarders.h). Loop thread.
#include "rtp_forwarders.h"

#include <random>

namespace rtpgate::ctl {

Json RtpForwarder::summary(uint32_t stream_id) const {
  Json j = Json::object();
  j.set("stream_id", json_integer(stream_id));
  j.set("type", json_string(type.c_str()));
  j.set("host", json_string(host.c_str()));
  j.set("port", json_integer(port));
  j.set("media", json_string(video ? "video" : "audio"));
  if (pt >= 0) j.set("pt", json_integer(pt));
  if (ssrc >= 0) j.set("ssrc", json_integer(ssrc));
  if (srtp) j.set("srtp", json_true());
  return j;
}

uint32_t RtpForwarders::new_id() const {
  static thread_local std::mt19937 rng{std::random_device{}()};
  while (true) {
    const uint32_t id = static_cast<uint32_t>(rng());
    if (id != 0 && by_id.count(id) == 0) return id;
  }
}

Json RtpForwarders::list() const {
  Json a(json_array());
  for (const auto& [id, f] : by_id) json_array_append_new(a.get(), f.summary(id).release());
  return a;
}

}  // namespace rtpgate::ctl
