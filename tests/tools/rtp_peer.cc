// rtpgate-rtp-peer: media endpoint of an emulated SIP peer (send / recv / echo RTP over kernel
// UDP sockets). Single-threaded; used by integration tests and the demo. No DPDK.
// Every mode prints one JSON summary line on stdout; diagnostics go to stderr.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace rtpgate::tools {
namespace {

constexpr uint64_t kMaxCount = 10'000'000;
constexpr uint64_t kMaxPps = 10'000'000;
constexpr uint64_t kMaxTimeoutMs = 3'600'000;
constexpr size_t kRtpHeaderBytes = 12;
constexpr size_t kPatternHeaderBytes = 16;  // send index (8) + send CLOCK_MONOTONIC ns (8)
constexpr size_t kMaxUdpPayloadBytes = 65507;
constexpr size_t kMaxListed = 64;  // ssrcs / sources listed in the summary
constexpr int kSocketBufBytes = 4 << 20;
constexpr int kExitOk = 0;
constexpr int kExitFail = 1;
constexpr int kExitUsage = 2;

constexpr const char* kUsage = R"(usage: rtpgate-rtp-peer MODE [options]

Media endpoint of an emulated SIP peer. Prints one JSON summary line on stdout.
IP:PORT is an IPv4 address (10.0.0.1:5000) or a bracketed IPv6 one ([::1]:5000).
Numbers accept decimal or 0x-prefixed hex. --opt=value and --opt value both work.

send  --to IP:PORT [--bind IP:PORT] [--count N=1] [--pps R=50] [--ssrc X=random]
      [--seq S=random] [--ts T=random] [--ts-step 160] [--pt 0] [--payload 160]
      [--ssrc-change-at K --ssrc2 Y [--seq2 S] [--ts2 T]] [--raw-hex HEX]...
      [--duration-ms D] [--ready-file PATH]
    Sends N RTP packets paced at R packets/s (N <= 10000000). Payload layout:
    bytes 0-7 big-endian send index, 8-15 big-endian CLOCK_MONOTONIC send ns,
    16.. index-derived pattern (payload >= 16 bytes). The marker bit is set on the
    first packet and on the SSRC change. From index K on, SSRC is Y (seq/ts continue
    unless --seq2/--ts2). --raw-hex sends the given UDP payload instead of RTP, N times;
    repeat it to cycle through several payloads.

recv  --bind IP:PORT [--count N=1] [--timeout-ms T=2000] [--expect-ssrc X]
      [--expect-from IP:PORT] [--ts-step 160] [--duration-ms D] [--ready-file PATH] [--json]
    Receives until N valid packets or no datagram for T ms, verifying RTP and the
    payload pattern. Exit 0 iff N valid packets arrived and no packet broke
    --expect-ssrc/--expect-from. --count 0 listens until idle for T ms and exits 0
    iff nothing arrived. The summary is always JSON (--json is accepted, no-op).

echo  --bind IP:PORT [--count N=10000000] [--timeout-ms T=5000] [--duration-ms D]
      [--ready-file PATH]
    Echoes every datagram to its source until N echoed or idle for T ms.
    Exit 0 iff N datagrams were echoed.

--duration-ms caps the run time of any mode. --ready-file writes the bound IP:PORT
to PATH once the socket is bound. SIGINT/SIGTERM stop a mode and still print the
summary (with "interrupted":true). Exit codes: 0 ok, 1 test failure, 2 usage error.
)";

volatile std::sig_atomic_t g_stop_signal = 0;

void on_stop_signal(int sig) { g_stop_signal = sig; }

struct UsageError {
  std::string msg;
};

struct SysError {
  std::string msg;
};

uint64_t mono_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

std::string errno_text(std::string_view what) {
  return std::string(what) + ": " + std::strerror(errno);
}

// ---------------------------------------------------------------------------------------------
// Addresses

struct Endpoint {
  sockaddr_storage addr{};
  socklen_t len = 0;

  int family() const { return addr.ss_family; }
  const sockaddr* sa() const { return reinterpret_cast<const sockaddr*>(&addr); }
};

std::string format_endpoint(const sockaddr_storage& ss) {
  char host[INET6_ADDRSTRLEN] = "?";
  if (ss.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
    return std::string(host) + ":" + std::to_string(ntohs(in->sin_port));
  }
  if (ss.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
    return "[" + std::string(host) + "]:" + std::to_string(ntohs(in6->sin6_port));
  }
  return "?";
}

uint64_t parse_u64(std::string_view text, std::string_view what, uint64_t min, uint64_t max) {
  int base = 10;
  std::string_view digits = text;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    base = 16;
    digits.remove_prefix(2);
  }
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
  if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size()) {
    throw UsageError{std::string(what) + ": '" + std::string(text) + "' is not a number"};
  }
  if (value < min || value > max) {
    throw UsageError{std::string(what) + ": " + std::string(text) + " out of range [" +
                     std::to_string(min) + ", " + std::to_string(max) + "]"};
  }
  return value;
}

