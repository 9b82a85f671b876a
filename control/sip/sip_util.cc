#include "sip/sip_util.h"

#include <sofia-sip/msg_header.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/url.h>
#include <strings.h>

#include <cstring>
#include <random>

namespace rtpgate::ctl {
namespace {

bool has_crlf(const char* s) { return std::strpbrk(s, "\r\n") != nullptr; }

}  // namespace

bool valid_uri(const std::string& uri, UriKind kind) {
  if (uri.empty()) return false;
  Home home;
  url_t* u = url_make(home.h, uri.c_str());
  if (u == nullptr || u->url_host == nullptr) return false;
  if (u->url_type == url_sip) return true;
  return kind == UriKind::SipOrSips && u->url_type == url_sips;
}

std::string uri_user(const std::string& uri) {
  Home home;
  url_t* u = url_make(home.h, uri.c_str());
  return u != nullptr && u->url_user != nullptr ? u->url_user : "";
}

std::string custom_headers(json_t* headers) {
  std::string out;
  if (!json_is_object(headers)) return out;
  const char* key;
  json_t* v;
  json_object_foreach(headers, key, v) {
    if (!json_is_string(v)) continue;
    const char* val = json_string_value(v);
    if (has_crlf(key) || has_crlf(val)) continue;
    std::string line = std::string(key) + ": " + val + "\r\n";
    if (out.size() + line.size() >= 2048) break;
    out += line;
  }
  if (out.size() >= 2) out.resize(out.size() - 2);   // Sofia adds the last CRLF itself
  return out;
}

Json incoming_headers(const sip_t* sip, const std::vector<std::string>& prefixes) {
  if (sip == nullptr || prefixes.empty()) return {};
  Json obj = Json::object();
  for (const sip_unknown_t* u = sip->sip_unknown; u != nullptr; u = u->un_next) {
    if (u->un_name == nullptr) continue;
    for (const std::string& p : prefixes) {
      if (strncasecmp(u->un_name, p.c_str(), p.size()) == 0) {
        obj.set(u->un_name, json_string(u->un_value ? u->un_value : ""));
        break;
      }
    }
  }
  return obj;
}

std::string addr_uri(const sip_from_t* a) {
  if (a == nullptr) return "";
  char buf[1024];
  url_e(buf, sizeof buf, a->a_url);
  buf[sizeof buf - 1] = 0;
  return buf;
}

void set_displayname(Json& obj, const sip_from_t* a) {
  if (a != nullptr && a->a_display != nullptr) obj.set("displayname", json_string(a->a_display));
}

bool authenticate(nua_handle_t* nh, const sip_t* sip, const std::string& authuser, const std::string& secret,
                  bool ha1) {
  if (sip == nullptr || secret.empty()) return false;
  const msg_auth_t* ch = sip->sip_www_authenticate ? sip->sip_www_authenticate : sip->sip_proxy_authenticate;
  if (ch == nullptr || ch->au_scheme == nullptr) return false;
  const char* realm = msg_params_find(ch->au_params, "realm=");
  std::string r = realm ? realm : "\"\"";
  if (r.empty() || r.front() != '"') r = "\"" + r + "\"";
  auto quote = [](const std::string& s) { return s.find(':') != std::string::npos ? "\"" + s + "\"" : s; };
  const std::string scheme = ha1 ? std::string("HA1+") + ch->au_scheme : ch->au_scheme;
  const std::string cred = scheme + ":" + r + ":" + quote(authuser) + ":" + (ha1 ? "HA1+" : "") + quote(secret);
  nua_authenticate(nh, NUTAG_AUTH(cred.c_str()), TAG_END());
  return true;
}

std::string random_token(size_t n) {
  static const char kAlnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  static thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<int> d(0, 61);
  std::string s(n, 'x');
  for (char& c : s) c = kAlnum[d(rng)];
  return s;
}

bool is_focus(const sip_t* sip) {
  return sip != nullptr && sip->sip_contact != nullptr &&
         msg_params_find(sip->sip_contact->m_params, "isfocus") != nullptr;
}

std::string sdp_body(const sip_t* sip) {
  if (sip == nullptr || sip->sip_payload == nullptr || sip->sip_payload->pl_data == nullptr ||
      sip->sip_payload->pl_len == 0)
    return "";
  if (sip->sip_content_type && sip->sip_content_type->c_type &&
      strcasecmp(sip->sip_content_type->c_type, "application/sdp") != 0)
    return "";
  return std::string(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
}

}  // namespace rtpgate::ctl
