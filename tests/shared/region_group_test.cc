// shm_group: Janus running as an unprivileged user attaches to the region the data plane
// (root) created, through the region's group; a user outside that group is refused with a
// clear reason. Needs root (to create as root and become nobody); skipped otherwise.
#include <grp.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <string>

#include "rtpgate/shm/control_client.h"
#include "rtpgate/shm/region_map.h"
#include "small_region.h"

namespace rtpgate::shm {
namespace {

// Runs `body` in a child that became uid `uid` with gid `gid` and (only) the supplementary
// groups `groups`; returns its exit status (the body's return value), -1 if it died.
int as_user(uid_t uid, gid_t gid, std::vector<gid_t> groups, const std::function<int()>& body) {
  const pid_t pid = fork();
  if (pid == 0) {
    if (setgroups(groups.size(), groups.data()) != 0 || setgid(gid) != 0 || setuid(uid) != 0) _exit(90);
    std::fflush(stdout);
    _exit(body());
  }
  int st = 0;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

class RegionGroup : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    const passwd* nobody = getpwnam("nobody");
    const group* nogroup = getgrnam("nogroup");
    if (nobody == nullptr || nogroup == nullptr) GTEST_SKIP() << "no nobody/nogroup";
    uid_ = nobody->pw_uid;
    gid_ = nogroup->gr_gid;
    name_ = "/rtpgate-group-test-" + std::to_string(getpid());
    std::string why;
    RegionConfig c = test::small_region(name_);
    c.group = "nogroup";
    auto r = Region::create(c, &why);
    ASSERT_TRUE(r.ok()) << why;
    dp_ = std::move(r.value());
    dp_.hdr()->dp_state = RTPGATE_DP_RUNNING;
  }
  void TearDown() override {
    if (dp_.mapped()) dp_.unlink();
  }
  uid_t uid_ = 0;
  gid_t gid_ = 0;
  std::string name_;
  Region dp_;
};

TEST_F(RegionGroup, CreatedWithTheGroupAndMode0660) {
  struct stat st{};
  ASSERT_EQ(stat(("/dev/shm" + name_).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0660u);
  EXPECT_EQ(st.st_gid, gid_);
  EXPECT_EQ(st.st_uid, 0u);
}

TEST_F(RegionGroup, AMemberOfTheGroupAttachesAsController) {
  const std::string name = name_;
  const int rc = as_user(uid_, gid_, {gid_}, [&] {
    std::string why;
    auto cc = ControlClient::open(name, &why);
    if (!cc) {
      std::fprintf(stderr, "open: %s\n", why.c_str());
      return 1;
    }
    auto id = cc->alloc_flow();  // writes the region (the flow bitmap)
    if (!id) return 2;
    return cc->hdr().control_pid == static_cast<uint32_t>(getpid()) ? 0 : 3;
  });
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(dp_.flow_bitmap()[0] & 1u, 1u) << "the unprivileged controller's allocation is visible";
}

TEST_F(RegionGroup, AnOutsiderIsRefusedWithTheReason) {
  const std::string name = name_;
  const int rc = as_user(uid_, 65533, {}, [&] {
    std::string why;
    auto r = Region::attach(name, &why);
    if (r) return 1;
    return why.find("Permission denied") != std::string::npos ? 0 : 2;
  });
  EXPECT_EQ(rc, 0);
}

}  // namespace
}  // namespace rtpgate::shm
