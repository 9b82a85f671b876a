// Janus executable → loadable library (test thread, once per process).
#include "janus_core_lib.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

namespace rtpgate::test {
namespace {

bool fail(std::string* error, const std::string& what) {
  if (error != nullptr) *error = what;
  return false;
}

// Clears DF_1_PIE in DT_FLAGS_1 of an ELF64 little-endian image held in memory.
bool clear_pie_flag(std::vector<char>& image, std::string* error) {
  if (image.size() < sizeof(Elf64_Ehdr)) return fail(error, "not an ELF file");
  Elf64_Ehdr eh;
  std::memcpy(&eh, image.data(), sizeof eh);
  if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
      eh.e_type != ET_DYN) {
    return fail(error, "not a 64-bit position-independent ELF executable");
  }
  for (unsigned i = 0; i < eh.e_phnum; ++i) {
    const size_t ph_off = eh.e_phoff + size_t{i} * eh.e_phentsize;
    if (ph_off + sizeof(Elf64_Phdr) > image.size()) return fail(error, "truncated ELF");
    Elf64_Phdr ph;
    std::memcpy(&ph, image.data() + ph_off, sizeof ph);
    if (ph.p_type != PT_DYNAMIC) continue;
    for (size_t off = ph.p_offset; off + sizeof(Elf64_Dyn) <= ph.p_offset + ph.p_filesz;
         off += sizeof(Elf64_Dyn)) {
      Elf64_Dyn dyn;
      std::memcpy(&dyn, image.data() + off, sizeof dyn);
      if (dyn.d_tag == DT_NULL) break;
      if (dyn.d_tag != DT_FLAGS_1) continue;
      dyn.d_un.d_val &= ~static_cast<Elf64_Xword>(DF_1_PIE);
      std::memcpy(image.data() + off, &dyn, sizeof dyn);
      return true;
    }
    return true;  // no DT_FLAGS_1: nothing to clear
  }
  return fail(error, "no PT_DYNAMIC segment");
}

}  // namespace

void* load_janus_core(const std::string& janus_binary, std::string* error) {
  std::ifstream in(janus_binary, std::ios::binary);
  if (!in) {
    fail(error, "cannot read " + janus_binary);
    return nullptr;
  }
  std::vector<char> image((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!clear_pie_flag(image, error)) return nullptr;

  char path[] = "/tmp/rtpgate-janus-core-XXXXXX.so";
  const int fd = mkstemps(path, 3);
  if (fd < 0) {
    fail(error, std::string("mkstemps: ") + std::strerror(errno));
    return nullptr;
  }
  const bool written =
      write(fd, image.data(), image.size()) == static_cast<ssize_t>(image.size());
  close(fd);
  if (!written) {
    unlink(path);
    fail(error, "cannot write " + std::string(path));
    return nullptr;
  }
  void* handle = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
  unlink(path);  // the mapping stays valid
  if (handle == nullptr) {
    const char* e = dlerror();
    fail(error, std::string("dlopen(janus core): ") + (e != nullptr ? e : "?"));
    return nullptr;
  }
  return handle;
}

}  // namespace rtpgate::test
