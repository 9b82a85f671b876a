// `rtp_forward`, `stop_rtp_forward`, `listforwarders` (spec §4.17, §15.2; HEAD only). The
// forwarders run in the data plane (forwarder flows copying a stream's RTP, see
// shared/include/rtpgate/shm/forwarder.h), not on a socket of the plugin.
#include <glib.h>
#include <netdb.h>
#include <string.h>  // explicit_bzero
#include <sys/socket.h>

#include <cstring>
#include <vector>

#include "log.h"
#include "plugin.h"
#include "requests/request.h"

namespace rtpgate::ctl {
namespace {

// base64(master key || master salt) of AES_CM_128_HMAC_SHA1_<suite> (16 + 14 bytes).
bool srtp_master_key(const std::string& b64, long long suite, media::SrtpKey* out) {
  const media::SrtpProfile p =
      suite == 32 ? media::SrtpProfile::AesCm128HmacSha1_32 : media::SrtpProfile::AesCm128HmacSha1_80;
  const uint8_t klen = media::srtp_key_len(p), slen = media::srtp_salt_len(p);
  gsize len = 0;
  guchar* raw = g_base64_decode(b64.c_str(), &len);
  const bool ok = raw != nullptr && len == size_t{klen} + slen;
  if (ok) {
    out->profile = p;
    out->key_len = klen;
    out->salt_len = slen;
    std::memcpy(out->key, raw, klen);
    std::memcpy(out->salt, raw + klen, slen);
  }
  if (raw != nullptr) {
    explicit_bzero(raw, len);
    g_free(raw);
  }
  return ok;
}

struct NewForwarder {
  RtpForwarder f;
  media::FwdTarget target;
};

// getaddrinfo on the host (numeric or a name), restricted to the family asked for.
bool resolve(const std::string& host, int family, std::string* out) {
  addrinfo hints{};
  hints.ai_family = family == 6 ? AF_INET6 : AF_INET;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0 || res == nullptr) return false;
  char buf[NI_MAXHOST];
  const bool ok = getnameinfo(res->ai_addr, res->ai_addrlen, buf, sizeof buf, nullptr, 0, NI_NUMERICHOST) == 0;
  freeaddrinfo(res);
  if (ok) *out = buf;
  return ok;
}

// One entry of `streams`: validator texts first, then the semantic checks (spec §4.17).
ApiError parse_stream(json_t* st, NewForwarder* out) {
  if (!json_is_object(st)) return {kErrInvalidElement, "Invalid element type (streams should be an array of objects)"};
  if (ApiError e = validate(st, {{"type", JType::String, kRequired},
                                 {"host", JType::String, kRequired},
                                 {"host_family", JType::String, 0},
                                 {"port", JType::Integer, kRequired | kPositive},
                                 {"ssrc", JType::Integer, kPositive},
                                 {"pt", JType::Integer, kPositive},
                                 {"srtp_suite", JType::Integer, kPositive},
                                 {"srtp_crypto", JType::String, 0}}))
    return e;
  RtpForwarder& f = out->f;
  f.type = str_or(st, "type");
  if (f.type == "audio" || f.type == "video") {
    f.video = f.type == "video";
  } else if (f.type == "peer_audio" || f.type == "peer_video") {
    f.video = f.type == "peer_video";
    f.peer = true;
  } else {
    return {kErrInvalidElement, "Invalid element (type)"};
  }
  f.host = str_or(st, "host");
  const std::string family = str_or(st, "host_family", "ipv4");
  if (family != "ipv4" && family != "ipv6") return {kErrInvalidElement, "Unsupported protocol family (" + family + ")"};
  if (!resolve(f.host, family == "ipv6" ? 6 : 4, &out->target.addr))
    return {kErrInvalidElement, "Could not resolve address (" + f.host + ")..."};
  f.port = static_cast<uint16_t>(int_or(st, "port", 0));
  out->target.port = f.port;
  if (has(st, "ssrc")) {
    f.ssrc = int_or(st, "ssrc", 0) & 0xffffffffLL;
    out->target.set_ssrc = true;
    out->target.ssrc = static_cast<uint32_t>(f.ssrc);
  }
  if (has(st, "pt")) {
    f.pt = static_cast<int>(int_or(st, "pt", 0) & 0x7f);
    out->target.set_pt = true;
    out->target.pt = static_cast<uint8_t>(f.pt);
  }
  if (has(st, "srtp_suite") && has(st, "srtp_crypto")) {
    const long long suite = int_or(st, "srtp_suite", 0);
    if (suite != 32 && suite != 80) return {kErrInvalidElement, "Invalid SRTP suite (" + std::to_string(suite) + ")"};
    const std::string crypto = str_or(st, "srtp_crypto");
    if (!srtp_master_key(crypto, suite, &out->target.srtp))
      return {kErrInvalidElement, "Invalid SRTP crypto (" + crypto + ")"};
    f.srtp = true;
  }
  return {};
}

Json notify_summary(const char* event, Json summary) {
  json_object_set_new(summary.get(), "event", json_string(event));
  return summary;
}

}  // namespace

