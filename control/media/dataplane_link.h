// The plugin's link to the rtpgate data plane: attaches to the shared region (lazily, and
// again after a data-plane restart), allocates relay ports and TO_CTL flows per medium,
// moves browser packets to the data plane and runs the one bridge thread that hands the
// peer's packets to each stream's Sink.
//
// Threads and locks (taken in this order, never the other way round):
//   ctl_mu_       control state: the ControlClient (command/completion rings, bitmaps,
//                 slot params), streams_, attach/detach. Held by start/stop/available/
//                 open_stream/set_peer/close_stream (the plugin's control thread) and, with
//                 try_lock, by the bridge thread's periodic maintenance.
//   dispatch_mu_  what the bridge reads while it drains a burst: the data plane -> control
//                 rings and the flow owners' Stream pointers. The bridge holds it per burst
//                 (Sinks run under it); close_stream/attach/detach take it to change them.
//   rings_ lanes  one mutex per control -> data plane ring (send_to_peer from Janus's
//                 threads); attach/detach take them all, close_stream passes a barrier.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "media/flow_commands.h"
#include "media/media_types.h"
#include "media/stream_state.h"
#include "media/to_dp_rings.h"

namespace rtpgate::ctl::media {

class DataPlaneLink {
 public:
  DataPlaneLink() = default;
  ~DataPlaneLink() { stop(); }
  DataPlaneLink(const DataPlaneLink&) = delete;
  DataPlaneLink& operator=(const DataPlaneLink&) = delete;

  // Starts the bridge thread and tries to attach. A missing data plane is not an error:
  // the link keeps trying (on use and every attach_retry_ms). False only on bad options.
  bool start(const DataPlaneOptions& options, std::string* why);
  // Closes every stream still open (removing its flows), stops the bridge, detaches.
  void stop();

  // Media requests can be served now; otherwise *why says why (for the log / the error).
  // Any thread; waits while the control thread runs a command (at most cmd_timeout_ms).
  bool available(std::string* why);

  // Allocates an even RTP port (+1 for RTCP) on the media address equal to sdp_ip (the
  // first address when empty or not one of the data plane's) and installs its two flows.
  bool open_stream(const std::string& sdp_ip, bool video, Sink* sink, StreamInfo* out, std::string* why);
  // Points both flows at the peer (out_dst) and applies the direction flags.
  bool set_peer(StreamId id, const PeerTarget& peer, std::string* why);
  // SDES-SRTP of a stream's two flows (link_srtp.cc): `to_peer` protects what the data plane
  // sends, `from_peer` unprotects what it receives, nullptr/invalid = plain. A direction
  // whose key did not change keeps its context (and its ROC/replay state).
  bool set_srtp(StreamId id, const SrtpKey* to_peer, const SrtpKey* from_peer, std::string* why);
  // Removes the flows and frees ports and slots. When it returns the sink is never called
  // again for this stream and send_to_peer(id) drops.
  void close_stream(StreamId id);
  // Browser -> peer, any thread, non-blocking, no allocation. False = dropped (counted).
  // Remaining window: a packet already queued on a ring when the stream is closed can still
  // leave on the flow if the data plane drains it before the removal, or on the slot's next
  // user if that slot were removed and re-installed before the data plane drained it (slots
  // are handed out round-robin, so a slot is reused only after every other free one).
  bool send_to_peer(StreamId id, bool rtcp, const uint8_t* data, uint16_t len) noexcept;

  // False once the data plane that carried the stream went away (restart): the caller
  // should close it (and open a new one to continue).
  bool stream_alive(StreamId id);
  bool stream_counters(StreamId id, StreamCounters* out);
  // RTP forwarders of a stream (forwarders.cc, spec §4.17): the data plane sends a copy of
  // every RTP packet the peer sends on it (`from_peer`) or that send_to_peer sends, to `t`.
  // *fwd = the forwarder's handle. close_stream removes them with the stream.
  bool add_forwarder(StreamId id, bool from_peer, const FwdTarget& t, uint32_t* fwd, std::string* why);
  void remove_forwarder(StreamId id, uint32_t fwd);
  bool forwarder_counters(StreamId id, uint32_t fwd, FwdCounters* out);
  // Recording of one direction of a stream (link_record.cc): `from_peer` = what the SIP peer
  // sends, else what send_to_peer sends; plain RTP, written by the data plane's recorder.
  // A running recording of that direction is stopped first. stop_recording is idempotent;
  // close_stream stops both.
  bool start_recording(StreamId id, bool from_peer, const RecSpec& r, std::string* why);
  void stop_recording(StreamId id, bool from_peer);
  // Pause (no copies; the file stays open) or resume a running recording.
  bool pause_recording(StreamId id, bool from_peer, bool paused, std::string* why);
  bool recording_status(StreamId id, bool from_peer, rtpgate_shm_rec_status* out);
  // RTCP PLI to the peer on the stream's RTCP path, generated by the data plane (rate-limited
  // per flow unless `force`); sender_ssrc 0 = the last SSRC we sent on the stream.
  bool request_pli(StreamId id, uint32_t sender_ssrc, bool force, std::string* why);
  // Flow ids (RTP, RTCP) of a stream and the data plane's counters of both (query_session).
  bool stream_flows(StreamId id, uint32_t flows[2], rtpgate_shm_flow_counters ctr[2]);
  // The SRTP entries the stream's flows name in the region, as the last FLOW_MODIFY gave
  // them to the data plane, and their profiles (query_session; link_srtp.cc).
  bool stream_srtp(StreamId id, StreamSrtpSlots* out);
  const LinkCounters& counters() const noexcept { return ctr_; }
  size_t open_streams();
  // One maintenance pass now (the bridge thread runs one every attach_retry_ms).
  void maintain();

