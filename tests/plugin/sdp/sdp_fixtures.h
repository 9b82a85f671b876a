// Realistic SDPs for the sdp/ unit tests: browsers (Chrome, Firefox) on the WebRTC side,
// SIP user agents (sipp, baresip, Asterisk, a WebRTC gateway) on the SIP side.
// Written with "\n"; crlf() gives the wire form.
#pragma once
#include <string>
#include <string_view>

namespace rtpgate::ctl::sdp::fixtures {

inline std::string crlf(std::string_view lf) {
  std::string out;
  for (char c : lf) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

// Chrome 120-ish offer: opus + RED + telephone-event, VP8/H264 with rtx, BUNDLE, ICE, DTLS.
inline constexpr std::string_view kChromeOffer = R"(v=0
o=- 4611731400430051336 2 IN IP4 127.0.0.1
s=-
t=0 0
a=group:BUNDLE 0 1
a=extmap-allow-mixed
a=msid-semantic: WMS 5d9f4f1e-stream
m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126
c=IN IP4 0.0.0.0
a=rtcp:9 IN IP4 0.0.0.0
a=candidate:842163049 1 udp 1677729535 203.0.113.7 61234 typ srflx raddr 192.168.1.10 rport 61234 generation 0 network-cost 999
a=end-of-candidates
a=ice-ufrag:Zq3T
a=ice-pwd:Pq1o6p2u7Y1cYdZk3D0Wn8Hb
a=ice-options:trickle
a=fingerprint:sha-256 75:74:5A:A6:A4:E5:52:F4:A7:67:4C:01:C7:EE:91:3F:21:3D:A2:E3:53:7B:6F:30:86:F2:30:FF:A6:22:D2:04
a=setup:actpass
a=mid:0
a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
a=sendrecv
a=msid:5d9f4f1e-stream 0c2c3f6e-audio
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:111 opus/48000/2
a=rtcp-fb:111 transport-cc
a=fmtp:111 minptime=10;useinbandfec=1
a=rtpmap:63 red/48000/2
a=fmtp:63 111/111
a=rtpmap:9 G722/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:13 CN/8000
a=rtpmap:110 telephone-event/48000
a=rtpmap:126 telephone-event/8000
a=ssrc:1001 cname:yZ8k2Jt0
a=ssrc:1001 msid:5d9f4f1e-stream 0c2c3f6e-audio
m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103
c=IN IP4 0.0.0.0
a=rtcp:9 IN IP4 0.0.0.0
a=ice-ufrag:Zq3T
a=ice-pwd:Pq1o6p2u7Y1cYdZk3D0Wn8Hb
a=ice-options:trickle
a=fingerprint:sha-256 75:74:5A:A6:A4:E5:52:F4:A7:67:4C:01:C7:EE:91:3F:21:3D:A2:E3:53:7B:6F:30:86:F2:30:FF:A6:22:D2:04
a=setup:actpass
a=mid:1
a=extmap:14 urn:ietf:params:rtp-hdrext:toffset
a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
a=extmap:13 urn:3gpp:video-orientation
a=extmap:12 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay
a=sendrecv
a=msid:5d9f4f1e-stream 9a8b7c6d-video
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:96 VP8/90000
a=rtcp-fb:96 goog-remb
a=rtcp-fb:96 transport-cc
a=rtcp-fb:96 ccm fir
a=rtcp-fb:96 nack
a=rtcp-fb:96 nack pli
a=rtpmap:97 rtx/90000
a=fmtp:97 apt=96
a=rtpmap:102 H264/90000
a=rtcp-fb:102 goog-remb
a=rtcp-fb:102 nack pli
a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f
a=rtpmap:103 rtx/90000
a=fmtp:103 apt=102
a=ssrc-group:FID 2001 2002
a=ssrc:2001 cname:yZ8k2Jt0
a=ssrc:2001 msid:5d9f4f1e-stream 9a8b7c6d-video
a=ssrc:2002 cname:yZ8k2Jt0
a=ssrc:2002 msid:5d9f4f1e-stream 9a8b7c6d-video
)";

// Firefox 121-ish offer: session-level DTLS/ICE, extmap with directions, a DataChannel.
inline constexpr std::string_view kFirefoxOfferWithData = R"(v=0
o=mozilla...THIS_IS_SDPARTA-99.0 5209426290592297355 0 IN IP4 0.0.0.0
s=-
t=0 0
a=fingerprint:sha-256 2E:4A:3B:0D:6F:C4:9E:A1:7C:55:1F:04:AB:90:3D:2C:8E:7B:61:D5:0A:F3:96:48:12:BE:7D:C9:53:E0:A4:17
a=group:BUNDLE 0 1 2
a=ice-options:trickle
a=msid-semantic:WMS *
m=audio 9 UDP/TLS/RTP/SAVPF 109 9 0 8 101
c=IN IP4 0.0.0.0
a=sendrecv
a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
a=extmap:2/recvonly urn:ietf:params:rtp-hdrext:csrc-audio-level
a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid
a=fmtp:109 maxplaybackrate=48000;stereo=1;useinbandfec=1
a=fmtp:101 0-15
a=ice-pwd:1e7b4e1d7c3a8f2b9d6e5c4a3b2a1f0e
a=ice-ufrag:8a1c2d3e
a=mid:0
a=msid:{b0a1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d} {c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f}
a=rtcp-mux
a=rtpmap:109 opus/48000/2
a=rtpmap:9 G722/8000/1
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000/1
a=setup:actpass
a=ssrc:3735928559 cname:{d2e3f4a5-b6c7-4d8e-9f0a-1b2c3d4e5f6a}
m=video 9 UDP/TLS/RTP/SAVPF 120 124 121 125
c=IN IP4 0.0.0.0
a=sendrecv
a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid
a=extmap:4 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
a=extmap:5 urn:ietf:params:rtp-hdrext:toffset
a=extmap:6/recvonly http://www.webrtc.org/experiments/rtp-hdrext/playout-delay
a=extmap:7 urn:3gpp:video-orientation
a=fmtp:121 profile-level-id=42e01f;level-asymmetry-allowed=1;packetization-mode=1
a=fmtp:125 apt=121
a=fmtp:120 max-fs=12288;max-fr=60
a=fmtp:124 apt=120
a=ice-pwd:1e7b4e1d7c3a8f2b9d6e5c4a3b2a1f0e
a=ice-ufrag:8a1c2d3e
a=mid:1
a=rtcp-fb:120 nack
a=rtcp-fb:120 nack pli
a=rtcp-fb:120 ccm fir
a=rtcp-fb:120 goog-remb
a=rtcp-fb:121 nack
a=rtcp-fb:121 nack pli
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:120 VP8/90000
a=rtpmap:124 rtx/90000
a=rtpmap:121 H264/90000
a=rtpmap:125 rtx/90000
a=setup:actpass
a=ssrc:1122334455 cname:{d2e3f4a5-b6c7-4d8e-9f0a-1b2c3d4e5f6a}
m=application 9 UDP/DTLS/SCTP webrtc-datachannel
c=IN IP4 0.0.0.0
a=sendrecv
a=ice-pwd:1e7b4e1d7c3a8f2b9d6e5c4a3b2a1f0e
a=ice-ufrag:8a1c2d3e
a=mid:2
a=setup:actpass
a=sctp-port:5000
a=max-message-size:1073741823
)";

