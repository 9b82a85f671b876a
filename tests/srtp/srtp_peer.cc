// srtp-peer: an SDES-SRTP peer on UDP sockets for the integration tests, on libsrtp2 (the
// reference implementation, independent of the data plane's).
//   send --bind IP:PORT --to IP:PORT --count N [--pps P] [--profile NAME --key HEX]
//        [--ssrc X] [--seq0 S] [--tamper-every K] [--rtcp]       (no --key: plain RTP)
//   recv --bind IP:PORT --count N [--timeout-ms T] [--profile NAME --key HEX] [--rtcp]
// Prints one JSON line. RTP payload byte i (after the 12-byte header) is (seq * 7 + i).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <srtp2/srtp.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "libsrtp_policy.h"

namespace {

using rtpgate::dp::srtp::SrtpProfile;

bool endpoint(const std::string& s, sockaddr_in* a) {
  const size_t c = s.rfind(':');
  if (c == std::string::npos) return false;
  std::memset(a, 0, sizeof(*a));
  a->sin_family = AF_INET;
  a->sin_port = htons(static_cast<uint16_t>(std::atoi(s.c_str() + c + 1)));
  return inet_pton(AF_INET, s.substr(0, c).c_str(), &a->sin_addr) == 1;
}

bool profile(const std::string& n, SrtpProfile* p) {
  if (n == "AES_CM_128_HMAC_SHA1_80") *p = SrtpProfile::kAesCm128HmacSha1_80;
  else if (n == "AES_CM_128_HMAC_SHA1_32") *p = SrtpProfile::kAesCm128HmacSha1_32;
  else if (n == "AEAD_AES_128_GCM") *p = SrtpProfile::kAeadAes128Gcm;
  else if (n == "AEAD_AES_256_GCM") *p = SrtpProfile::kAeadAes256Gcm;
  else return false;
  return true;
}

uint64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

[[noreturn]] void usage() {
  std::fprintf(stderr, "usage: srtp-peer send|recv --bind IP:PORT [--to IP:PORT] --count N [options]\n");
  std::exit(2);
}

}  // namespace

// libsrtp2's session and library state, released on every way out of main().
struct LibSrtp {
  srtp_t sess = nullptr;
  bool inited = false;
  ~LibSrtp() {
    if (sess != nullptr) srtp_dealloc(sess);
    if (inited) srtp_shutdown();
  }
};

