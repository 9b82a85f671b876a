// The RTP forwarders of one call (spec §4.17, HEAD's rtp_forward): what the API reports
// about each (its summary) and the data-plane handle of the forwarder flow behind it.
// Loop thread only; lives in CallState, so it goes with the call (the streams' close
// removes the forwarder flows in the data plane).
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include "json.h"

namespace rtpgate::ctl {

struct RtpForwarder {
  std::string type;        // audio, video, peer_audio, peer_video
  std::string host;        // as given
  uint16_t port = 0;
  bool video = false;
  bool peer = false;       // the SIP peer's media (peer_*)
  int pt = -1;             // rewrite, -1 = none
  long long ssrc = -1;     // rewrite, -1 = none
  bool srtp = false;
  uint32_t handle = 0;     // data-plane forwarder (DataPlaneLink::add_forwarder)

  // {stream_id, type, host, port, media, pt?, ssrc?, srtp?}
  Json summary(uint32_t stream_id) const;
};

struct RtpForwarders {
  std::map<uint32_t, RtpForwarder> by_id;  // by stream_id

  // A random stream id not in use (never 0).
  uint32_t new_id() const;
  Json list() const;  // summaries, in stream_id order
};

}  // namespace rtpgate::ctl