Endpoint parse_endpoint(std::string_view text, std::string_view what) {
  std::string host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      throw UsageError{std::string(what) + ": expected [IPv6]:PORT, got '" + std::string(text) + "'"};
    }
    host = std::string(text.substr(1, close - 1));
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      throw UsageError{std::string(what) + ": expected IP:PORT, got '" + std::string(text) + "'"};
    }
    host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
  }
  const auto port_num = static_cast<uint16_t>(parse_u64(port, what, 0, 65535));
  Endpoint ep;
  auto* in = reinterpret_cast<sockaddr_in*>(&ep.addr);
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&ep.addr);
  if (inet_pton(AF_INET, host.c_str(), &in->sin_addr) == 1) {
    in->sin_family = AF_INET;
    in->sin_port = htons(port_num);
    ep.len = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, host.c_str(), &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port_num);
    ep.len = sizeof(sockaddr_in6);
  } else {
    throw UsageError{std::string(what) + ": '" + host + "' is not an IPv4/IPv6 address"};
  }
  return ep;
}

Endpoint any_endpoint(int family) {
  Endpoint ep;
  ep.addr.ss_family = static_cast<sa_family_t>(family);
  ep.len = family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
  return ep;  // wildcard address, port 0
}

bool same_endpoint(const sockaddr_storage& a, const Endpoint& b) {
  return format_endpoint(a) == format_endpoint(b.addr);
}

// ---------------------------------------------------------------------------------------------
// Command line

struct OptSpec {
  std::string_view name;  // without the leading "--"
  bool takes_value;
  bool repeatable;
};

class Options {
 public:
  Options(std::span<const OptSpec> specs, std::span<char*> args) {
    for (size_t i = 0; i < args.size(); ++i) {
      std::string_view arg = args[i];
      if (arg.size() < 3 || arg.substr(0, 2) != "--") {
        throw UsageError{"unexpected argument '" + std::string(arg) + "'"};
      }
      arg.remove_prefix(2);
      std::optional<std::string> inline_value;
      if (const size_t eq = arg.find('='); eq != std::string_view::npos) {
        inline_value = std::string(arg.substr(eq + 1));
        arg = arg.substr(0, eq);
      }
      const auto spec = std::find_if(specs.begin(), specs.end(),
                                     [&](const OptSpec& s) { return s.name == arg; });
      if (spec == specs.end()) {
        throw UsageError{"unknown option --" + std::string(arg) + " for this mode"};
      }
      std::string value;
      if (spec->takes_value) {
        if (inline_value) {
          value = *inline_value;
        } else if (i + 1 < args.size()) {
          value = args[++i];
        } else {
          throw UsageError{"--" + std::string(arg) + " needs a value"};
        }
      } else if (inline_value) {
        throw UsageError{"--" + std::string(arg) + " takes no value"};
      }
      auto& slot = values_[std::string(arg)];
      if (!slot.empty() && !spec->repeatable) {
        throw UsageError{"--" + std::string(arg) + " given twice"};
      }
      slot.push_back(std::move(value));
    }
  }

  bool has(std::string_view name) const { return values_.contains(std::string(name)); }

  const std::vector<std::string>& all(std::string_view name) const {
    static const std::vector<std::string> kNone;
    const auto it = values_.find(std::string(name));
    return it == values_.end() ? kNone : it->second;
  }

  std::string str(std::string_view name, std::string fallback = {}) const {
    return has(name) ? all(name).front() : fallback;
  }

  uint64_t u64(std::string_view name, uint64_t fallback, uint64_t min, uint64_t max) const {
    return has(name) ? parse_u64(all(name).front(), "--" + std::string(name), min, max) : fallback;
  }

  std::optional<uint64_t> opt_u64(std::string_view name, uint64_t min, uint64_t max) const {
    if (!has(name)) return std::nullopt;
    return parse_u64(all(name).front(), "--" + std::string(name), min, max);
  }

  Endpoint endpoint(std::string_view name) const {
    if (!has(name)) throw UsageError{"--" + std::string(name) + " IP:PORT is required"};
    return parse_endpoint(all(name).front(), "--" + std::string(name));
  }

 private:
  std::map<std::string, std::vector<std::string>> values_;
};

