// What the plugin needs to know about SDPs on both sides of a call (spec §9).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace rtpgate::ctl::sdp {

enum class SdpType { Offer, Answer };

// What we advertise toward the SIP peer for one medium.
struct LocalMedium {
  uint16_t port = 0;        // RTP port on the relay (RTCP = port + 1); 0 = disable the m-line (port 0)
  std::string crypto;       // full a=crypto value ("1 AES_CM_128_HMAC_SHA1_80 inline:...") or empty
};

struct LocalMedia {
  std::string sdp_ip;       // written into every c= (IN IP4 or IN IP6 chosen from the address)
  bool srtp_mandatory = false;  // m= proto RTP/SAVP instead of RTP/AVP
  LocalMedium audio, video;
};

// Browser SDP inspected before any port is allocated (spec §4.3 checks).
struct BrowserSdpInfo {
  bool has_audio = false;   // an audio m-line with a non-zero port
  bool has_video = false;
  bool has_application = false;  // m=application present (DataChannels: refused with 448)
};

struct Crypto {
  int tag = 0;
  std::string profile;      // e.g. AES_CM_128_HMAC_SHA1_80
  std::string key_b64;      // inline: value (key || salt, base64)
};

enum class Direction { SendRecv, SendOnly, RecvOnly, Inactive };

// One medium of the SIP side's SDP (spec §9.2). "send" = we may send to the peer.
struct RemoteMedium {
  bool present = false;     // m-line exists with port != 0
  std::string addr;         // connection address (m-line c= overrides session c=); "" if none
  int family = 0;           // 4 or 6, 0 if no address
  bool on_hold_addr = false;// address 0.0.0.0 (or ::): nothing sent/received
  uint16_t port = 0;        // RTP port
  uint16_t rtcp_port = 0;   // a=rtcp if present, else port + 1
  bool rtcp_mux = false;    // a=rtcp-mux
  Direction direction = Direction::SendRecv;  // as written in the SDP (peer's view)
  bool send = true;         // we may send to the peer (peer's direction is sendrecv/recvonly)
  bool recv = true;         // we accept from the peer (peer's direction is sendrecv/sendonly)
  bool savp = false;        // proto RTP/SAVP
  int pt = -1;              // negotiated PT: first m-line PT (Opus-RED aware: the codec after red)
  int red_pt = -1;          // RED PT when the first PT was red
  std::string codec;        // rtpmap encoding name of pt, lower case ("opus", "pcmu", "vp8", ...)
  uint32_t clock_rate = 0;
  int dtmf_pt = -1;         // telephone-event PT, -1 if none
  bool pli = false;         // a=rtcp-fb:<pt|*> ... pli present (video)
  std::vector<Crypto> crypto;  // every a=crypto line, in order
};

struct RemoteMedia {
  RemoteMedium audio, video;
  bool srtp_mandatory = false;  // any RTP/SAVP m-line
};

}  // namespace rtpgate::ctl::sdp