void handle_rtp_forward(Request& r) {
  Session& s = r.s();
  CallState& c = s.call;
  if (!established(c.status)) return r.fail(kErrWrongState, "Wrong state (not in a call)");
  json_t* streams = json_object_get(r.body.get(), "streams");
  if (streams != nullptr && !json_is_null(streams) && !json_is_array(streams))
    return r.fail(kErrInvalidElement, "Invalid element type (streams should be an array)");
  if (!json_is_array(streams) || json_array_size(streams) == 0)
    return r.fail(kErrMissingElement, "Missing mandatory element streams, or empty array");
  std::vector<NewForwarder> want(json_array_size(streams));
  for (size_t i = 0; i < want.size(); i++)
    if (ApiError e = parse_stream(json_array_get(streams, i), &want[i])) return r.fail(e);
  // All or nothing: a forwarder the data plane refuses undoes this request's others.
  std::vector<uint32_t> made;
  for (NewForwarder& n : want) {
    std::string why;
    if (!s.media.add_forwarder(n.f.video, n.f.peer, n.target, &n.f.handle, &why)) {
      log(Log::Err, "[%s] rtp_forward %s to %s:%u: %s", s.account.username.c_str(), n.f.type.c_str(),
          n.f.host.c_str(), n.f.port, why.c_str());
      for (uint32_t id : made) {
        const RtpForwarder& f = c.forwarders.by_id[id];
        s.media.remove_forwarder(f.video, f.handle);
        c.forwarders.by_id.erase(id);
      }
      return r.fail(kErrUnknown, "Could not open UDP socket for RTP forwarder");
    }
    const uint32_t id = c.forwarders.new_id();
    c.forwarders.by_id[id] = n.f;
    made.push_back(id);
  }
  Json list(json_array());
  janus_callbacks* cb = Plugin::instance().callbacks();
  for (uint32_t id : made) {
    const RtpForwarder& f = c.forwarders.by_id[id];
    json_array_append_new(list.get(), f.summary(id).release());
    Events::notify(nullptr, notify_summary("rtp_forward", f.summary(id)));
    // A new video forwarder starts with a keyframe (spec §12: no PLI-support check).
    if (f.video && !f.peer && cb != nullptr && !s.destroyed.load()) cb->send_pli(s.handle());
    if (f.video && f.peer) s.media.send_peer_pli();
  }
  Json res = Events::named("rtp_forward");
  res.set("forwarders", list.release());
  r.ok(std::move(res));
}

void handle_stop_rtp_forward(Request& r) {
  Session& s = r.s();
  json_t* b = r.body.get();
  if (ApiError e = validate(b, {{"stream_id", JType::Integer, kRequired | kPositive}})) return r.fail(e);
  const long long id = int_or(b, "stream_id", 0);
  auto& fwds = s.call.forwarders.by_id;
  auto it = id > 0 && id <= UINT32_MAX ? fwds.find(static_cast<uint32_t>(id)) : fwds.end();
  if (it == fwds.end()) return r.fail(kErrNoSuchStream, "No such stream (" + std::to_string(id) + ")");
  s.media.remove_forwarder(it->second.video, it->second.handle);
  fwds.erase(it);
  Json ev = Events::named("stop_rtp_forward");
  ev.set("stream_id", json_integer(id));
  Events::notify(nullptr, ev);
  Json res = Events::named("stop_rtp_forward");
  res.set("stream_id", json_integer(id));
  r.ok(std::move(res));
}

void handle_listforwarders(Request& r) {
  Json res = Events::named("forwarders");
  res.set("rtp_forwarders", r.s().call.forwarders.list().release());
  r.ok(std::move(res));
}

}  // namespace rtpgate::ctl