std::vector<uint8_t> parse_hex(std::string_view hex) {
  std::string clean;
  for (const char c : hex) {
    if (c == ' ' || c == ':' || c == '-') continue;
    clean += c;
  }
  if (clean.empty() || clean.size() % 2 != 0 || clean.size() / 2 > kMaxUdpPayloadBytes) {
    throw UsageError{"--raw-hex: need an even number of hex digits (1.." +
                     std::to_string(kMaxUdpPayloadBytes) + " bytes)"};
  }
  std::vector<uint8_t> out(clean.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    const char* begin = clean.data() + 2 * i;
    const auto [end, ec] = std::from_chars(begin, begin + 2, out[i], 16);
    if (ec != std::errc{} || end != begin + 2) {
      throw UsageError{"--raw-hex: bad hex digit near '" + clean.substr(2 * i, 2) + "'"};
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Output

class JsonLine {
 public:
  JsonLine& num(std::string_view key, uint64_t v) { return raw(key, std::to_string(v)); }
  JsonLine& num(std::string_view key, int64_t v) { return raw(key, std::to_string(v)); }
  JsonLine& real(std::string_view key, double v) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.3f", v);
    return raw(key, buf);
  }
  JsonLine& boolean(std::string_view key, bool v) { return raw(key, v ? "true" : "false"); }
  JsonLine& null(std::string_view key) { return raw(key, "null"); }
  JsonLine& str(std::string_view key, std::string_view v) { return raw(key, quote(v)); }
  JsonLine& raw(std::string_view key, std::string_view json) {
    out_ += first_ ? "" : ",";
    first_ = false;
    out_ += quote(key);
    out_ += ':';
    out_ += json;
    return *this;
  }
  template <typename T>
  JsonLine& opt(std::string_view key, const std::optional<T>& v) {
    return v ? num(key, static_cast<uint64_t>(*v)) : null(key);
  }
  void print() const { std::printf("%s}\n", out_.c_str()); std::fflush(stdout); }

  static std::string quote(std::string_view s) {
    std::string q = "\"";
    for (const char c : s) {
      if (c == '"' || c == '\\') q += '\\';
      if (static_cast<unsigned char>(c) < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof(buf), "\\u%04x", c);
        q += buf;
        continue;
      }
      q += c;
    }
    return q + "\"";
  }

 private:
  std::string out_ = "{";
  bool first_ = true;
};

std::string json_num_list(const std::vector<uint32_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "]";
}

std::string json_str_list(const std::vector<std::string>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + JsonLine::quote(v[i]);
  return s + "]";
}

// ---------------------------------------------------------------------------------------------
// Socket and process plumbing

class UdpSocket {
 public:
  explicit UdpSocket(const Endpoint& bind_to) {
    fd_ = socket(bind_to.family(), SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw SysError{errno_text("socket")};
    for (const int opt : {SO_RCVBUFFORCE, SO_SNDBUFFORCE}) {
      const int fallback = opt == SO_RCVBUFFORCE ? SO_RCVBUF : SO_SNDBUF;
      if (setsockopt(fd_, SOL_SOCKET, opt, &kSocketBufBytes, sizeof(kSocketBufBytes)) != 0) {
        setsockopt(fd_, SOL_SOCKET, fallback, &kSocketBufBytes, sizeof(kSocketBufBytes));
      }
    }
    if (bind(fd_, bind_to.sa(), bind_to.len) != 0) {
      const std::string msg = errno_text("bind " + format_endpoint(bind_to.addr));
      close(fd_);
      throw SysError{msg};
    }
    socklen_t len = sizeof(local_);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&local_), &len);
  }
  ~UdpSocket() { close(fd_); }
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  int fd() const { return fd_; }
  std::string local() const { return format_endpoint(local_); }

  // Waits for a datagram up to timeout_ms. Returns false on timeout or a stop signal.
  bool wait_readable(int timeout_ms) const {
    pollfd pfd{fd_, POLLIN, 0};
    const int rc = poll(&pfd, 1, timeout_ms);
    if (rc < 0 && errno != EINTR) throw SysError{errno_text("poll")};
    return rc > 0;
  }

 private:
  int fd_ = -1;
  sockaddr_storage local_{};
};

void install_stop_handlers() {
  struct sigaction sa{};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: blocking calls return EINTR
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

void write_ready_file(const std::string& path, const std::string& local) {
  if (path.empty()) return;
  const std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "w");
  if (f == nullptr) throw SysError{errno_text("open " + tmp)};
  std::fprintf(f, "%s\n", local.c_str());
  std::fclose(f);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw SysError{errno_text("rename " + path)};
}

