// Stand-in for libFuzzer's main in normal builds: runs LLVMFuzzerTestOneInput once over
// every file given (directories are read recursively, in name order), so the fuzz targets
// build and replay their corpora in every `meson test --suite unit` run.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

bool run_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) {
    std::fprintf(stderr, "cannot read %s\n", p.c_str());
    return false;
  }
  const std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  // An allocation of exactly the input's size, as libFuzzer gives, so sanitizers see over-reads.
  std::unique_ptr<uint8_t[]> buf(new uint8_t[bytes.size()]);
  for (size_t i = 0; i < bytes.size(); i++) buf[i] = static_cast<uint8_t>(bytes[i]);
  LLVMFuzzerTestOneInput(buf.get(), bytes.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  size_t n = 0;
  for (int i = 1; i < argc; i++) {
    const fs::path arg(argv[i]);
    std::vector<fs::path> files;
    if (fs::is_directory(arg)) {
      for (const auto& e : fs::recursive_directory_iterator(arg))
        if (e.is_regular_file()) files.push_back(e.path());
    } else {
      files.push_back(arg);
    }
    std::sort(files.begin(), files.end());
    for (const auto& p : files) {
      if (!run_file(p)) return 1;
      n++;
    }
  }
  std::printf("replayed %zu inputs\n", n);
  // An empty corpus would make this test pass without testing anything.
  return n == 0 ? 1 : 0;
}
