// rtpgate-perf: media profiles (G.711, Opus, 1 Mbit/s video), mixes of them over the flows,
// and the order in which the generator visits flows. Built at start-up; next() runs on the
// generator's lcore.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace rtpgate::perf {

struct Profile {
  const char* name;
  uint32_t rtp_bytes;  // RTP header + payload
  uint32_t pps;        // packets per second of one stream (one direction)
  uint8_t pt;          // RTP payload type
  uint32_t ts_step;    // RTP timestamp increment per packet
};

// "g711", "opus", "video"; nullptr when unknown.
const Profile* find_profile(const std::string& name) noexcept;

struct MixPart {
  const Profile* profile;
  uint32_t weight;  // share of the flows (relative)
};

// "g711" or "g711:80,opus:15,video:5" (share of the flows per profile). False with *why.
bool parse_mix(const std::string& text, std::vector<MixPart>* out, std::string* why);
std::string mix_name(const std::vector<MixPart>& mix);

// Flows [0, n) are split into contiguous ranges, one per profile, by weight. Packets are
// interleaved so that each range gets a packet share proportional to its flows x pps (a
// video flow sends about twice as often as an audio one), and flows inside a range are
// visited round-robin, each with its own 32-bit sequence.
class FlowSchedule {
 public:
  struct Class {
    const Profile* profile;
    uint32_t begin, end;  // flow range
    uint32_t cursor;      // next flow to send
  };
  struct Next {
    uint32_t flow;
    uint32_t seq;
    uint32_t cls;
  };

  FlowSchedule(uint32_t n_flows, const std::vector<MixPart>& mix);

  [[gnu::always_inline]] Next next() noexcept {
    const uint32_t ci = pattern_[pi_];
    pi_ = pi_ + 1 == pattern_.size() ? 0 : pi_ + 1;
    Class& c = classes_[ci];
    const uint32_t f = c.cursor;
    c.cursor = f + 1 == c.end ? c.begin : f + 1;
    return Next{f, tx_seq_[f]++, ci};
  }

  const std::vector<Class>& classes() const noexcept { return classes_; }
  uint32_t n_flows() const noexcept { return static_cast<uint32_t>(tx_seq_.size()); }
  // Average RTP bytes per packet in the interleaving (for bit rates).
  double mean_rtp_bytes() const noexcept;
  // Packets/s the flows would send as real calls (sum of flows x pps).
  double nominal_pps() const noexcept;

 private:
  std::vector<Class> classes_;
  std::vector<uint8_t> pattern_;  // class of each slot
  size_t pi_ = 0;
  std::vector<uint32_t> tx_seq_;  // per flow
};

}  // namespace rtpgate::perf
