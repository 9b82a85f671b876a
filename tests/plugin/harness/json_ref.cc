// JSON helpers for the harness (any thread).
#include "json_ref.h"

namespace rtpgate::test {

JsonRef parse_json(std::string_view text, std::string* error) {
  json_error_t err;
  json_t* j = json_loadb(text.data(), text.size(), JSON_DECODE_ANY, &err);
  if (j == nullptr && error != nullptr) {
    *error = std::string(err.text) + " at line " + std::to_string(err.line) + " column " +
             std::to_string(err.column);
  }
  return JsonRef(j);
}

std::string dump_json(const json_t* j) {
  if (j == nullptr) return "null";
  char* s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
  if (s == nullptr) return "<unprintable>";
  std::string out(s);
  free(s);
  return out;
}

JsonRef copy_json(const json_t* j) {
  // json_deep_copy takes a const pointer since jansson 2.10; Debian 12 ships 2.14.
  return JsonRef(j != nullptr ? json_deep_copy(j) : nullptr);
}

std::optional<std::string> string_at(const json_t* obj, const char* key) {
  const json_t* v = json_is_object(obj) ? json_object_get(obj, key) : nullptr;
  if (!json_is_string(v)) return std::nullopt;
  return std::string(json_string_value(v), json_string_length(v));
}

std::optional<json_int_t> integer_at(const json_t* obj, const char* key) {
  const json_t* v = json_is_object(obj) ? json_object_get(obj, key) : nullptr;
  if (!json_is_integer(v)) return std::nullopt;
  return json_integer_value(v);
}

std::optional<bool> bool_at(const json_t* obj, const char* key) {
  const json_t* v = json_is_object(obj) ? json_object_get(obj, key) : nullptr;
  if (!json_is_boolean(v)) return std::nullopt;
  return json_is_true(v);
}

}  // namespace rtpgate::test
