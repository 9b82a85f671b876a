// rtpgate-perf's profiles, mixes and flow interleaving.
#include "profile.h"

#include <gtest/gtest.h>

#include <map>

namespace rtpgate::perf {
namespace {

TEST(Profile, G711IsTheOtherBenchmarks172ByteRtp) {
  const Profile* p = find_profile("g711");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->rtp_bytes, 172u);
  EXPECT_EQ(p->pps, 50u);
  EXPECT_EQ(find_profile("amr"), nullptr);
}

TEST(Profile, ParsesMixesAndRejectsBadOnes) {
  std::vector<MixPart> mix;
  std::string why;
  ASSERT_TRUE(parse_mix("g711:80,opus:15,video:5", &mix, &why)) << why;
  ASSERT_EQ(mix.size(), 3u);
  EXPECT_EQ(mix[2].weight, 5u);
  EXPECT_EQ(mix_name(mix), "g711:80,opus:15,video:5");
  ASSERT_TRUE(parse_mix("opus", &mix, &why));
  EXPECT_EQ(mix_name(mix), "opus");
  EXPECT_FALSE(parse_mix("g711:0", &mix, &why));
  EXPECT_FALSE(parse_mix("g711:x", &mix, &why));
  EXPECT_FALSE(parse_mix("h264", &mix, &why));
  EXPECT_FALSE(parse_mix("", &mix, &why));
}

TEST(FlowSchedule, VisitsEveryFlowRoundRobinWithItsOwnSequence) {
  std::vector<MixPart> mix{{find_profile("g711"), 1}};
  FlowSchedule s(10, mix);
  for (uint32_t round = 0; round < 3; round++)
    for (uint32_t f = 0; f < 10; f++) {
      const auto nx = s.next();
      EXPECT_EQ(nx.flow, f);
      EXPECT_EQ(nx.seq, round);
      EXPECT_EQ(nx.cls, 0u);
    }
  EXPECT_DOUBLE_EQ(s.nominal_pps(), 500);
  EXPECT_DOUBLE_EQ(s.mean_rtp_bytes(), 172);
}

TEST(FlowSchedule, PacketSharesFollowFlowsTimesRate) {
  std::vector<MixPart> mix;
  std::string why;
  ASSERT_TRUE(parse_mix("g711:80,video:20", &mix, &why));
  FlowSchedule s(1000, mix);
  ASSERT_EQ(s.classes().size(), 2u);
  EXPECT_EQ(s.classes()[0].end - s.classes()[0].begin, 800u);
  EXPECT_EQ(s.classes()[1].end - s.classes()[1].begin, 200u);
  std::map<uint32_t, uint32_t> per_class;
  for (int i = 0; i < 100000; i++) {
    const auto nx = s.next();
    per_class[nx.cls]++;
    EXPECT_GE(nx.flow, s.classes()[nx.cls].begin);
    EXPECT_LT(nx.flow, s.classes()[nx.cls].end);
  }
  // 800 x 50 pps against 200 x 104 pps: video gets 20800 / 60800 of the packets.
  EXPECT_NEAR(per_class[1] / 100000.0, 20800.0 / 60800.0, 0.002);
}

TEST(FlowSchedule, EveryWeightedProfileKeepsAFlow) {
  std::vector<MixPart> mix;
  std::string why;
  ASSERT_TRUE(parse_mix("g711:98,opus:1,video:1", &mix, &why));
  FlowSchedule s(3, mix);
  ASSERT_EQ(s.classes().size(), 3u);
  for (const auto& c : s.classes()) EXPECT_EQ(c.end - c.begin, 1u);
}

}  // namespace
}  // namespace rtpgate::perf
