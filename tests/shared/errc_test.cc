// Every internal error code has a distinct, non-empty description and a distinct number.
#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "rtpgate/errc.h"
#include "rtpgate/result.h"

namespace rtpgate {
namespace {

struct Entry {
  Errc e;
  const char* name;
  int num;
};

const std::vector<Entry>& all_errcs() {
  static const std::vector<Entry> v = {
#define RTPGATE_ERRC(name, num, text) {Errc::name, #name, num},
#include "rtpgate/errc.def"
#undef RTPGATE_ERRC
  };
  return v;
}

TEST(Errc, EveryCodeHasANonEmptyDistinctString) {
  std::set<std::string_view> seen;
  for (const auto& e : all_errcs()) {
    const std::string_view s = to_string(e.e);
    EXPECT_FALSE(s.empty()) << e.name;
    EXPECT_NE(s, "unknown error") << e.name;
    EXPECT_TRUE(seen.insert(s).second) << e.name << " repeats \"" << s << "\"";
  }
  EXPECT_GE(seen.size(), 16u);
}

TEST(Errc, NumbersAreDistinctAndDense) {
  std::set<int> nums;
  for (const auto& e : all_errcs()) {
    EXPECT_EQ(static_cast<int>(e.e), e.num) << e.name;
    EXPECT_TRUE(nums.insert(e.num).second) << e.name << " reuses " << e.num;
  }
  // Completions carry these numbers: append only, starting at Ok = 0.
  EXPECT_EQ(*nums.begin(), 0);
  EXPECT_EQ(*nums.rbegin(), static_cast<int>(nums.size()) - 1);
  EXPECT_EQ(static_cast<int>(Errc::Ok), 0);
  EXPECT_EQ(static_cast<int>(Errc::SysError), 15);
}

TEST(Errc, UnknownValueHasFallbackString) {
  EXPECT_EQ(to_string(static_cast<Errc>(0xfff0)), "unknown error");
}

TEST(Result, HoldsValueOrError) {
  Result<int> ok = 5;
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ok.value(), 5);
  EXPECT_EQ(ok.error(), Errc::Ok);
  Result<int> bad = Errc::NoSuchFlow;
  EXPECT_FALSE(bad.ok());
  EXPECT_FALSE(static_cast<bool>(bad));
  EXPECT_EQ(bad.error(), Errc::NoSuchFlow);
}

}  // namespace
}  // namespace rtpgate
