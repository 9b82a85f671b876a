// HEAD's media requests (spec §4.16 keyframe, §4.17 rtp_forward / stop_rtp_forward /
// listforwarders), query_session's data-plane fields and handle_admin_message. Janus 1.1.2
// has none of the requests (442, checked against the stock plugin); rtpgate runs them in
// a call answered by a ScriptedPeer, with the harness's real data plane (with_dataplane.sh:
// a net_null port on 10.99.0.1/24, next hop 10.99.0.254 static).
#include <chrono>
#include <thread>

#include <cstdlib>
#include <string>

#include "janus_headers.h"
#include "rtpgate/shm/region_map.h"
#include "plugin_test_env.h"
#include "scripted_peer.h"

namespace rtpgate::test {
namespace {

constexpr const char* kCallId = "media-call";
constexpr const char* kNotInCall = "Wrong state (not in a call?)";

// Audio PCMU + telephone-event, and VP8 video with or without rtcp-fb pli.
std::string answer_sdp(bool pli) {
  std::string sdp =
      "v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
      "m=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
      "a=sendrecv\r\n"
      "m=video 40002 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n";
  if (pli) sdp += "a=rtcp-fb:96 nack pli\r\n";
  return sdp + "a=sendrecv\r\n";
}

std::optional<PluginEvent> wait_result(janus_plugin_session* h, const std::string& name) {
  return FakeJanus::instance().wait_event_if(
      h, [&](const PluginEvent& e) { return e.result_event() == name; }, kEventTimeout);
}

std::string dump(const json_t* j) {
  char* t = json_dumps(j, JSON_SORT_KEYS);
  std::string out = t != nullptr ? t : "(null)";
  free(t);
  return out;
}

const json_t* at(const json_t* o, std::initializer_list<const char*> path) {
  for (const char* k : path) o = o != nullptr ? json_object_get(o, k) : nullptr;
  return o;
}

// ---- outside a call: both plugins ----------------------------------------------------

using MediaRequests = PluginApiTest;

TEST_F(MediaRequests, RtpForwardOutsideACallIs447) {
  auto* h = attach();
  PluginEvent ev = request(h, R"({"request":"rtp_forward","streams":[{"type":"audio","host":"127.0.0.1","port":5000}]})");
  if (stock()) EXPECT_TRUE(IsError(ev, 442, "Unknown request (rtp_forward)"));
  else EXPECT_TRUE(IsError(ev, 447, "Wrong state (not in a call)"));
}

TEST_F(MediaRequests, StopRtpForwardOfAnUnknownStreamIs455InAnyState) {
  auto* h = attach();
  PluginEvent ev = request(h, R"({"request":"stop_rtp_forward","stream_id":1234})");
  if (stock()) EXPECT_TRUE(IsError(ev, 442, "Unknown request (stop_rtp_forward)"));
  else EXPECT_TRUE(IsError(ev, 455, "No such stream (1234)"));
}

TEST_F(MediaRequests, StopRtpForwardIsValidated) {
  if (stock()) GTEST_SKIP() << "stop_rtp_forward is HEAD-only: Janus 1.1.2 answers 442 (checked above)";
  auto* h = attach();
  EXPECT_TRUE(IsError(request(h, R"({"request":"stop_rtp_forward"})"), 443, "Missing mandatory element (stream_id)"));
  EXPECT_TRUE(IsError(request(h, R"({"request":"stop_rtp_forward","stream_id":"1"})"), 444,
                      "Invalid element type (stream_id should be a positive integer)"));
  EXPECT_TRUE(IsError(request(h, R"({"request":"stop_rtp_forward","stream_id":-3})"), 444,
                      "Invalid element type (stream_id should be a positive integer)"));
}

TEST_F(MediaRequests, ListforwardersWithoutACallIsEmpty) {
  auto* h = attach();
  PluginEvent ev = request(h, R"({"request":"listforwarders"})");
  if (stock()) EXPECT_TRUE(IsError(ev, 442, "Unknown request (listforwarders)"));
  else EXPECT_TRUE(PayloadIs(ev, R"({"sip":"event","result":{"event":"forwarders","rtp_forwarders":[]}})"));
}

// The stock plugin has no handle_admin_message; ours answers stats and refuses the rest.
TEST_F(MediaRequests, AdminMessages) {
  janus_plugin* p = core().plugin();
  if (stock()) {
    EXPECT_EQ(p->handle_admin_message, nullptr);
    return;
  }
  ASSERT_NE(p->handle_admin_message, nullptr);
  auto* h = attach();
  (void)h;
  JsonRef stats(p->handle_admin_message(json_pack("{ss}", "request", "stats")));
  ASSERT_TRUE(stats);
  EXPECT_EQ(string_at(stats.get(), "rtpgate"), "stats");
  EXPECT_GE(integer_at(stats.get(), "sessions").value_or(0), 1);
  EXPECT_TRUE(json_is_boolean(at(stats.get(), {"dataplane", "available"})));
  EXPECT_TRUE(json_is_integer(at(stats.get(), {"dataplane", "counters", "to_dp_pkts"})));
  EXPECT_TRUE(json_is_array(json_object_get(stats.get(), "calls")));
  JsonRef bad(p->handle_admin_message(json_pack("{ss}", "request", "nope")));
  ASSERT_TRUE(bad);
  EXPECT_EQ(integer_at(bad.get(), "error_code"), 442);
  EXPECT_EQ(string_at(bad.get(), "error"), "Unknown request (nope)");
  JsonRef none(p->handle_admin_message(json_object()));
  EXPECT_EQ(integer_at(none.get(), "error_code"), 443);
  EXPECT_EQ(string_at(none.get(), "error"), "Missing mandatory element (request)");
}

// ---- in a call: rtpgate (the requests are HEAD-only) ----------------------------------

class MediaInCall : public PluginApiTest {
 protected:
  void SetUp() override {
    if (stock()) GTEST_SKIP() << "keyframe/rtp_forward are HEAD-only: Janus 1.1.2 answers 442 (MediaRequests.*)";
    if (std::getenv("RTPGATE_HARNESS_MEDIA_IP") == nullptr) GTEST_SKIP() << "needs the harness data plane";
  }
  void start(bool pli = true) {
    peer_.script("INVITE", {{200, "OK", "", "application/sdp", answer_sdp(pli)}});
    h_ = attach();
    ASSERT_TRUE(IsResult(request(h_, R"({"request":"register","type":"guest","username":"sip:alice@127.0.0.1"})"),
                         "registered"));
    ASSERT_TRUE(IsResult(request(h_, R"({"request":"call","call_id":")" + std::string(kCallId) + R"(","uri":")" +
                                         peer_.uri("bob") + "\"}",
                                 offer_jsep(true, true)),
                         "calling"));
    ASSERT_TRUE(wait_result(h_, "accepted"));
    invite_ = peer_.wait_request("INVITE", kEventTimeout).value_or("");
    ASSERT_FALSE(invite_.empty());
    ASSERT_TRUE(peer_.wait_request("ACK", kEventTimeout));
  }
  JsonRef media() { return core().query_session(h_); }
  json_int_t media_int(std::initializer_list<const char*> path) {
    JsonRef q = media();
    const json_t* v = at(q.get(), path);
    return json_is_integer(v) ? json_integer_value(v) : -1;
  }
  // Browser RTP into the plugin, as the core hands it over.
  void browser_rtp(bool video, uint16_t seq, uint8_t pt = 111) {
    uint8_t b[32] = {0x80, pt, uint8_t(seq >> 8), uint8_t(seq), 0, 0, 0x10, 0, 0x0b, 0x0b, 0x0b, 0x0b};
    janus_plugin_rtp p{};
    p.mindex = -1;
    p.video = video;
    p.buffer = reinterpret_cast<char*>(b);
    p.length = sizeof b;
    janus_plugin_rtp_extensions_reset(&p.extensions);
    core().plugin()->incoming_rtp(h_, &p);
  }
  // Packets forwarder i of query_session's list sent (-1: not there yet).
  json_int_t fwd_packets(size_t i) {
    JsonRef q = media();
    const json_t* f = json_array_get(at(q.get(), {"rtpgate", "rtp_forwarders"}), i);
    return integer_at(f, "packets").value_or(-1);
  }
  // Waits (bounded) until forwarder i shows `want` packets (housekeeping publishes the
  // data plane's counters periodically).
  bool wait_packets(size_t i, json_int_t want) {
    const auto end = std::chrono::steady_clock::now() + kEventTimeout;
    while (std::chrono::steady_clock::now() < end) {
      if (fwd_packets(i) == want) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  ScriptedPeer peer_;
  janus_plugin_session* h_ = nullptr;
  std::string invite_;
};

TEST_F(MediaInCall, KeyframeUserAsksTheBrowserForAPli) {
  start();
  const int before = core().pli_calls(h_);
  EXPECT_TRUE(PayloadIs(request(h_, R"({"request":"keyframe","user":true})"),
                        R"({"sip":"event","call_id":"media-call","result":{"event":"keyframesent"}})"));
  EXPECT_EQ(core().pli_calls(h_), before + 1);
  EXPECT_TRUE(IsResult(request(h_, R"({"request":"keyframe"})"), "keyframesent"));
  EXPECT_EQ(core().pli_calls(h_), before + 1);
}

TEST_F(MediaInCall, KeyframeIsValidatedInACall) {
  start();
  EXPECT_TRUE(IsErrorWithCallId(request(h_, R"({"request":"keyframe","user":1})"), 444,
                                "Invalid element type (user should be a boolean)", kCallId));
  EXPECT_TRUE(IsErrorWithCallId(request(h_, R"({"request":"keyframe","peer":"yes"})"), 444,
                                "Invalid element type (peer should be a boolean)", kCallId));
}

// PLIs the data plane handled (sent, or dropped for an unresolved next hop), from the
// region of with_dataplane.sh (RTPGATE_HARNESS_GENERAL carries its name); -1 without one.
long long dp_pli_handled() {
  const char* g = std::getenv("RTPGATE_HARNESS_GENERAL");
  if (g == nullptr) return -1;
  std::string s = g;
  const size_t a = s.find('"'), b = s.rfind('"');
  if (a == std::string::npos || b <= a) return -1;
  std::string why;
  auto r = rtpgate::shm::Region::attach(s.substr(a + 1, b - a - 1), &why);
  if (!r) return -1;
  long long n = 0;
  for (uint32_t i = 0; i < r.value().hdr()->n_lcore_stats; i++) {
    const auto& st = r.value().lcore_stats(i);
    n += static_cast<long long>(st.ctr[RTPGATE_CTR_pli_sent] + st.ctr[RTPGATE_CTR_drop_pli]);
  }
  return n;
}

// The PLI is built and sent by the data plane (RTPGATE_CMD_PLI), not through the packet ring.
TEST_F(MediaInCall, KeyframePeerSendsAPliWhenThePeerNegotiatedIt) {
  start(/*pli=*/true);
  const json_int_t before = media_int({"rtpgate", "video", "to_peer_pkts"});
  ASSERT_GE(before, 0);
  const long long handled = dp_pli_handled();
  EXPECT_TRUE(IsResult(request(h_, R"({"request":"keyframe","peer":true})"), "keyframesent"));
  EXPECT_EQ(media_int({"rtpgate", "video", "to_peer_pkts"}), before);  // not on the ring
  if (handled >= 0) {
    long long now = handled;
    for (int i = 0; i < 100 && now == handled; i++) {  // published by the worker after its work
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      now = dp_pli_handled();
    }
    EXPECT_EQ(now, handled + 1);
  }
  EXPECT_EQ(media_int({"rtpgate", "audio", "to_peer_pkts"}), 0);
}

TEST_F(MediaInCall, KeyframePeerSendsNothingWithoutPliInThePeersSdp) {
  start(/*pli=*/false);
  const json_int_t before = media_int({"rtpgate", "video", "to_peer_pkts"});
  EXPECT_TRUE(IsResult(request(h_, R"({"request":"keyframe","peer":true})"), "keyframesent"));
  EXPECT_EQ(media_int({"rtpgate", "video", "to_peer_pkts"}), before);
}

TEST_F(MediaInCall, KeyframeAfterTheCallIsErrorCode0) {
  start();
  ASSERT_TRUE(IsResult(request(h_, R"({"request":"hangup"})"), "hangingup"));
  EXPECT_TRUE(IsErrorWithCallId(request(h_, R"({"request":"keyframe","user":true})"), 0, kNotInCall, kCallId));
}

TEST_F(MediaInCall, RtpForwardIsValidated) {
  start();
  auto fwd = [&](const std::string& streams) {
    return request(h_, R"({"request":"rtp_forward")" + streams + "}");
  };
  const char* kMissing = "Missing mandatory element streams, or empty array";
  EXPECT_TRUE(IsErrorWithCallId(fwd(""), 443, kMissing, kCallId));
  EXPECT_TRUE(IsErrorWithCallId(fwd(R"(,"streams":[])"), 443, kMissing, kCallId));
  EXPECT_TRUE(IsErrorWithCallId(fwd(R"(,"streams":{})"), 444, "Invalid element type (streams should be an array)",
                                kCallId));
  EXPECT_TRUE(IsErrorWithCallId(fwd(R"(,"streams":[{"host":"10.98.0.7","port":5004}])"), 443,
                                "Missing mandatory element (type)", kCallId));
  EXPECT_TRUE(IsErrorWithCallId(fwd(R"(,"streams":[{"type":"audio","port":5004}])"), 443,
                                "Missing mandatory element (host)", kCallId));
  EXPECT_TRUE(IsErrorWithCallId(fwd(R"(,"streams":[{"type":"audio","host":"10.98.0.7"}])"), 443,
                                "Missing mandatory element (port)", kCallId));
  EXPECT_TRUE(IsErrorWithCallId(fwd(R"(,"streams":[{"type":"audio","host":"10.98.0.7","port":-1}])"), 444,
                                "Invalid element type (port should be a positive integer)", kCallId));
  EXPECT_TRUE(IsErrorWithCallId(fwd(R"(,"streams":[{"type":"data","host":"10.98.0.7","port":5004}])"), 444,
                                "Invalid element (type)", kCallId));
  EXPECT_TRUE(IsErrorWithCallId(
      fwd(R"(,"streams":[{"type":"audio","host":"10.98.0.7","host_family":"ipx","port":5004}])"), 444,
      "Unsupported protocol family (ipx)", kCallId));
  EXPECT_TRUE(IsErrorWithCallId(fwd(R"(,"streams":[{"type":"audio","host":"no-such-host.invalid","port":5004}])"), 444,
                                "Could not resolve address (no-such-host.invalid)...", kCallId));
  EXPECT_TRUE(IsErrorWithCallId(
      fwd(R"(,"streams":[{"type":"audio","host":"10.98.0.7","port":5004,"srtp_suite":42,"srtp_crypto":"abc"}])"),
      444, "Invalid SRTP suite (42)", kCallId));
  // A later bad stream refuses the whole request: nothing was created.
  EXPECT_TRUE(IsErrorWithCallId(
      fwd(R"(,"streams":[{"type":"audio","host":"10.98.0.7","port":5004},{"type":"x","host":"a","port":1}])"), 444,
      "Invalid element (type)", kCallId));
  EXPECT_TRUE(PayloadIs(request(h_, R"({"request":"listforwarders"})"),
                        R"({"sip":"event","call_id":"media-call","result":{"event":"forwarders","rtp_forwarders":[]}})"));
}

// SRTP forwarders: the data plane protects each copy with the forwarder's own context
// (AES_CM_128_HMAC_SHA1_80: + 10 bytes of tag per packet).
TEST_F(MediaInCall, SrtpForwarderProtectsItsCopies) {
  start();
  EXPECT_TRUE(IsErrorWithCallId(
      request(h_, R"({"request":"rtp_forward","streams":[{"type":"audio","host":"10.98.0.7","port":5004,
                  "srtp_suite":80,"srtp_crypto":"c2hvcnQ="}]})"),
      444, "Invalid SRTP crypto (c2hvcnQ=)", kCallId));
  PluginEvent ev = request(h_, R"({"request":"rtp_forward","streams":[{"type":"audio","host":"10.98.0.7","port":5004,
                  "srtp_suite":80,"srtp_crypto":"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e"}]})");
  ASSERT_TRUE(IsResult(ev, "rtp_forward")) << ev.dump();
  const json_t* f = json_array_get(json_object_get(ev.result(), "forwarders"), 0);
  EXPECT_TRUE(json_is_true(json_object_get(f, "srtp"))) << ev.dump();
  constexpr int kPackets = 12;
  for (int i = 0; i < kPackets; i++) browser_rtp(false, static_cast<uint16_t>(300 + i));
  EXPECT_TRUE(wait_packets(0, kPackets)) << "forwarder sent " << fwd_packets(0);
  JsonRef q = media();
  const json_t* fq = json_array_get(at(q.get(), {"rtpgate", "rtp_forwarders"}), 0);
  EXPECT_EQ(integer_at(fq, "bytes"), kPackets * (14 + 20 + 8 + 32 + 10)) << dump(fq);
  EXPECT_EQ(integer_at(fq, "drops"), 0);
}

