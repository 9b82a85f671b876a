// Media profiles, mixes and the generator's flow interleaving (start-up).
#include "profile.h"

#include <charconv>
#include <sstream>

namespace rtpgate::perf {
namespace {

// G.711 20 ms: 160-byte payload (the other benchmarks' 172-byte RTP); Opus 20 ms at about
// 48 kbit/s: 120 bytes; video at 1 Mbit/s in 1,200-byte RTP packets: 104 packets/s.
constexpr Profile kProfiles[] = {
    {"g711", 12 + 160, 50, 0, 160},
    {"opus", 12 + 120, 50, 111, 960},
    {"video", 1200, 104, 96, 3000},
};

constexpr size_t kPatternSlots = 1000;

}  // namespace

const Profile* find_profile(const std::string& name) noexcept {
  for (const Profile& p : kProfiles)
    if (name == p.name) return &p;
  return nullptr;
}

bool parse_mix(const std::string& text, std::vector<MixPart>* out, std::string* why) {
  out->clear();
  std::istringstream is(text);
  std::string item;
  while (std::getline(is, item, ',')) {
    const auto colon = item.find(':');
    const Profile* p = find_profile(item.substr(0, colon));
    if (p == nullptr) return *why = "unknown profile '" + item.substr(0, colon) + "' (g711, opus, video)", false;
    uint32_t w = 1;
    if (colon != std::string::npos) {
      const std::string n = item.substr(colon + 1);
      auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), w);
      if (ec != std::errc() || end != n.data() + n.size() || w == 0) return *why = "bad weight in '" + item + "'", false;
    }
    out->push_back(MixPart{p, w});
  }
  if (out->empty() || out->size() > 8) return *why = "a mix has 1..8 profiles", false;
  return true;
}

std::string mix_name(const std::vector<MixPart>& mix) {
  if (mix.size() == 1) return mix[0].profile->name;
  std::string s;
  for (const MixPart& m : mix) s += (s.empty() ? "" : ",") + std::string(m.profile->name) + ":" + std::to_string(m.weight);
  return s;
}

FlowSchedule::FlowSchedule(uint32_t n_flows, const std::vector<MixPart>& mix) : tx_seq_(n_flows, 0) {
  uint64_t total_w = 0;
  for (const MixPart& m : mix) total_w += m.weight;
  // Contiguous ranges by weight; every profile with a weight keeps at least one flow.
  uint32_t begin = 0;
  for (size_t i = 0; i < mix.size(); i++) {
    const uint32_t left_parts = static_cast<uint32_t>(mix.size() - i - 1);
    uint32_t n = i + 1 == mix.size() ? n_flows - begin
                                     : static_cast<uint32_t>(uint64_t{n_flows} * mix[i].weight / total_w);
    if (n == 0) n = 1;
    if (begin + n + left_parts > n_flows) n = n_flows - begin - left_parts;
    if (n == 0) continue;
    classes_.push_back(Class{mix[i].profile, begin, begin + n, begin});
    begin += n;
  }
  // Smooth weighted round-robin over kPatternSlots slots by packet share (flows x pps).
  std::vector<double> share, credit(classes_.size(), 0.0);
  double sum = 0;
  for (const Class& c : classes_) sum += double(c.end - c.begin) * c.profile->pps;
  for (const Class& c : classes_) share.push_back(double(c.end - c.begin) * c.profile->pps / sum);
  for (size_t s = 0; s < kPatternSlots; s++) {
    size_t best = 0;
    for (size_t i = 0; i < classes_.size(); i++) {
      credit[i] += share[i];
      if (credit[i] > credit[best]) best = i;
    }
    credit[best] -= 1.0;
    pattern_.push_back(static_cast<uint8_t>(best));
  }
}

double FlowSchedule::mean_rtp_bytes() const noexcept {
  double bytes = 0;
  for (uint8_t c : pattern_) bytes += classes_[c].profile->rtp_bytes;
  return bytes / double(pattern_.size());
}

double FlowSchedule::nominal_pps() const noexcept {
  double pps = 0;
  for (const Class& c : classes_) pps += double(c.end - c.begin) * c.profile->pps;
  return pps;
}

}  // namespace rtpgate::perf