int main(int argc, char** argv) {
  if (argc < 2) usage();
  const std::string mode = argv[1];
  std::string bind_s, to_s, prof_s, key_s;
  long count = 0, pps = 1000, timeout_ms = 3000, tamper = 0;
  uint32_t ssrc = 0x5e5e5e5e;
  uint16_t seq0 = 1;
  bool rtcp = false;
  for (int i = 2; i < argc; i++) {
    const std::string k = argv[i];
    if (k == "--rtcp") { rtcp = true; continue; }
    if (i + 1 >= argc) usage();
    const std::string v = argv[++i];
    if (k == "--bind") bind_s = v;
    else if (k == "--to") to_s = v;
    else if (k == "--count") count = std::atol(v.c_str());
    else if (k == "--pps") pps = std::atol(v.c_str());
    else if (k == "--timeout-ms") timeout_ms = std::atol(v.c_str());
    else if (k == "--profile") prof_s = v;
    else if (k == "--key") key_s = v;
    else if (k == "--ssrc") ssrc = static_cast<uint32_t>(std::strtoul(v.c_str(), nullptr, 0));
    else if (k == "--seq0") seq0 = static_cast<uint16_t>(std::atoi(v.c_str()));
    else if (k == "--tamper-every") tamper = std::atol(v.c_str());
    else usage();
  }
  sockaddr_in me{}, to{};
  if (!endpoint(bind_s, &me) || (mode == "send" && !endpoint(to_s, &to)) || count <= 0) usage();
  LibSrtp lib;
  srtp_t& sess = lib.sess;
  if (!key_s.empty()) {
    SrtpProfile p;
    uint8_t km[46] = {};
    if (!profile(prof_s, &p) || key_s.size() > 92 || key_s.size() % 2) usage();
    for (size_t i = 0; i < key_s.size() / 2; i++) km[i] = static_cast<uint8_t>(std::strtoul(key_s.substr(2 * i, 2).c_str(), nullptr, 16));
    if (srtp_init() != srtp_err_status_ok) return 1;
    lib.inited = true;
    srtp_policy_t pol;
    std::memset(&pol, 0, sizeof(pol));
    rtpgate::dp::srtp::test::set_lib_policy(p, pol);
    pol.ssrc.type = mode == "send" ? ssrc_any_outbound : ssrc_any_inbound;
    pol.key = km;
    pol.window_size = 128;
    if (srtp_create(&sess, &pol) != srtp_err_status_ok) return 1;
  }
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&me), sizeof(me)) != 0) {
    std::perror("srtp-peer: bind");
    return 1;
  }
  uint8_t b[1500];
  if (mode == "send") {
    long sent = 0, errors = 0;
    const uint64_t t0 = now_ns(), gap = 1000000000ull / static_cast<uint64_t>(pps);
    for (long n = 0; n < count; n++) {
      while (now_ns() < t0 + static_cast<uint64_t>(n) * gap) {
      }
      const auto seq = static_cast<uint16_t>(seq0 + n);
      int len;
      if (rtcp) {  // SR with one report block
        std::memset(b, 0, 52);
        b[0] = 0x81, b[1] = 200, b[3] = 12;
        for (int i = 0; i < 4; i++) b[4 + i] = uint8_t(ssrc >> (24 - 8 * i));
        for (int i = 8; i < 52; i++) b[i] = uint8_t(n * 13 + i);
        len = 52;
      } else {
        b[0] = 0x80, b[1] = 0, b[2] = uint8_t(seq >> 8), b[3] = uint8_t(seq);
        const uint32_t ts = 160u * seq;
        for (int i = 0; i < 4; i++) b[4 + i] = uint8_t(ts >> (24 - 8 * i)), b[8 + i] = uint8_t(ssrc >> (24 - 8 * i));
        for (int i = 0; i < 160; i++) b[12 + i] = uint8_t(seq * 7 + i);
        len = 172;
      }
      if (sess != nullptr && (rtcp ? srtp_protect_rtcp(sess, b, &len) : srtp_protect(sess, b, &len)) != srtp_err_status_ok) {
        errors++;
        continue;
      }
      if (tamper > 0 && (n + 1) % tamper == 0) b[20] ^= 0x40;
      if (sendto(fd, b, static_cast<size_t>(len), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to)) == len) sent++;
      else errors++;
    }
    std::printf("{\"sent\":%ld,\"send_errors\":%ld}\n", sent, errors);
    return errors == 0 ? 0 : 1;
  }
  if (mode != "recv") usage();
  long received = 0, valid = 0, unprotect_fail = 0, bad = 0;
  uint64_t deadline = now_ns() + static_cast<uint64_t>(timeout_ms) * 1000000ull;
  while (received < count && now_ns() < deadline) {
    pollfd pfd{fd, POLLIN, 0};
    if (poll(&pfd, 1, 50) <= 0) continue;
    ssize_t r = recv(fd, b, sizeof(b), 0);
    if (r <= 0) continue;
    received++;
    deadline = now_ns() + static_cast<uint64_t>(timeout_ms) * 1000000ull;
    int len = static_cast<int>(r);
    if (sess != nullptr && (rtcp ? srtp_unprotect_rtcp(sess, b, &len) : srtp_unprotect(sess, b, &len)) != srtp_err_status_ok) {
      unprotect_fail++;
      continue;
    }
    bool ok = rtcp ? len == 52 && b[1] == 200 : len == 172 && (b[0] >> 6) == 2;
    const auto seq = static_cast<uint16_t>(b[2] << 8 | b[3]);
    for (int i = 0; ok && !rtcp && i < 160; i++) ok = b[12 + i] == uint8_t(seq * 7 + i);
    ok ? valid++ : bad++;
  }
  std::printf("{\"received\":%ld,\"valid\":%ld,\"unprotect_fail\":%ld,\"bad\":%ld}\n", received, valid, unprotect_fail, bad);
  return valid == count ? 0 : 1;
}