// Chrome's answer to a SIP offer of PCMU/PCMA/telephone-event and three H264 profiles
// (after the Janus core anonymised it): duplicate H264 and rtx PTs.
inline constexpr std::string_view kChromeAnswer = R"(v=0
o=- 7027812254470823521 2 IN IP4 127.0.0.1
s=-
t=0 0
a=msid-semantic: WMS
m=audio 9 UDP/TLS/RTP/SAVPF 0 8 101 102
c=IN IP4 0.0.0.0
a=sendrecv
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=rtpmap:102 telephone-event/8000
a=fmtp:101 0-15
m=video 9 UDP/TLS/RTP/SAVPF 104 106 108 105 107
c=IN IP4 0.0.0.0
b=AS:2000
b=TIAS:2000000
a=recvonly
a=rtpmap:104 H264/90000
a=rtcp-fb:104 nack pli
a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f
a=rtpmap:106 h264/90000
a=rtcp-fb:106 nack pli
a=fmtp:106 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f
a=rtpmap:108 H264/90000
a=rtcp-fb:108 nack pli
a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f
a=rtpmap:105 rtx/90000
a=fmtp:105 apt=104
a=rtpmap:107 rtx/90000
a=fmtp:107 apt=106
)";

// sipp's default uac scenario.
inline constexpr std::string_view kSippOffer = R"(v=0
o=user1 53655765 2353687637 IN IP4 192.0.2.10
s=-
c=IN IP4 192.0.2.10
t=0 0
m=audio 6000 RTP/AVP 0
a=rtpmap:0 PCMU/8000
)";

