// Result<T>: a value or an Errc, returned by control-side and set-up code.
#pragma once
#include <utility>
#include <variant>

#include "rtpgate/errc.h"

namespace rtpgate {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T v) : v_(std::move(v)) {}          // NOLINT(google-explicit-constructor)
  Result(Errc e) : v_(e) {}                  // NOLINT(google-explicit-constructor)
  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  T& operator*() { return value(); }
  Errc error() const noexcept { return ok() ? Errc::Ok : std::get<1>(v_); }

 private:
  std::variant<T, Errc> v_;
};

}  // namespace rtpgate