// The relay address is IPv4: an IPv6 forwarder cannot leave from it.
TEST_F(MediaInCall, RtpForwardToAnotherFamilyIs499) {
  start();
  EXPECT_TRUE(IsErrorWithCallId(
      request(h_, R"({"request":"rtp_forward","streams":[{"type":"audio","host":"2001:db8::7","host_family":"ipv6","port":5004}]})"),
      499, "Could not open UDP socket for RTP forwarder", kCallId));
}

// What the browser sends on audio is copied by the data plane to the forwarder: the copies
// are counted on the forwarder's flow; stop_rtp_forward ends them.
TEST_F(MediaInCall, AudioForwarderCopiesWhatTheBrowserSends) {
  start();
  core().take_notifications();
  PluginEvent ev = request(h_, R"({"request":"rtp_forward","streams":[
      {"type":"audio","host":"10.98.0.7","port":5004,"ssrc":4660,"pt":8}]})");
  ASSERT_TRUE(IsResult(ev, "rtp_forward")) << ev.dump();
  const json_t* list = json_object_get(ev.result(), "forwarders");
  ASSERT_EQ(json_array_size(list), 1u) << ev.dump();
  const json_t* f = json_array_get(list, 0);
  const json_int_t id = integer_at(f, "stream_id").value_or(0);
  EXPECT_GT(id, 0);
  EXPECT_EQ(string_at(f, "type"), "audio");
  EXPECT_EQ(string_at(f, "host"), "10.98.0.7");
  EXPECT_EQ(integer_at(f, "port"), 5004);
  EXPECT_EQ(string_at(f, "media"), "audio");
  EXPECT_EQ(integer_at(f, "pt"), 8);
  EXPECT_EQ(integer_at(f, "ssrc"), 4660);
  EXPECT_EQ(json_object_get(f, "srtp"), nullptr);
  EXPECT_EQ(ev.call_id(), kCallId);
  // Event handlers get the summary with event rtp_forward, for no handle.
  auto note = core().wait_notification(kEventTimeout);
  while (note && string_at(note->event.get(), "event") != "rtp_forward") note = core().wait_notification(kEventTimeout);
  ASSERT_TRUE(note);
  EXPECT_EQ(note->handle, nullptr);
  EXPECT_EQ(integer_at(note->event.get(), "stream_id"), id);
  EXPECT_EQ(string_at(note->event.get(), "type"), "audio");
  EXPECT_EQ(string_at(note->event.get(), "host"), "10.98.0.7");
  EXPECT_EQ(integer_at(note->event.get(), "port"), 5004);

  PluginEvent listed = request(h_, R"({"request":"listforwarders"})");
  ASSERT_TRUE(IsResult(listed, "forwarders"));
  const json_t* l = json_object_get(listed.result(), "rtp_forwarders");
  ASSERT_EQ(json_array_size(l), 1u);
  EXPECT_TRUE(json_equal(const_cast<json_t*>(json_array_get(l, 0)), const_cast<json_t*>(f))) << listed.dump();

  constexpr int kPackets = 25;
  for (int i = 0; i < kPackets; i++) browser_rtp(false, static_cast<uint16_t>(100 + i));
  browser_rtp(true, 7, 96);  // video: not this forwarder's
  EXPECT_TRUE(wait_packets(0, kPackets)) << "forwarder sent " << fwd_packets(0);
  JsonRef q = media();
  const json_t* fq = json_array_get(at(q.get(), {"rtpgate", "rtp_forwarders"}), 0);
  EXPECT_EQ(integer_at(fq, "drops"), 0);
  EXPECT_EQ(integer_at(fq, "bytes"), kPackets * (14 + 20 + 8 + 32));
  EXPECT_EQ(integer_at(at(q.get(), {"rtpgate", "audio"}), "to_peer_pkts"), kPackets);

  EXPECT_TRUE(PayloadIs(request(h_, R"({"request":"stop_rtp_forward","stream_id":)" + std::to_string(id) + "}"),
                        R"({"sip":"event","call_id":"media-call","result":{"event":"stop_rtp_forward","stream_id":)" +
                            std::to_string(id) + "}}"));
  note = core().wait_notification(kEventTimeout);
  while (note && string_at(note->event.get(), "event") != "stop_rtp_forward")
    note = core().wait_notification(kEventTimeout);
  ASSERT_TRUE(note);
  EXPECT_EQ(integer_at(note->event.get(), "stream_id"), id);
  EXPECT_EQ(json_object_get(at(media().get(), {"rtpgate"}), "rtp_forwarders"), nullptr);
  EXPECT_TRUE(IsErrorWithCallId(
      request(h_, R"({"request":"stop_rtp_forward","stream_id":)" + std::to_string(id) + "}"), 455,
      "No such stream (" + std::to_string(id) + ")", kCallId));
}