// baresip 3.x: opus/PCMU/PCMA + telephone-event; video on RTP/AVPF with rtcp-fb:*.
inline constexpr std::string_view kBaresipOffer = R"(v=0
o=- 1445733915 3982612171 IN IP4 198.51.100.20
s=-
c=IN IP4 198.51.100.20
t=0 0
m=audio 10000 RTP/AVP 96 0 8 101
b=AS:64
a=rtpmap:96 opus/48000/2
a=fmtp:96 stereo=1;sprop-stereo=1
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=rtcp-rsize
a=sendrecv
a=label:1
a=ssrc:3059225826 cname:sip:alice@example.org
a=mid:1
m=video 10002 RTP/AVPF 100 96
b=AS:1500
a=rtpmap:100 H264/90000
a=fmtp:100 packetization-mode=0
a=rtpmap:96 VP8/90000
a=rtcp-fb:* nack pli
a=rtcp-fb:* ccm fir
a=rtcp-rsize
a=sendrecv
a=label:2
a=mid:2
)";

// Asterisk 20 with SDES-SRTP (media_encryption=sdes): two crypto suites, one with a
// lifetime, one with an MKI (refused), ptime/maxptime.
inline constexpr std::string_view kAsteriskSrtpOffer = R"(v=0
o=- 1916410513 1916410513 IN IP4 203.0.113.50
s=Asterisk
c=IN IP4 203.0.113.50
t=0 0
m=audio 13024 RTP/SAVP 8 0 9 101
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20
a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj
a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^20|1:32
a=rtpmap:8 PCMA/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:9 G722/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-16
a=ptime:20
a=maxptime:150
a=sendrecv
)";

// A re-INVITE putting the call on hold RFC 2543 style (c=0.0.0.0) plus a=sendonly, with
// an explicit RTCP port and rtcp-mux.
inline constexpr std::string_view kHoldOffer = R"(v=0
o=root 1111 1112 IN IP4 192.0.2.30
s=call
c=IN IP4 0.0.0.0
t=0 0
m=audio 20000 RTP/AVP 8 101
a=rtcp:20011
a=rtcp-mux
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=sendonly
)";

// IPv6 peer, session-level inactive with a media-level override on video.
inline constexpr std::string_view kIpv6Offer = R"(v=0
o=- 20518 0 IN IP6 2001:db8::10
s=-
c=IN IP6 2001:db8::10
t=0 0
a=inactive
m=audio 30000 RTP/AVP 9 18
m=video 30002 RTP/AVP 96
c=IN IP6 2001:db8::20
a=rtpmap:96 VP8/90000
a=recvonly
)";

// A WebRTC-capable SIP endpoint answering with Opus-RED first.
inline constexpr std::string_view kOpusRedAnswer = R"(v=0
o=- 42 43 IN IP4 192.0.2.40
s=-
c=IN IP4 192.0.2.40
t=0 0
m=audio 40000 RTP/AVP 63 111 110 126
a=rtpmap:63 red/48000/2
a=fmtp:63 111/111
a=rtpmap:111 opus/48000/2
a=rtpmap:110 telephone-event/48000
a=rtpmap:126 telephone-event/8000
m=video 0 RTP/AVP 96
)";

}  // namespace rtpgate::ctl::sdp::fixtures
