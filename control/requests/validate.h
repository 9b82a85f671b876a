// Field validation with Janus's texts (spec §2.1): the first failing key in table order
// decides the error.
#pragma once
#include <jansson.h>

#include <initializer_list>
#include <string>

namespace rtpgate::ctl {

enum class JType { String, Boolean, Integer, Array, Object };

enum ParamFlag : unsigned {
  kRequired = 1u,
  kPositive = 2u,   // integers: >= 0 ("a positive integer")
  kNonEmpty = 4u,   // strings and arrays: not empty
  kNullable = 8u,   // JSON null accepted as absent
};

struct Param {
  const char* key;
  JType type;
  unsigned flags;
};

struct ApiError {
  int code = 0;
  std::string text;
  explicit operator bool() const noexcept { return code != 0 || !text.empty(); }
};

// 443 "Missing mandatory element (<key>)" / 444 "Invalid element type (<key> should be <type>)".
ApiError validate(json_t* body, std::initializer_list<Param> params);

// Accessors that tolerate absent keys (validation has already run).
std::string str_or(json_t* body, const char* key, const std::string& dflt = "");
bool bool_or(json_t* body, const char* key, bool dflt);
long long int_or(json_t* body, const char* key, long long dflt);
bool has(json_t* body, const char* key);  // present and not null

// Error codes (spec §2).
enum : int {
  kErrNoMessage = 440,
  kErrInvalidJson = 441,
  kErrInvalidRequest = 442,
  kErrMissingElement = 443,
  kErrInvalidElement = 444,
  kErrAlreadyRegistered = 445,
  kErrInvalidAddress = 446,
  kErrWrongState = 447,
  kErrMissingSdp = 448,
  kErrLibsofia = 449,
  kErrIo = 450,
  kErrRecording = 451,
  kErrTooStrict = 452,
  kErrHelper = 453,
  kErrNoSuchCallid = 454,
  kErrNoSuchStream = 455,
  kErrUnknown = 499,
};

}  // namespace rtpgate::ctl
