// Prometheus text exposition format 0.0.4: metric families (HELP, TYPE) and their samples,
// with label values and help text escaped as the format requires.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rtpgate::exporter {

using Labels = std::vector<std::pair<std::string_view, std::string>>;

class PromText {
 public:
  // Starts a family; every sample() until the next family() belongs to it.
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(const Labels& labels, double value);
  void sample(double value) { sample({}, value); }
  const std::string& text() const noexcept { return out_; }

 private:
  std::string out_;
  std::string name_;
};

}  // namespace rtpgate::exporter