 private:
  // ctl_mu_ held.
  bool refresh_locked();
  bool usable_locked(std::string* why);
  void try_attach_locked();
  void detach_locked();
  void reclaim_leftovers_locked();
  void maintain_locked();
  bool claim_port_pair_locked(uint32_t addr_idx, uint16_t* port);
  void register_locked(Stream* s);
  void unregister_locked(Stream* s);
  // Allocated flows and port pair of `s` installed (and registered); released on failure.
  Errc install_flows_locked(Stream& s);
  bool program_peer_locked(Stream& s, const PeerTarget& peer, std::string* why);
  bool set_srtp_locked(Stream& s, const SrtpKey* to_peer, const SrtpKey* from_peer, std::string* why);
  // After a data-plane restart (link_readopt.cc): every orphaned stream gets the same flow
  // slots and relay ports in the new region, its flows, peer and SDES contexts again.
  void readopt_orphans_locked();
  bool readopt_locked(Stream& s, std::string* why);
  Stream* find_locked(StreamId id);
  // The stream, on the data plane attached now; nullptr + *why otherwise.
  Stream* live_stream_locked(StreamId id, std::string* why);
  // Deletes a stream's SRTP contexts in the data plane and frees (wipes) their entries.
  void release_srtp_locked(Stream& s);
  // Deletes SRTP entries an earlier plugin instance left in the region (our cookie tag).
  void reclaim_srtp_leftovers_locked();
  bool relink_locked(Stream& s, std::string* why);  // forwarders.cc
  // Points the RTP flow at the stream's recording entries (FLOW_MODIFY); link_record.cc.
  Errc apply_rec_locked(Stream& s);
  // Ends a direction's recording: `detach` first points the flow away from it (not needed
  // once the flows are removed), then REC_STOP and the entry is freed. link_record.cc.
  void stop_recording_locked(Stream& s, int dir, bool detach);
  uint32_t fwd_srtp_locked(const SrtpKey& k, uint32_t cookie, std::string* why);  // forwarders.cc
  void fwd_srtp_del_locked(const uint32_t* idx, uint32_t n);                      // forwarders.cc
  void release_fwd_srtp_locked(Stream& s);  // forwarders.cc: after the forwarder flows are removed
  // Bridge thread (peer_bridge.cc).
  void bridge_main();
  uint32_t drain_locked(uint32_t budget);
  void idle_wait(uint32_t idle_rounds, bool deep);

  DataPlaneOptions opt_;
  LinkCounters ctr_;

  std::mutex ctl_mu_;
  std::optional<FlowCommands> cmds_;  // attached controller
  uint64_t generation_ = 0;
  std::string detach_why_;            // why we are not attached
  std::map<StreamId, std::unique_ptr<Stream>> streams_;
  uint32_t serial_ = 0;
  uint32_t port_cursor_ = 0;
  bool subset_warned_ = false;
  bool sdp_ip_warned_ = false;
  bool reclaim_pending_ = false;      // leftovers of an earlier plugin instance not removed yet
  // Orphaned streams wait for the new data plane to run (link_readopt.cc); the bridge then
  // runs its maintenance every kReadoptPollMs instead of attach_retry_ms.
  std::atomic<bool> readopt_pending_{false};

  std::mutex dispatch_mu_;
  std::atomic<uint32_t> dispatch_waiters_{0};
  uint32_t n_from_dp_ = 0;  // data plane -> control rings (dispatch_mu_)
  rtpgate_shm_ring_hdr* from_dp_[RTPGATE_SHM_MAX_PKT_RINGS] = {};
  std::unique_ptr<FlowOwner[]> owners_;  // dispatch_mu_ + every lane to replace
  uint32_t owner_cap_ = 0;
  alignas(64) uint8_t bounce_[RTPGATE_PKT_SLOT_DATA];  // bridge thread: packet handed to a sink

  ToDpRings rings_;

  std::thread bridge_;
  std::atomic<bool> stop_{false};
  std::atomic<size_t> n_streams_{0};
  std::mutex wake_mu_;
  std::condition_variable wake_cv_;
};

}  // namespace rtpgate::ctl::media
