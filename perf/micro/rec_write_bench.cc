// rtpgate-rec-write-bench: the recorder's sustained write rate to disk, without rings: N
// open .mjr recordings (RecFile, as the recorder thread uses them) fed round-robin with
// 172-byte PCMU RTP as fast as one thread can, flushed every 500 ms of packet time, for a
// fixed number of seconds. Every packet is written (no ring, nothing dropped), so the
// figure is the rate one recorder thread sustains with zero recording drops on this disk.
//   rtpgate-rec-write-bench DIR [--files N] [--seconds S]
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "record/rec_file.h"

namespace {

uint64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argv[1][0] != '/') {
    std::fprintf(stderr, "usage: rtpgate-rec-write-bench ABSOLUTE-DIR [--files N] [--seconds S]\n");
    return 2;
  }
  const std::string dir = argv[1];
  uint32_t n_files = 1000;
  double seconds = 3;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--files")) n_files = static_cast<uint32_t>(std::strtoul(argv[i + 1], nullptr, 10));
    else if (!std::strcmp(argv[i], "--seconds")) seconds = std::strtod(argv[i + 1], nullptr);
  }
  using rtpgate::dp::rec::RecFile;
  std::vector<rtpgate_shm_rec_status> st(n_files);
  std::vector<std::unique_ptr<RecFile>> files;
  for (uint32_t i = 0; i < n_files; i++) {
    rtpgate::dp::rec::RecFileSpec spec;
    spec.path = dir + "/w-" + std::to_string(i) + ".mjr";
    spec.codec = "pcmu";
    files.push_back(std::make_unique<RecFile>(&st[i]));
    if (!files.back()->open(spec, 1700000000000000ull)) {
      std::fprintf(stderr, "cannot create %s: %s\n", spec.path.c_str(), std::strerror(st[i].err));
      return 1;
    }
  }
  uint8_t pkt[172] = {0x80, 0x00};
  std::memset(pkt + 12, 0xff, 160);
  const uint64_t t0 = now_ns(), end = t0 + uint64_t(seconds * 1e9);
  uint64_t written = 0, last_flush = t0;
  uint32_t seq = 0;
  while (true) {
    const uint64_t t = now_ns();
    if (t >= end) break;
    for (uint32_t k = 0; k < 256; k++, seq++) {
      const uint32_t f = seq % n_files, n = seq / n_files;
      pkt[2] = uint8_t(n >> 8), pkt[3] = uint8_t(n);
      const uint32_t ts = n * 160;
      pkt[4] = uint8_t(ts >> 24), pkt[5] = uint8_t(ts >> 16), pkt[6] = uint8_t(ts >> 8), pkt[7] = uint8_t(ts);
      pkt[8] = uint8_t(f >> 24), pkt[9] = uint8_t(f >> 16), pkt[10] = uint8_t(f >> 8), pkt[11] = uint8_t(f);
      uint8_t copy[172];
      std::memcpy(copy, pkt, sizeof copy);  // the recorder writes from its own copy
      if (files[f]->write(copy, sizeof copy, t0 + uint64_t(n) * 20000000u, t, 1700000000000000ull)) written++;
    }
    if (t - last_flush >= 500000000u) {
      for (auto& fp : files) fp->flush();
      last_flush = t;
    }
  }
  for (auto& fp : files) fp->close();
  const double secs = double(now_ns() - t0) / 1e9;
  uint64_t bytes = 0, drops = 0;
  for (const auto& s : st) bytes += s.bytes, drops += s.drops_write;
  std::printf("{\"bench\":\"rtpgate-rec-write\",\"files\":%u,\"seconds\":%.2f,\"packets\":%llu,\"drops\":%llu,"
              "\"pps\":%.0f,\"mbytes_per_s\":%.1f,\"g711_streams\":%.0f}\n",
              n_files, secs, static_cast<unsigned long long>(written), static_cast<unsigned long long>(drops),
              double(written) / secs, double(bytes) / secs / 1e6, double(written) / secs / 50.0);
  return drops == 0 ? 0 : 1;
}