// Deadline helper for --duration-ms (0 = none).
struct Deadline {
  uint64_t at_ns = 0;
  bool passed(uint64_t now) const { return at_ns != 0 && now >= at_ns; }
  int64_t remaining_ms(uint64_t now) const {
    if (at_ns == 0) return INT64_MAX;
    return now >= at_ns ? 0 : static_cast<int64_t>((at_ns - now + 999'999) / 1'000'000);
  }
};

Deadline make_deadline(const Options& opts) {
  const uint64_t ms = opts.u64("duration-ms", 0, 0, kMaxTimeoutMs * 24);
  return Deadline{ms == 0 ? 0 : mono_ns() + ms * 1'000'000};
}

void put_be16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

void put_be32(uint8_t* p, uint32_t v) {
  for (int i = 3; i >= 0; --i, v >>= 8) p[i] = static_cast<uint8_t>(v);
}

void put_be64(uint8_t* p, uint64_t v) {
  for (int i = 7; i >= 0; --i, v >>= 8) p[i] = static_cast<uint8_t>(v);
}

uint16_t get_be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

uint32_t get_be32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

uint64_t get_be64(const uint8_t* p) {
  return uint64_t{get_be32(p)} << 32 | get_be32(p + 4);
}

// Payload byte j (j >= 16) of the packet with send index `index`.
uint8_t pattern_byte(uint64_t index, size_t j) {
  return static_cast<uint8_t>((index * 0x9E3779B1ull >> 16) + j * 7 + 0x5A);
}

// ---------------------------------------------------------------------------------------------
// send

constexpr OptSpec kSendOpts[] = {
    {"bind", true, false},    {"to", true, false},          {"count", true, false},
    {"pps", true, false},     {"ssrc", true, false},        {"seq", true, false},
    {"ts", true, false},      {"ts-step", true, false},     {"pt", true, false},
    {"payload", true, false}, {"ssrc-change-at", true, false}, {"ssrc2", true, false},
    {"seq2", true, false},    {"ts2", true, false},         {"raw-hex", true, true},
    {"duration-ms", true, false}, {"ready-file", true, false},
};

struct RtpStream {
  uint32_t ssrc;
  uint16_t seq;
  uint32_t ts;
};

int run_send(const Options& opts) {
  std::random_device rd;
  const Endpoint to = opts.endpoint("to");
  const Endpoint bind_to = opts.has("bind") ? opts.endpoint("bind") : any_endpoint(to.family());
  if (bind_to.family() != to.family()) throw UsageError{"--bind and --to use different address families"};
  const uint64_t count = opts.u64("count", 1, 0, kMaxCount);
  const uint64_t pps = opts.u64("pps", 50, 1, kMaxPps);
  RtpStream s{static_cast<uint32_t>(opts.u64("ssrc", rd(), 0, UINT32_MAX)),
              static_cast<uint16_t>(opts.u64("seq", rd() & 0xFFFF, 0, UINT16_MAX)),
              static_cast<uint32_t>(opts.u64("ts", rd(), 0, UINT32_MAX))};
  const auto ts_step = static_cast<uint32_t>(opts.u64("ts-step", 160, 0, UINT32_MAX));
  const auto pt = static_cast<uint8_t>(opts.u64("pt", 0, 0, 127));
  const size_t payload_bytes =
      opts.u64("payload", 160, kPatternHeaderBytes, kMaxUdpPayloadBytes - kRtpHeaderBytes);
  const std::optional<uint64_t> change_at = opts.opt_u64("ssrc-change-at", 0, kMaxCount);
  if (change_at.has_value() != opts.has("ssrc2")) {
    throw UsageError{"--ssrc-change-at and --ssrc2 go together"};
  }
  if (!change_at && (opts.has("seq2") || opts.has("ts2"))) {
    throw UsageError{"--seq2/--ts2 need --ssrc-change-at"};
  }
  const auto ssrc2 = static_cast<uint32_t>(opts.u64("ssrc2", 0, 0, UINT32_MAX));
  const std::optional<uint64_t> seq2 = opts.opt_u64("seq2", 0, UINT16_MAX);
  const std::optional<uint64_t> ts2 = opts.opt_u64("ts2", 0, UINT32_MAX);
  std::vector<std::vector<uint8_t>> raw;
  for (const auto& hex : opts.all("raw-hex")) raw.push_back(parse_hex(hex));
  const bool raw_mode = !raw.empty();

  UdpSocket sock(bind_to);
  write_ready_file(opts.str("ready-file"), sock.local());
  const Deadline deadline = make_deadline(opts);
  const RtpStream first = s;

  std::vector<uint8_t> pkt(kRtpHeaderBytes + payload_bytes);
  uint64_t sent = 0, send_errors = 0, bytes = 0;
  std::string last_error;
  bool stopped_by_deadline = false;
  const uint64_t t0 = mono_ns();
  for (uint64_t i = 0; i < count && g_stop_signal == 0; ++i) {
    const uint64_t due = t0 + i * 1'000'000'000ull / pps;
    if (mono_ns() < due) {
      const timespec ts{static_cast<time_t>(due / 1'000'000'000ull),
                        static_cast<long>(due % 1'000'000'000ull)};
      while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR &&
             g_stop_signal == 0) {
      }
      if (g_stop_signal != 0) break;
    }
    if (deadline.passed(mono_ns())) {
      stopped_by_deadline = true;
      break;
    }
    const uint8_t* data = pkt.data();
    size_t len = pkt.size();
    if (raw_mode) {
      data = raw[i % raw.size()].data();
      len = raw[i % raw.size()].size();
    } else {
      const bool switching = change_at && i == *change_at;
      if (switching) {
        s.ssrc = ssrc2;
        if (seq2) s.seq = static_cast<uint16_t>(*seq2);
        if (ts2) s.ts = static_cast<uint32_t>(*ts2);
      }
      pkt[0] = 0x80;  // V=2, no padding, no extension, CC=0
      pkt[1] = static_cast<uint8_t>((i == 0 || switching ? 0x80 : 0x00) | pt);
      put_be16(&pkt[2], s.seq);
      put_be32(&pkt[4], s.ts);
      put_be32(&pkt[8], s.ssrc);
      uint8_t* payload = &pkt[kRtpHeaderBytes];
      put_be64(payload, i);
      for (size_t j = kPatternHeaderBytes; j < payload_bytes; ++j) payload[j] = pattern_byte(i, j);
      put_be64(payload + 8, mono_ns());
      s.seq = static_cast<uint16_t>(s.seq + 1);
      s.ts += ts_step;
    }
    if (sendto(sock.fd(), data, len, 0, to.sa(), to.len) < 0) {
      ++send_errors;
      last_error = std::strerror(errno);
      continue;
    }
    ++sent;
    bytes += len;
  }
  const double elapsed_s = static_cast<double>(mono_ns() - t0) / 1e9;

  JsonLine j;
  j.str("mode", "send").num("sent", sent).num("send_errors", send_errors).num("bytes", bytes);
  j.num("count", count).num("pps", pps).real("elapsed_ms", elapsed_s * 1e3);
  j.real("actual_pps", elapsed_s > 0 ? static_cast<double>(sent) / elapsed_s : 0.0);
  j.str("from", sock.local()).str("to", format_endpoint(to.addr)).boolean("raw", raw_mode);
  if (!raw_mode) {
    j.num("ssrc", uint64_t{first.ssrc}).num("first_seq", uint64_t{first.seq});
    j.num("first_ts", uint64_t{first.ts}).num("last_seq", uint64_t{static_cast<uint16_t>(s.seq - 1)});
    j.num("ts_step", uint64_t{ts_step}).num("pt", uint64_t{pt}).num("payload", uint64_t{payload_bytes});
    if (change_at) j.num("ssrc2", uint64_t{ssrc2}).num("ssrc_change_at", *change_at);
  }
  if (!last_error.empty()) j.str("last_error", last_error);
  j.boolean("interrupted", g_stop_signal != 0).boolean("deadline", stopped_by_deadline);
  j.print();
  return sent == count ? kExitOk : kExitFail;
}

// ---------------------------------------------------------------------------------------------
// recv

constexpr OptSpec kRecvOpts[] = {
    {"bind", true, false},        {"count", true, false},       {"timeout-ms", true, false},
    {"expect-ssrc", true, false}, {"expect-from", true, false}, {"ts-step", true, false},
    {"duration-ms", true, false}, {"ready-file", true, false},  {"json", false, false},
};

struct RtpView {
  uint16_t seq;
  uint32_t ts;
  uint32_t ssrc;
  uint64_t index;
  uint64_t send_ns;
};

// Parses and verifies one datagram; on failure returns the reason.
std::variant<RtpView, const char*> verify_rtp(std::span<const uint8_t> b) {
  if (b.size() < kRtpHeaderBytes) return "short";
  if (b[0] >> 6 != 2) return "version";
  if (b[1] >= 192 && b[1] <= 223) return "rtcp";  // PT 64..95 with M set is RTCP's range
  size_t hdr = kRtpHeaderBytes + 4u * (b[0] & 0x0F);
  if (b[0] & 0x10) {
    if (b.size() < hdr + 4) return "short";
    hdr += 4 + 4u * get_be16(&b[hdr + 2]);
  }
  size_t end = b.size();
  if (hdr > end) return "short";
  if (b[0] & 0x20) {
    const size_t pad = b[end - 1];
    if (pad == 0 || pad > end - hdr) return "padding";
    end -= pad;
  }
  const std::span<const uint8_t> payload = b.subspan(hdr, end - hdr);
  if (payload.size() < kPatternHeaderBytes) return "payload_short";
  const uint64_t index = get_be64(payload.data());
  if (index >= kMaxCount) return "index";
  for (size_t j = kPatternHeaderBytes; j < payload.size(); ++j) {
    if (payload[j] != pattern_byte(index, j)) return "pattern";
  }
  return RtpView{get_be16(&b[2]), get_be32(&b[4]), get_be32(&b[8]), index,
                 get_be64(payload.data() + 8)};
}

class RecvStats {
 public:
  RecvStats(uint32_t ts_step, std::optional<uint32_t> expect_ssrc, std::optional<Endpoint> expect_from)
      : ts_step_(ts_step), expect_ssrc_(expect_ssrc), expect_from_(std::move(expect_from)) {}

  void on_datagram(std::span<const uint8_t> b, const sockaddr_storage& from, uint64_t now) {
    ++datagrams_;
    bytes_ += b.size();
    if (first_rx_ns_ == 0) first_rx_ns_ = now;
    last_rx_ns_ = now;
    note_source(from);
    const auto v = verify_rtp(b);
    if (const auto* reason = std::get_if<const char*>(&v)) {
      ++bad_;
      ++bad_reasons_[*reason];
      return;
    }
    on_valid(std::get<RtpView>(v), now);
  }

  uint64_t valid() const { return valid_; }
  uint64_t datagrams() const { return datagrams_; }
  uint64_t unexpected() const { return unexpected_ssrc_ + unexpected_from_; }

  void report(JsonLine& j, uint64_t expected) const {
    const uint64_t span = max_index_ ? *max_index_ + 1 : 0;
    j.num("received", datagrams_).num("valid", valid_).num("bad", bad_).num("bytes", bytes_);
    j.num("expected", expected).num("unique", unique_).num("duplicates", valid_ - unique_);
    j.num("missing", std::max(expected, span) - unique_);
    j.opt("max_index", max_index_).num("out_of_order", out_of_order_);
    j.raw("ssrcs", json_num_list(ssrcs_)).num("ssrc_changes", ssrc_changes_);
    j.num("seq_gaps", seq_gaps_).num("ts_jumps", ts_jumps_).num("ts_step", uint64_t{ts_step_});
    j.opt("first_seq", first_seq_).opt("last_seq", last_seq_);
    j.opt("first_ts", first_ts_).opt("last_ts", last_ts_);
    if (last_from_.empty()) {
      j.null("last_from");
    } else {
      j.str("last_from", last_from_);
    }
    j.raw("sources", json_str_list(sources_));
    j.num("unexpected_ssrc", unexpected_ssrc_).num("unexpected_from", unexpected_from_);
    if (valid_ > 0) {
      j.num("latency_min_us", min_latency_ns_ / 1000);
      j.real("latency_avg_us", latency_sum_ns_ / static_cast<double>(valid_) / 1000.0);
      j.num("latency_max_us", max_latency_ns_ / 1000);
    } else {
      j.null("latency_min_us").null("latency_avg_us").null("latency_max_us");
    }
    j.real("rx_span_ms", static_cast<double>(last_rx_ns_ - first_rx_ns_) / 1e6);
    std::string reasons = "{";
    for (const auto& [reason, n] : bad_reasons_) {
      reasons += (reasons.size() > 1 ? "," : "") + JsonLine::quote(reason) + ":" + std::to_string(n);
    }
    j.raw("bad_reasons", reasons + "}");
  }

 private:
  void note_source(const sockaddr_storage& from) {
    last_from_ = format_endpoint(from);
    if (sources_.size() < kMaxListed &&
        std::find(sources_.begin(), sources_.end(), last_from_) == sources_.end()) {
      sources_.push_back(last_from_);
    }
    if (expect_from_ && !same_endpoint(from, *expect_from_)) ++unexpected_from_;
  }

  void on_valid(const RtpView& p, uint64_t now) {
    ++valid_;
    if (expect_ssrc_ && p.ssrc != *expect_ssrc_) ++unexpected_ssrc_;
    if (ssrcs_.size() < kMaxListed && std::find(ssrcs_.begin(), ssrcs_.end(), p.ssrc) == ssrcs_.end()) {
      ssrcs_.push_back(p.ssrc);
    }
    // Index bookkeeping: duplicates, reordering, loss.
    if (p.index >= seen_.size()) {
      seen_.resize(std::min<size_t>(std::max<size_t>(p.index + 1, seen_.size() * 2), kMaxCount), 0);
    }
    uint8_t& times_seen = seen_[p.index];
    if (times_seen < UINT8_MAX) ++times_seen;
    if (times_seen == 1) {
      ++unique_;
      if (max_index_ && p.index < *max_index_) ++out_of_order_;
    }
    if (!max_index_ || p.index > *max_index_) max_index_ = p.index;
    // Header continuity against the previous valid packet of the same SSRC (arrival order).
    if (last_ssrc_ && *last_ssrc_ != p.ssrc) ++ssrc_changes_;
    if (last_ssrc_ && *last_ssrc_ == p.ssrc) {
      const auto seq_delta = static_cast<uint16_t>(p.seq - *last_seq_);
      if (seq_delta != 1) ++seq_gaps_;
      const uint32_t want_ts = *last_ts_ + ts_step_ * static_cast<uint32_t>(static_cast<int16_t>(seq_delta));
      if (ts_step_ != 0 && p.ts != want_ts) ++ts_jumps_;
    }
    if (!first_seq_) {
      first_seq_ = p.seq;
      first_ts_ = p.ts;
    }
    last_ssrc_ = p.ssrc;
    last_seq_ = p.seq;
    last_ts_ = p.ts;
    // One-way latency (sender and receiver share CLOCK_MONOTONIC on one machine).
    const int64_t lat = static_cast<int64_t>(now - p.send_ns);
    min_latency_ns_ = valid_ == 1 ? lat : std::min(min_latency_ns_, lat);
    max_latency_ns_ = valid_ == 1 ? lat : std::max(max_latency_ns_, lat);
    latency_sum_ns_ += static_cast<double>(lat);
  }

  uint32_t ts_step_;
  std::optional<uint32_t> expect_ssrc_;
  std::optional<Endpoint> expect_from_;
  uint64_t datagrams_ = 0, valid_ = 0, bad_ = 0, bytes_ = 0;
  std::map<std::string, uint64_t> bad_reasons_;
  std::vector<uint8_t> seen_;  // per send index: times seen, saturating at 255
  uint64_t unique_ = 0, out_of_order_ = 0;
  std::optional<uint64_t> max_index_;
  std::vector<uint32_t> ssrcs_;
  uint64_t ssrc_changes_ = 0, seq_gaps_ = 0, ts_jumps_ = 0;
  std::optional<uint32_t> last_ssrc_;
  std::optional<uint16_t> first_seq_, last_seq_;
  std::optional<uint32_t> first_ts_, last_ts_;
  std::string last_from_;
  std::vector<std::string> sources_;
  uint64_t unexpected_ssrc_ = 0, unexpected_from_ = 0;
  int64_t min_latency_ns_ = 0, max_latency_ns_ = 0;
  double latency_sum_ns_ = 0;
  uint64_t first_rx_ns_ = 0, last_rx_ns_ = 0;
};

int run_recv(const Options& opts) {
  const Endpoint bind_to = opts.endpoint("bind");
  const uint64_t count = opts.u64("count", 1, 0, kMaxCount);
  const auto timeout_ms = static_cast<int>(opts.u64("timeout-ms", 2000, 1, kMaxTimeoutMs));
  std::optional<uint32_t> expect_ssrc;
  if (opts.has("expect-ssrc")) expect_ssrc = static_cast<uint32_t>(opts.u64("expect-ssrc", 0, 0, UINT32_MAX));
  std::optional<Endpoint> expect_from;
  if (opts.has("expect-from")) expect_from = opts.endpoint("expect-from");
  RecvStats stats(static_cast<uint32_t>(opts.u64("ts-step", 160, 0, UINT32_MAX)), expect_ssrc, expect_from);

  UdpSocket sock(bind_to);
  write_ready_file(opts.str("ready-file"), sock.local());
  const Deadline deadline = make_deadline(opts);
  std::vector<uint8_t> buf(65536);
  bool timed_out = false, stopped_by_deadline = false;
  uint64_t idle_since = mono_ns();
  while (g_stop_signal == 0 && (count == 0 || stats.valid() < count)) {
    const uint64_t now = mono_ns();
    const int64_t idle_left = timeout_ms - static_cast<int64_t>((now - idle_since) / 1'000'000);
    if (idle_left <= 0) {
      timed_out = true;
      break;
    }
    if (deadline.passed(now)) {
      stopped_by_deadline = true;
      break;
    }
    if (!sock.wait_readable(static_cast<int>(std::min(idle_left, deadline.remaining_ms(now))))) continue;
    // Drain what is queued without blocking.
    while (g_stop_signal == 0 && (count == 0 || stats.valid() < count)) {
      sockaddr_storage from{};
      socklen_t from_len = sizeof(from);
      const ssize_t n = recvfrom(sock.fd(), buf.data(), buf.size(), MSG_DONTWAIT,
                                 reinterpret_cast<sockaddr*>(&from), &from_len);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) break;
        throw SysError{errno_text("recvfrom")};
      }
      idle_since = mono_ns();
      stats.on_datagram(std::span<const uint8_t>(buf.data(), static_cast<size_t>(n)), from, idle_since);
    }
  }

  JsonLine j;
  j.str("mode", "recv").str("bind", sock.local());
  stats.report(j, count);
  j.boolean("timed_out", timed_out).boolean("deadline", stopped_by_deadline);
  j.boolean("interrupted", g_stop_signal != 0);
  j.print();
  const bool got_all = count == 0 ? stats.datagrams() == 0 : stats.valid() >= count;
  return got_all && stats.unexpected() == 0 ? kExitOk : kExitFail;
}

// ---------------------------------------------------------------------------------------------
// echo

constexpr OptSpec kEchoOpts[] = {
    {"bind", true, false},        {"count", true, false},      {"timeout-ms", true, false},
    {"duration-ms", true, false}, {"ready-file", true, false},
};

int run_echo(const Options& opts) {
  const Endpoint bind_to = opts.endpoint("bind");
  const uint64_t count = opts.u64("count", kMaxCount, 1, kMaxCount);
  const auto timeout_ms = static_cast<int>(opts.u64("timeout-ms", 5000, 1, kMaxTimeoutMs));
  UdpSocket sock(bind_to);
  write_ready_file(opts.str("ready-file"), sock.local());
  const Deadline deadline = make_deadline(opts);
  std::vector<uint8_t> buf(65536);
  std::vector<std::string> peers;
  uint64_t received = 0, echoed = 0, errors = 0, bytes = 0;
  bool timed_out = false, stopped_by_deadline = false;
  uint64_t idle_since = mono_ns();
  while (g_stop_signal == 0 && echoed < count) {
    const uint64_t now = mono_ns();
    const int64_t idle_left = timeout_ms - static_cast<int64_t>((now - idle_since) / 1'000'000);
    if (idle_left <= 0) {
      timed_out = true;
      break;
    }
    if (deadline.passed(now)) {
      stopped_by_deadline = true;
      break;
    }
    if (!sock.wait_readable(static_cast<int>(std::min(idle_left, deadline.remaining_ms(now))))) continue;
    while (g_stop_signal == 0 && echoed < count) {
      sockaddr_storage from{};
      socklen_t from_len = sizeof(from);
      const ssize_t n = recvfrom(sock.fd(), buf.data(), buf.size(), MSG_DONTWAIT,
                                 reinterpret_cast<sockaddr*>(&from), &from_len);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) break;
        throw SysError{errno_text("recvfrom")};
      }
      idle_since = mono_ns();
      ++received;
      const std::string peer = format_endpoint(from);
      if (peers.size() < kMaxListed && std::find(peers.begin(), peers.end(), peer) == peers.end()) {
        peers.push_back(peer);
      }
      if (sendto(sock.fd(), buf.data(), static_cast<size_t>(n), 0, reinterpret_cast<sockaddr*>(&from),
                 from_len) < 0) {
        ++errors;
        continue;
      }
      ++echoed;
      bytes += static_cast<uint64_t>(n);
    }
  }
  JsonLine j;
  j.str("mode", "echo").str("bind", sock.local()).num("received", received).num("echoed", echoed);
  j.num("errors", errors).num("bytes", bytes).raw("peers", json_str_list(peers));
  j.boolean("timed_out", timed_out).boolean("deadline", stopped_by_deadline);
  j.boolean("interrupted", g_stop_signal != 0);
  j.print();
  return echoed >= count ? kExitOk : kExitFail;
}

