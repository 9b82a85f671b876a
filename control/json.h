// RAII for Jansson references.
#pragma once
#include <jansson.h>

#include <utility>

namespace rtpgate::ctl {

class Json {
 public:
  Json() = default;
  // Takes ownership of a new reference.
  explicit Json(json_t* owned) noexcept : j_(owned) {}
  static Json borrow(json_t* j) noexcept { return Json(j ? json_incref(j) : nullptr); }
  static Json object() noexcept { return Json(json_object()); }
  ~Json() { json_decref(j_); }
  Json(Json&& o) noexcept : j_(std::exchange(o.j_, nullptr)) {}
  Json& operator=(Json&& o) noexcept {
    if (this != &o) {
      json_decref(j_);
      j_ = std::exchange(o.j_, nullptr);
    }
    return *this;
  }
  Json(const Json& o) noexcept : j_(o.j_ ? json_incref(o.j_) : nullptr) {}
  Json& operator=(const Json& o) noexcept {
    Json t(o);
    std::swap(j_, t.j_);
    return *this;
  }
  json_t* get() const noexcept { return j_; }
  json_t* release() noexcept { return std::exchange(j_, nullptr); }
  explicit operator bool() const noexcept { return j_ != nullptr; }

  // Sets key to a new reference it steals (no-op on nullptr values).
  Json& set(const char* key, json_t* v) noexcept {
    if (v != nullptr) json_object_set_new(j_, key, v);
    return *this;
  }

 private:
  json_t* j_ = nullptr;
};

}  // namespace rtpgate::ctl
