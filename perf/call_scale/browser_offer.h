// The browser's offer as a SIP plugin receives it: a Chrome audio offer (opus, RED, G722,
// PCMU, PCMA, CN, telephone-event) after Janus 1.1.2's janus_sdp_anonymize() (ICE, DTLS,
// BUNDLE, rtcp-mux and ssrc lines removed; addresses 1.1.1.1). Any thread.
#pragma once
#include <cstdint>
#include <string>

namespace rtpgate::perf {

// JSEP {"type":"offer","sdp":...}; `session_id` goes into o= (Chrome picks one per PC).
inline std::string chrome_audio_offer_jsep(uint64_t session_id) {
  std::string sdp = "v=0\\r\\no=- " + std::to_string(session_id) +
                    " 2 IN IP4 1.1.1.1\\r\\ns=-\\r\\nt=0 0\\r\\n"
                    "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\\r\\n"
                    "c=IN IP4 1.1.1.1\\r\\n"
                    "a=sendrecv\\r\\n"
                    "a=mid:0\\r\\n"
                    "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\\r\\n"
                    "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\\r\\n"
                    "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-"
                    "extensions-01\\r\\n"
                    "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\\r\\n"
                    "a=msid:5d9f4f1e-stream 0c2c3f6e-audio\\r\\n"
                    "a=rtpmap:111 opus/48000/2\\r\\n"
                    "a=rtcp-fb:111 transport-cc\\r\\n"
                    "a=fmtp:111 minptime=10;useinbandfec=1\\r\\n"
                    "a=rtpmap:63 red/48000/2\\r\\n"
                    "a=fmtp:63 111/111\\r\\n"
                    "a=rtpmap:9 G722/8000\\r\\n"
                    "a=rtpmap:0 PCMU/8000\\r\\n"
                    "a=rtpmap:8 PCMA/8000\\r\\n"
                    "a=rtpmap:13 CN/8000\\r\\n"
                    "a=rtpmap:110 telephone-event/48000\\r\\n"
                    "a=rtpmap:126 telephone-event/8000\\r\\n";
  return R"({"type":"offer","sdp":")" + sdp + R"("})";
}

}  // namespace rtpgate::perf
