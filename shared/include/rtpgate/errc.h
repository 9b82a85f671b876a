// Internal error codes shared by control and data plane (generated from errc.def).
#pragma once
#include <cstdint>
#include <string_view>

namespace rtpgate {

enum class Errc : uint16_t {
#define RTPGATE_ERRC(name, num, text) name = num,
#include "rtpgate/errc.def"
#undef RTPGATE_ERRC
};

constexpr std::string_view to_string(Errc e) noexcept {
  switch (e) {
#define RTPGATE_ERRC(name, num, text) \
  case Errc::name:                    \
    return text;
#include "rtpgate/errc.def"
#undef RTPGATE_ERRC
  }
  return "unknown error";
}

}  // namespace rtpgate
