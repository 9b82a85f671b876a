// What a configuration reload would change: every key's effective value as text, and the
// keys whose values differ between the configuration in force and a newly read one. Pure.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "config/config.h"

namespace rtpgate::dp {

struct KeyChange {
  std::string key;
  std::string before, after;  // effective values as text
  std::string origin;         // where the new value was set: "line N", "--set", "default"
  bool runtime;               // is_runtime_key(key)
};

// Every key (repeatable keys joined with "; "), defaults included.
std::map<std::string, std::string> describe_config(const Config& c);
std::vector<KeyChange> diff_config(const Config& running, const Config& next);
// "line 12: port_min 20000 -> 30000" (the message of a refused change).
std::string format_change(const KeyChange& k);

}  // namespace rtpgate::dp
