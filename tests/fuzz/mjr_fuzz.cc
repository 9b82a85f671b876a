// libFuzzer target: the .mjr writer (dataplane/record/rec_file.cc, mjr_format.cc) fed with
// arbitrary packets, then its file read back: it must be valid .mjr framing (spec
// mjr-format.md): "MJR00002", then, once a frame was written, the u16 length and JSON info
// (t, c, [f], [x], s, u) and one "MEET" frame per packet the writer reported written, whose
// bytes are the packet as it was left rewritten, with non-decreasing ms times and nothing after.
// Input: byte 0 = codec (index into kCodecs) and medium flip (bit 7); byte 1 = video
// orientation extension id; byte 2 = fmtp length (0..63), then the fmtp bytes; then records
// of [u16 BE length (mod 1600)][u8 ms since the previous packet][u8 flags: bit 0 re-base
// before, bit 1 flush after][packet bytes]. Files go to a private temporary directory.
#include <fcntl.h>
#include <jansson.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "record/rec_file.h"

namespace {

using namespace rtpgate::dp::rec;

// The known codecs (some in upper case: the writer lower-cases) and a few it must refuse.
constexpr std::string_view kCodecs[] = {"opus", "multiopus", "PCMU", "pcma", "g711", "g722", "l16", "L16-48",
                                        "vp8",  "VP9",       "h264", "av1",  "h265", "text", "binary", "",
                                        "opus\xff"};

const std::string& file_path() {
  static const std::string path = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/mjr_fuzz.XXXXXX";
    FUZZ_CHECK(mkdtemp(tmpl.data()) != nullptr);
    static std::string dir = tmpl;
    std::atexit([] {
      ::unlink((dir + "/rec.mjr").c_str());
      ::rmdir(dir.c_str());
    });
    return tmpl + "/rec.mjr";
  }();
  return path;
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::vector<uint8_t> out;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  FUZZ_CHECK(fd >= 0);
  uint8_t buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    FUZZ_CHECK(n >= 0);
    if (n == 0) break;
    out.insert(out.end(), buf, buf + n);
  }
  ::close(fd);
  return out;
}

uint32_t be(const uint8_t* p, int n) {
  uint32_t v = 0;
  for (int i = 0; i < n; i++) v = v << 8 | p[i];
  return v;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// The JSON info must carry what the writer was given.
void check_info(const uint8_t* p, size_t n, const RecFileSpec& spec) {
  json_error_t err;
  json_t* root = json_loadb(reinterpret_cast<const char*>(p), n, 0, &err);
  FUZZ_CHECK(json_is_object(root));
  FUZZ_CHECK(json_is_string(json_object_get(root, "t")));
  FUZZ_CHECK(std::string(json_string_value(json_object_get(root, "t"))) ==
             (spec.medium == MjrMedium::Audio ? "a" : "v"));
  json_t* c = json_object_get(root, "c");
  FUZZ_CHECK(json_is_string(c) && json_string_value(c) == lower(spec.codec));
  json_t* f = json_object_get(root, "f");
  FUZZ_CHECK(spec.fmtp.empty() ? f == nullptr
                               : json_is_string(f) && std::string(json_string_value(f), json_string_length(f)) == spec.fmtp);
  FUZZ_CHECK((json_object_get(root, "x") != nullptr) == (spec.video_orient_ext > 0));
  FUZZ_CHECK(json_is_integer(json_object_get(root, "s")) && json_is_integer(json_object_get(root, "u")));
  json_decref(root);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  RecFileSpec spec;
  spec.path = file_path();
  spec.codec = std::string(kCodecs[(data[0] & 0x7f) % std::size(kCodecs)]);
  MjrMedium m = MjrMedium::Audio;
  mjr_codec_medium(spec.codec, &m);
  spec.medium = (data[0] & 0x80) ? (m == MjrMedium::Audio ? MjrMedium::Video : MjrMedium::Audio) : m;
  spec.video_orient_ext = data[1];
  spec.buffer_bytes = 4096;  // the smallest buffer: inputs of a few KB already flush
  size_t off = 3;
  const size_t fmtp_len = std::min<size_t>(data[2] & 63, size - off);
  spec.fmtp.assign(reinterpret_cast<const char*>(data + off), fmtp_len);
  off += fmtp_len;

  rtpgate_shm_rec_status st{};
  std::vector<std::vector<uint8_t>> written;  // packets as the writer left them
  uint64_t drops = 0;
  {
    RecFile rf(&st);
    const uint64_t real_us = 1700000000000000ull;
    const bool opened = rf.open(spec, real_us);
    uint64_t now_ns = 5000000000ull;
    while (off + 4 <= size) {
      const uint32_t len = be(data + off, 2) % 1600;
      now_ns += uint64_t{data[off + 2]} * 1000000;
      const uint8_t flags = data[off + 3];
      off += 4;
      std::vector<uint8_t> pkt(data + off, data + off + std::min<size_t>(len, size - off));
      off += pkt.size();
      if (flags & 1) rf.rebase();
      // An exact-size heap copy: ASan sees any read past the packet.
      std::unique_ptr<uint8_t[]> buf(new uint8_t[pkt.size() + 1]);
      std::copy(pkt.begin(), pkt.end(), buf.get());
      if (rf.write(buf.get(), static_cast<uint32_t>(pkt.size()), now_ns, now_ns, real_us + now_ns / 1000))
        written.emplace_back(buf.get(), buf.get() + pkt.size());
      else
        drops++;
      if (flags & 2) rf.flush();
    }
    rf.close();
    if (!opened) {
      FUZZ_CHECK(written.empty() && st.state == RTPGATE_REC_ST_FAILED);
      return 0;
    }
  }
  FUZZ_CHECK(st.frames == written.size());
  FUZZ_CHECK(st.drops_write == drops);

  const std::vector<uint8_t> f = read_file(spec.path);
  ::unlink(spec.path.c_str());
  FUZZ_CHECK(st.bytes == f.size());
  FUZZ_CHECK(f.size() >= kMjrMagicLen && std::memcmp(f.data(), "MJR00002", kMjrMagicLen) == 0);
  size_t pos = kMjrMagicLen;
  if (written.empty()) {
    FUZZ_CHECK(pos == f.size());  // the header goes out with the first frame only
    return 0;
  }
  FUZZ_CHECK(pos + 2 <= f.size());
  const size_t info_len = be(&f[pos], 2);
  pos += 2;
  FUZZ_CHECK(info_len > 0 && info_len <= kMjrMaxInfoLen && pos + info_len <= f.size());
  check_info(&f[pos], info_len, spec);
  pos += info_len;
  uint32_t last_ms = 0;
  for (const auto& pkt : written) {
    FUZZ_CHECK(pos + kMjrFrameHdrLen <= f.size() && std::memcmp(&f[pos], "MEET", 4) == 0);
    const uint32_t ms = be(&f[pos + 4], 4);
    const size_t len = be(&f[pos + 8], 2);
    FUZZ_CHECK(ms >= last_ms);
    last_ms = ms;
    FUZZ_CHECK(len == pkt.size() && len >= 12 && len <= kMjrMaxPacket && (pkt[0] >> 6) == 2);
    pos += kMjrFrameHdrLen;
    FUZZ_CHECK(pos + len <= f.size() && std::memcmp(&f[pos], pkt.data(), len) == 0);
    pos += len;
  }
  FUZZ_CHECK(pos == f.size());
  return 0;
}
