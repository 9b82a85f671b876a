#include "prom_text.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>

namespace rtpgate::exporter {
namespace {

void append_escaped(std::string* out, std::string_view s, bool quotes) {
  for (char c : s) {
    if (c == '\\') out->append("\\\\");
    else if (c == '\n') out->append("\\n");
    else if (quotes && c == '"') out->append("\\\"");
    else out->push_back(c);
  }
}

void append_value(std::string* out, double v) {
  char buf[64];
  if (std::isnan(v)) {
    out->append("NaN");
    return;
  }
  // Counters are integers: print them exactly (a double holds 2^53).
  if (v == std::floor(v) && std::fabs(v) < 9.007199254740992e15)
    std::snprintf(buf, sizeof buf, "%" PRId64, static_cast<int64_t>(v));
  else
    std::snprintf(buf, sizeof buf, "%.9g", v);
  out->append(buf);
}

}  // namespace

void PromText::family(std::string_view name, std::string_view type, std::string_view help) {
  name_.assign(name);
  out_.append("# HELP ").append(name).push_back(' ');
  append_escaped(&out_, help, false);
  out_.append("\n# TYPE ").append(name).push_back(' ');
  out_.append(type).push_back('\n');
}

void PromText::sample(const Labels& labels, double value) {
  out_.append(name_);
  if (!labels.empty()) {
    out_.push_back('{');
    for (size_t i = 0; i < labels.size(); i++) {
      if (i) out_.push_back(',');
      out_.append(labels[i].first).append("=\"");
      append_escaped(&out_, labels[i].second, true);
      out_.push_back('"');
    }
    out_.push_back('}');
  }
  out_.push_back(' ');
  append_value(&out_, value);
  out_.push_back('\n');
}

}  // namespace rtpgate::exporter