int run(int argc, char** argv) {
  const std::span<char*> args(argv, static_cast<size_t>(argc));
  if (argc < 2) throw UsageError{"missing MODE (send, recv or echo)"};
  const std::string_view mode = args[1];
  for (const std::string_view a : args.subspan(1)) {
    if (a == "--help" || a == "-h" || a == "help") {
      std::fputs(kUsage, stdout);
      return kExitOk;
    }
  }
  const auto rest = args.subspan(2);
  install_stop_handlers();
  if (mode == "send") return run_send(Options(kSendOpts, rest));
  if (mode == "recv") return run_recv(Options(kRecvOpts, rest));
  if (mode == "echo") return run_echo(Options(kEchoOpts, rest));
  throw UsageError{"unknown mode '" + std::string(mode) + "' (send, recv or echo)"};
}

}  // namespace
}  // namespace rtpgate::tools

int main(int argc, char** argv) {
  try {
    return rtpgate::tools::run(argc, argv);
  } catch (const rtpgate::tools::UsageError& e) {
    std::fprintf(stderr, "rtpgate-rtp-peer: %s\nTry 'rtpgate-rtp-peer --help'.\n", e.msg.c_str());
    return rtpgate::tools::kExitUsage;
  } catch (const rtpgate::tools::SysError& e) {
    std::fprintf(stderr, "rtpgate-rtp-peer: %s\n", e.msg.c_str());
    return rtpgate::tools::kExitFail;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rtpgate-rtp-peer: %s\n", e.what());
    return rtpgate::tools::kExitFail;
  }
}
