// Owning jansson reference and the few JSON helpers the harness and its tests share.
// Any thread.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <jansson.h>

namespace rtpgate::test {

struct JsonDecref {
  void operator()(json_t* j) const noexcept { json_decref(j); }
};
using JsonRef = std::unique_ptr<json_t, JsonDecref>;

// Parses `text`; returns null and fills `error` (if given) on a syntax error.
// Accepts any JSON value at top level (arrays, strings...), so tests can send non-objects.
JsonRef parse_json(std::string_view text, std::string* error = nullptr);

// Compact dump with sorted keys: stable text for messages and comparisons.
std::string dump_json(const json_t* j);

// Deep copy; null stays null.
JsonRef copy_json(const json_t* j);

// Member access that tolerates null/non-object parents.
std::optional<std::string> string_at(const json_t* obj, const char* key);
std::optional<json_int_t> integer_at(const json_t* obj, const char* key);
std::optional<bool> bool_at(const json_t* obj, const char* key);

}  // namespace rtpgate::test
