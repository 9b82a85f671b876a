// Loads the janus executable itself as a shared library, so a plugin can resolve the core
// utilities the harness does not fake (janus_sdp_*, janus_config_*, janus_recorder_*, ...).
// Test thread, once per process.
#pragma once
#include <string>

namespace rtpgate::test {

// glibc refuses to dlopen() a PIE executable (DF_1_PIE). This copies `janus_binary` to a
// temporary file with that one flag cleared and dlopen()s the copy RTLD_NOW | RTLD_GLOBAL.
// Symbols the test executable exports itself (the fake core's) still win: the executable comes
// first in the global lookup scope. Returns the dl handle, or null with `error` filled.
void* load_janus_core(const std::string& janus_binary, std::string* error);

}  // namespace rtpgate::test
