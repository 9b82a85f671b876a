// The relay streams of one call (spec §10–11 on rtpgate's data plane): per medium an RTP
// port pair on the data plane, programmed toward the SIP peer, bridged to the browser.
// open/set_remote/close run on the loop thread; from_browser runs on Janus's threads and
// only reads atomics.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "json.h"
#include "media/forwarders.h"
#include "media/media_types.h"
#include "media/srtp_keys.h"
#include "sdp/sdp_types.h"

namespace rtpgate::ctl {

class Session;

class CallMedia {
 public:
  CallMedia();
  ~CallMedia();
  CallMedia(const CallMedia&) = delete;
  CallMedia& operator=(const CallMedia&) = delete;

  // Allocates relay ports for the media present (keeps streams that already exist).
  // False + *why when the data plane is absent or out of ports/flows; the streams this
  // call opened are closed again, those that existed before are kept.
  bool open(Session& s, bool audio, bool video, std::string* why);
  // The relay address and ports to advertise (after open).
  std::string relay_ip() const;
  uint16_t port(bool video) const;
  bool has(bool video) const;
  // Points the streams at the peer's SDP (spec §9.2); media without a stream are ignored.
  bool set_remote(const sdp::RemoteMedia& r, std::string* why);
  // SDES-SRTP of one medium's stream (RTP and RTCP flows): `to_peer` protects what the data
  // plane sends to the peer, `from_peer` unprotects what it receives; nullptr (or an invalid
  // key) = plain in that direction. Replaces each direction's context independently (a
  // re-INVITE rekeying one side does not disturb the other). False + *why when the data
  // plane refuses or has no SRTP capacity left.
  bool set_srtp(bool video, const media::SrtpKey* to_peer, const media::SrtpKey* from_peer, std::string* why);
  // Our hold (spec §4.8, §11): while held, nothing goes to the peer unless `dir` is
  // sendonly and nothing from the peer is kept unless it is recvonly. Takes effect at the
  // next set_remote() (the caller re-applies the peer's SDP).
  void set_local_hold(bool held, sdp::Direction dir) noexcept;
  // Browser media may flow toward the peer (status progress/established).
  void set_live(bool live) noexcept;
  // Frees every stream (flows removed, ports back); idempotent.
  void close();
  // Stops from_browser immediately (handle going away); close() follows on the loop.
  void disable() noexcept;

  // A 12-byte RTCP PLI to the peer on the video stream's RTCP path (spec §12), built and
  // sent by the data plane (SRTCP when the leg is SRTP): sender = the browser's video SSRC,
  // media = the peer's. Rate-limited per flow unless `force`. False when there is no video
  // stream or the data plane did not take it (loop thread).
  bool send_peer_pli(bool force = false);
  // Recording (spec §4.15) of one medium to `r.path`, done by the data plane: `peer` = what
  // the SIP peer sends, else what the browser sends. A running recording of the same kind
  // is replaced. False + *why when the medium has no stream or the data plane refuses.
  // Loop thread; close() stops them all (the files are closed valid).
  bool start_recording(bool video, bool peer, const media::RecSpec& r, std::string* why);
  void stop_recording(bool video, bool peer);
  bool pause_recording(bool video, bool peer, bool paused, std::string* why);
  // The file being recorded ("" = none).
  std::string recording_file(bool video, bool peer) const;
  // Per-file state and counters of the running recordings (query_session), {} = none.
  Json recording_info() const;
  // RTP forwarders (spec §4.17) on a medium's stream, in the data plane: `peer` copies what
  // the SIP peer sends, else what the browser sends. False + *why when the medium has no
  // stream or the data plane refuses. Loop thread; close() removes them all.
  bool add_forwarder(bool video, bool peer, const media::FwdTarget& t, uint32_t* handle, std::string* why);
  void remove_forwarder(bool video, uint32_t handle);
  bool forwarder_counters(bool video, uint32_t handle, media::FwdCounters* out) const;

  // Ports, peer and counters for query_session (loop thread).
  Json info() const;

  // Janus threads: one packet from the browser.
  void from_browser(bool video, bool rtcp, uint8_t* buf, uint16_t len) noexcept;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace rtpgate::ctl
