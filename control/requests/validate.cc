#include "requests/validate.h"

namespace rtpgate::ctl {
namespace {

const char* type_name(JType t, unsigned flags) {
  switch (t) {
    case JType::String: return (flags & kNonEmpty) ? "a non-empty string" : "a string";
    case JType::Boolean: return "a boolean";
    case JType::Integer: return (flags & kPositive) ? "a positive integer" : "an integer";
    case JType::Array: return (flags & kNonEmpty) ? "a non-empty array" : "an array";
    case JType::Object: return "an object";
  }
  return "?";
}

bool type_ok(json_t* v, JType t, unsigned flags) {
  switch (t) {
    case JType::String:
      return json_is_string(v) && (!(flags & kNonEmpty) || json_string_length(v) > 0);
    case JType::Boolean: return json_is_boolean(v);
    case JType::Integer: return json_is_integer(v) && (!(flags & kPositive) || json_integer_value(v) >= 0);
    case JType::Array: return json_is_array(v) && (!(flags & kNonEmpty) || json_array_size(v) > 0);
    case JType::Object: return json_is_object(v);
  }
  return false;
}

}  // namespace

ApiError validate(json_t* body, std::initializer_list<Param> params) {
  for (const Param& p : params) {
    json_t* v = json_object_get(body, p.key);
    if (v == nullptr || ((p.flags & kNullable) && json_is_null(v))) {
      if (p.flags & kRequired) return {kErrMissingElement, std::string("Missing mandatory element (") + p.key + ")"};
      continue;
    }
    if (!type_ok(v, p.type, p.flags))
      return {kErrInvalidElement,
              std::string("Invalid element type (") + p.key + " should be " + type_name(p.type, p.flags) + ")"};
  }
  return {};
}

std::string str_or(json_t* body, const char* key, const std::string& dflt) {
  json_t* v = json_object_get(body, key);
  return json_is_string(v) ? std::string(json_string_value(v), json_string_length(v)) : dflt;
}

bool bool_or(json_t* body, const char* key, bool dflt) {
  json_t* v = json_object_get(body, key);
  return json_is_boolean(v) ? json_is_true(v) : dflt;
}

long long int_or(json_t* body, const char* key, long long dflt) {
  json_t* v = json_object_get(body, key);
  return json_is_integer(v) ? json_integer_value(v) : dflt;
}

bool has(json_t* body, const char* key) {
  json_t* v = json_object_get(body, key);
  return v != nullptr && !json_is_null(v);
}

}  // namespace rtpgate::ctl
