// Which browser a= lines survive into the SDP sent to the SIP peer (spec §9.1). Any thread.
#pragma once
#include <sofia-sip/sdp.h>

namespace rtpgate::ctl::sdp {

// False for the attributes the rewrite removes, at session or media level:
//  - spec §9.1 (HEAD): mid, msid, bundle-only, every rtcp-fb whose value does not
//    contain "nack pli", every extmap but ssrc-audio-level and video-orientation;
//  - also everything that only means something to a WebRTC peer (the Janus core
//    anonymises most of it already; we do not rely on that): group, msid-semantic,
//    ice-*, candidate, remote-candidates, end-of-candidates, fingerprint, setup,
//    connection, tls-id, dtls-id, identity, extmap-allow-mixed, rid, simulcast,
//    sctpmap, sctp-port, max-message-size;
//  - rtcp, rtcp-mux, rtcp-mux-only, rtcp-rsize: our RTCP is plain, unmuxed, on port+1;
//    the browser's a=rtcp:9 would point the peer at the discard port;
//  - ssrc and ssrc-group: dropped. They name the browser's streams (cname, msid),
//    describe rtx/simulcast groups the SIP side never gets, and the SIP peer learns
//    SSRCs from RTP anyway; keeping them only leaks identifiers;
//  - crypto: the browser never sends SDES; our own a=crypto is appended instead.
bool keep_for_sip(const sdp_attribute_t* a) noexcept;

}  // namespace rtpgate::ctl::sdp
