// Sofia-SIP parse/print of one SDP, with every RTP m-line's rtpmaps parsed (see header).
// Runs on the calling thread.
#include "sdp/parsed_sdp.h"

#include <string_view>
#include <vector>

#include "sdp/attributes.h"
#include "sdp/media_lines.h"

namespace rtpgate::ctl::sdp {
namespace {

// Direction attributes stay attributes (printed where they were); c= may be missing.
constexpr int kParseFlags = sdp_f_mode_manual | sdp_f_c_missing;

size_t media_count(const sdp_session_t* s) {
  size_t n = 0;
  for (const sdp_media_t* m = s->sdp_media; m; m = m->m_next) n++;
  return n;
}

// RFC 4566 token characters.
bool is_token_char(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  return u == 0x21 || (u >= 0x23 && u <= 0x27) || u == 0x2A || u == 0x2B || u == 0x2D || u == 0x2E ||
         (u >= 0x30 && u <= 0x39) || (u >= 0x41 && u <= 0x5A) || (u >= 0x5E && u <= 0x7E);
}

bool is_field(std::string_view f, std::string_view extra) noexcept {
  if (f.empty()) return false;
  for (char c : f)
    if (!is_token_char(c) && extra.find(c) == std::string_view::npos) return false;
  return true;
}

// "<media> <port>[/<n>] <proto> <fmt> ..." with tokens separated by spaces (RFC 4566).
// Sofia 1.12.11 loops forever, allocating, on a format that starts with a non-token
// character on a non-RTP proto ("m=audio 8 x \x01"), so m= lines are checked first.
bool is_media_line(std::string_view l) noexcept {
  while (!l.empty() && l.back() == ' ') l.remove_suffix(1);
  size_t n = 0;
  while (!l.empty()) {
    const size_t sp = l.find(' ');
    const std::string_view f = l.substr(0, sp);
    const bool ok = n == 0   ? is_field(f, "")
                    : n == 1 ? f.find_first_not_of("0123456789/") == std::string_view::npos && !f.empty()
                    : n == 2 ? is_field(f, "/")
                             : is_field(f, "");
    if (!ok) return false;
    n++;
    l = sp == std::string_view::npos ? std::string_view() : l.substr(sp + 1);
    while (!l.empty() && l.front() == ' ') l.remove_prefix(1);
  }
  return n >= 4;
}

// Sofia ends a line at CR, LF or CRLF.
bool media_lines_ok(std::string_view text) noexcept {
  while (!text.empty()) {
    const size_t end = text.find_first_of("\r\n");
    const std::string_view line = text.substr(0, end);
    if (line.substr(0, 2) == "m=" && !is_media_line(line.substr(2))) return false;
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return true;
}

// Sofia 1.12.11 inverts its "AS" test: b=AS comes back as (sdp_bw_x, "AS") and every
// other modifier but CT as (sdp_bw_as, no name), printed "b=AS:<value>" (b=RR:0 would
// become b=AS:0). Keep only what is unambiguous; with a fixed Sofia a real b=AS is
// dropped too, which is harmless.
bool printable_bandwidth(const sdp_bandwidth_t* b) noexcept {
  if (!b->b_modifier_name) return b->b_modifier == sdp_bw_ct;
  const std::string_view name = b->b_modifier_name;
  return iequals(name, "AS") || iequals(name, "CT");
}

void drop_unprintable_bandwidths(sdp_bandwidth_t** list) noexcept {
  while (*list) {
    if (printable_bandwidth(*list))
      list = &(*list)->b_next;
    else
      *list = (*list)->b_next;
  }
}

bool needs_reparse(const sdp_media_t* m) {
  return (m->m_type == sdp_media_audio || m->m_type == sdp_media_video) && is_rtp_profile(m) &&
         m->m_proto != sdp_proto_rtp && m->m_proto != sdp_proto_srtp;
}

}  // namespace

bool ParsedSdp::parse_once(const std::string& text, SdpParserPtr* parser, std::string* why) {
  parser->reset(sdp_parse(home_.get(), text.data(), static_cast<issize_t>(text.size()), kParseFlags));
  if (!*parser) {
    *why = "out of memory";
    return false;
  }
  session_ = sdp_session(parser->get());
  if (!session_) {
    const char* err = sdp_parsing_error(parser->get());
    *why = err && *err ? err : "invalid SDP";
    return false;
  }
  return true;
}

bool ParsedSdp::parse(const std::string& text, std::string* why) {
  session_ = nullptr;
  if (!home_) {
    *why = "out of memory";
    return false;
  }
  if (text.empty()) {
    *why = "empty SDP";
    return false;
  }
  if (text.size() > kMaxSdpBytes) {
    *why = "SDP too large";
    return false;
  }
  if (!media_lines_ok(text)) {
    *why = "malformed m= line";
    return false;
  }
  if (!parse_once(text, &parser_, why)) return false;
  drop_unprintable_bandwidths(&session_->sdp_bandwidths);
  for (sdp_media_t* m = session_->sdp_media; m; m = m->m_next) drop_unprintable_bandwidths(&m->m_bandwidths);
  if (!reparse_rtp_profiles(why)) {
    session_ = nullptr;
    return false;
  }
  // Sofia parses some things it then refuses to print (an o= address with a TTL, ...):
  // refuse them here, so that a parsed SDP is one that can be rewritten.
  std::string printed;
  if (!validate(why) || !print(0, &printed, why)) {
    session_ = nullptr;
    return false;
  }
  return true;
}

// Sofia builds m_rtpmaps only for the protos it knows (RTP/AVP, RTP/SAVP). Print the
// others as RTP/AVP (their a=rtpmap/a=fmtp lines are still plain attributes), parse that
// again, and put the original protos back.
bool ParsedSdp::reparse_rtp_profiles(std::string* why) {
  struct Proto {
    sdp_proto_e proto;
    const char* name;
  };
  std::vector<Proto> protos;
  bool any = false;
  for (sdp_media_t* m = session_->sdp_media; m; m = m->m_next) {
    protos.push_back({m->m_proto, m->m_proto_name});
    if (needs_reparse(m)) {
      if (!m->m_format) {  // Sofia would print its default format "19"
        *why = "m= line without payload types";
        return false;
      }
      m->m_proto = sdp_proto_rtp;
      any = true;
    }
  }
  if (!any) return true;
  std::string text;
  if (!print(0, &text, why) || !parse_once(text, &reparsed_, why)) return false;
  if (media_count(session_) != protos.size()) {
    *why = "SDP changed when parsed again";
    return false;
  }
  size_t i = 0;
  for (sdp_media_t* m = session_->sdp_media; m; m = m->m_next, i++) {
    m->m_proto = protos[i].proto;
    m->m_proto_name = protos[i].name;  // owned by parser_, which lives as long as this
  }
  return true;
}

bool ParsedSdp::validate(std::string* why) const {
  if (!session_->sdp_origin) {
    *why = "no o= line";
    return false;
  }
  for (const sdp_media_t* m = session_->sdp_media; m; m = m->m_next) {
    if (m->m_port > 65535) {
      *why = "invalid port on an m= line";
      return false;
    }
    if ((m->m_type == sdp_media_audio || m->m_type == sdp_media_video) && is_rtp_profile(m)) {
      if (!m->m_rtpmaps) {
        *why = "m= line without payload types";
        return false;
      }
      for (const sdp_rtpmap_t* rm = m->m_rtpmaps; rm; rm = rm->rm_next) {
        if (rm->rm_any) {
          *why = "m= line with a wildcard payload type";
          return false;
        }
      }
    }
  }
  return true;
}

bool ParsedSdp::print(int extra_flags, std::string* out, std::string* why) const {
  SdpPrinterPtr printer(sdp_print(home_.get(), session_, nullptr, 0, sdp_f_mode_manual | extra_flags));
  if (!printer) {
    *why = "out of memory";
    return false;
  }
  if (const char* err = sdp_printing_error(printer.get())) {
    *why = err;
    return false;
  }
  const char* msg = sdp_message(printer.get());
  if (!msg) {
    *why = "SDP printer returned nothing";
    return false;
  }
  out->assign(msg, sdp_message_size(printer.get()));
  return true;
}

}  // namespace rtpgate::ctl::sdp
