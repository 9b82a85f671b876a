// Address parsing/formatting and the relay port range the plugin allocates from.
#include "media/media_addr.h"

#include <gtest/gtest.h>

namespace rtpgate::ctl::media {
namespace {

TEST(MediaAddr, ParsesAndFormatsBothFamilies) {
  rtpgate_shm_addr a{};
  ASSERT_TRUE(parse_addr("10.1.2.3", 0, &a));
  EXPECT_EQ(a.family, 4);
  EXPECT_EQ(format_addr(a), "10.1.2.3");
  ASSERT_TRUE(parse_addr("2001:db8::7", 0, &a));
  EXPECT_EQ(a.family, 6);
  EXPECT_EQ(format_addr(a), "2001:db8::7");
  EXPECT_FALSE(parse_addr("10.1.2.3", 6, &a));
  EXPECT_FALSE(parse_addr("::1", 4, &a));
  EXPECT_FALSE(parse_addr("example.org", 0, &a));
  EXPECT_FALSE(parse_addr("", 0, &a));
}

TEST(MediaAddr, UnspecifiedMeansHold) {
  rtpgate_shm_addr a{};
  EXPECT_TRUE(addr_unspecified(a));
  ASSERT_TRUE(parse_addr("0.0.0.0", 0, &a));
  EXPECT_TRUE(addr_unspecified(a));
  ASSERT_TRUE(parse_addr("::", 0, &a));
  EXPECT_TRUE(addr_unspecified(a));
  ASSERT_TRUE(parse_addr("0.0.0.1", 0, &a));
  EXPECT_FALSE(addr_unspecified(a));
}

TEST(UsablePorts, WholeRegionRangeWhenNoSubset) {
  bool ignored = true;
  PortRange r = usable_ports(20000, 20999, 0, 0, &ignored);
  EXPECT_FALSE(ignored);
  EXPECT_EQ(r.first, 20000);
  EXPECT_EQ(r.last, 20998);
  EXPECT_EQ(r.pairs(), 500u);
  r = usable_ports(20001, 20004, 0, 0, &ignored);  // odd start, short range
  EXPECT_EQ(r.first, 20002);
  EXPECT_EQ(r.last, 20002);
  EXPECT_EQ(r.pairs(), 1u);
}

TEST(UsablePorts, SubsetIsIntersectedAndEvenAligned) {
  bool ignored = true;
  const PortRange r = usable_ports(20000, 20999, 20501, 20600, &ignored);
  EXPECT_FALSE(ignored);
  EXPECT_EQ(r.first, 20502);
  EXPECT_EQ(r.last, 20598);
  const PortRange edge = usable_ports(20000, 20999, 10000, 20003, &ignored);
  EXPECT_FALSE(ignored);
  EXPECT_EQ(edge.first, 20000);
  EXPECT_EQ(edge.last, 20002);
}

TEST(UsablePorts, DisjointOrTooSmallSubsetFallsBackToTheRegion) {
  bool ignored = false;
  PortRange r = usable_ports(20000, 20999, 10000, 19999, &ignored);
  EXPECT_TRUE(ignored);
  EXPECT_EQ(r.first, 20000);
  EXPECT_EQ(r.last, 20998);
  r = usable_ports(20000, 20999, 20999, 30000, &ignored);  // one port: no pair
  EXPECT_TRUE(ignored);
  EXPECT_EQ(r.pairs(), 500u);
}

TEST(UsablePorts, NoPairAtAll) {
  bool ignored = false;
  EXPECT_EQ(usable_ports(20001, 20002, 0, 0, &ignored).pairs(), 0u);
  EXPECT_EQ(usable_ports(65534, 65535, 0, 0, &ignored).pairs(), 1u);
}

}  // namespace
}  // namespace rtpgate::ctl::media