// Several forwarders on one stream (one chain), each gets every packet; removing the
// first keeps the second.
TEST_F(MediaInCall, TwoForwardersOnOneStreamBothCopy) {
  start();
  PluginEvent ev = request(h_, R"({"request":"rtp_forward","streams":[
      {"type":"audio","host":"10.98.0.7","port":5004},{"type":"audio","host":"10.98.0.8","port":5006},
      {"type":"peer_video","host":"10.98.0.9","port":5008}]})");
  ASSERT_TRUE(IsResult(ev, "rtp_forward")) << ev.dump();
  const json_t* list = json_object_get(ev.result(), "forwarders");
  ASSERT_EQ(json_array_size(list), 3u);
  const json_int_t first = integer_at(json_array_get(list, 0), "stream_id").value_or(0);
  for (int i = 0; i < 10; i++) browser_rtp(false, static_cast<uint16_t>(i));
  // query_session lists them by stream_id (random): wait for the sum.
  const auto until = std::chrono::steady_clock::now() + kEventTimeout;
  while (std::chrono::steady_clock::now() < until && fwd_packets(0) + fwd_packets(1) + fwd_packets(2) != 20)
    std::this_thread::sleep_for(50ms);
  JsonRef q = media();
  const json_t* fw = at(q.get(), {"rtpgate", "rtp_forwarders"});
  ASSERT_EQ(json_array_size(fw), 3u);
  json_int_t total = 0;
  for (size_t i = 0; i < 3; i++) total += integer_at(json_array_get(fw, i), "packets").value_or(-100);
  EXPECT_EQ(total, 20) << dump(fw);  // the peer_video one got nothing (no peer media here)
  for (size_t i = 0; i < 3; i++) {
    const json_t* one = json_array_get(fw, i);
    EXPECT_EQ(integer_at(one, "packets"), string_at(one, "type") == "audio" ? 10 : 0) << dump(one);
  }
  ASSERT_TRUE(IsResult(request(h_, R"({"request":"stop_rtp_forward","stream_id":)" + std::to_string(first) + "}"),
                       "stop_rtp_forward"));
  EXPECT_EQ(json_array_size(json_object_get(request(h_, R"({"request":"listforwarders"})").result(), "rtp_forwarders")),
            2u);
  for (int i = 0; i < 5; i++) browser_rtp(false, static_cast<uint16_t>(20 + i));
  // The remaining audio forwarder now has 15.
  const auto end = std::chrono::steady_clock::now() + kEventTimeout;
  bool seen = false;
  while (!seen && std::chrono::steady_clock::now() < end) {
    JsonRef r = media();
    const json_t* a = at(r.get(), {"rtpgate", "rtp_forwarders"});
    for (size_t i = 0; i < json_array_size(a); i++)
      seen = seen || integer_at(json_array_get(a, i), "packets") == 15;
    if (!seen) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(seen) << dump(media().get());
}

