// RAII owners of Hyperscan handles (STYLE §7): databases, scratch spaces, compile errors.
#pragma once
#include <hs/hs.h>

#include <memory>

namespace rtpgate::dp::sipguard {

template <auto F>
struct HsDeleter {
  void operator()(auto* p) const noexcept { F(p); }
};

using HsDatabase = std::unique_ptr<hs_database_t, HsDeleter<hs_free_database>>;
using HsScratch = std::unique_ptr<hs_scratch_t, HsDeleter<hs_free_scratch>>;
using HsCompileError = std::unique_ptr<hs_compile_error_t, HsDeleter<hs_free_compile_error>>;

}  // namespace rtpgate::dp::sipguard