TEST_F(MediaInCall, ForwardersGoWithTheCall) {
  start();
  ASSERT_TRUE(IsResult(request(h_, R"({"request":"rtp_forward","streams":[{"type":"peer_audio","host":"10.98.0.7","port":5004}]})"),
                       "rtp_forward"));
  ASSERT_TRUE(IsResult(request(h_, R"({"request":"hangup"})"), "hangingup"));
  ASSERT_TRUE(wait_result(h_, "hangup"));
  EXPECT_TRUE(PayloadIs(request(h_, R"({"request":"listforwarders"})"),
                        R"({"sip":"event","result":{"event":"forwarders","rtp_forwarders":[]}})"));
  // with_dataplane.sh checks that no flow slot (forwarders included) is left at the end.
}

TEST_F(MediaInCall, QuerySessionShowsTheFlowsAndTheirCounters) {
  start();
  JsonRef q = media();
  for (const char* m : {"audio", "video"}) {
    const json_t* mj = at(q.get(), {"rtpgate", m});
    ASSERT_TRUE(json_is_object(mj)) << m;
    EXPECT_TRUE(json_is_integer(json_object_get(mj, "rtp_flow"))) << m;
    EXPECT_TRUE(json_is_integer(json_object_get(mj, "rtcp_flow"))) << m;
    EXPECT_NE(integer_at(mj, "rtp_flow"), integer_at(mj, "rtcp_flow"));
    EXPECT_TRUE(json_is_integer(at(mj, {"rtp_flow_counters", "rx_pkts"}))) << m;
    EXPECT_TRUE(json_is_integer(at(mj, {"rtcp_flow_counters", "drop_tx"}))) << m;
    EXPECT_EQ(integer_at(mj, "dtmf_events"), 0);
  }
}

// Event handlers get `sip-in` with the full text of each incoming request (spec §15.2).
TEST_F(MediaInCall, IncomingRequestsAreNotifiedAsSipIn) {
  start();
  core().take_notifications();
  ASSERT_TRUE(peer_.send(peer_.in_dialog(invite_, "INFO", "X-Sip-In: yes\r\n", "application/x-test", "sip-in body")));
  auto note = core().wait_notification(kEventTimeout);
  while (note && string_at(note->event.get(), "event") != "sip-in") note = core().wait_notification(kEventTimeout);
  ASSERT_TRUE(note);
  EXPECT_EQ(note->handle, h_);
  const std::string sip = string_at(note->event.get(), "sip").value_or("");
  EXPECT_EQ(sip.rfind("INFO sip:", 0), 0u) << sip;
  EXPECT_NE(sip.find("X-Sip-In: yes"), std::string::npos) << sip;
  EXPECT_NE(sip.find("sip-in body"), std::string::npos) << sip;
}

}  // namespace
}  // namespace rtpgate::test
