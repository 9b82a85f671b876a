// Requests that exist at Janus HEAD but not in v1.1.2 (spec §4.4 progress, §4.5 send_ringing,
// §4.16 keyframe): the stock plugin does not know them (442); rtpgate implements HEAD's rules.
#include "plugin_test_env.h"

namespace rtpgate::test {
namespace {

using HeadRequests = PluginApiTest;

TEST_F(HeadRequests, ProgressOutsideAnIncomingCallIs447) {
  auto* h = attach();
  guest_register(h);
  PluginEvent ev = request(h, R"({"request":"progress"})", offer_jsep());
  if (stock()) {
    EXPECT_TRUE(IsError(ev, 442, "Unknown request (progress)"));
  } else {
    EXPECT_TRUE(IsError(ev, 447, "Wrong state (not invited? status=idle)"));
  }
}

TEST_F(HeadRequests, SendRingingOutsideAnIncomingCallIsErrorCode0) {
  auto* h = attach();
  PluginEvent ev = request(h, R"({"request":"send_ringing"})");
  if (stock()) {
    EXPECT_TRUE(IsError(ev, 442, "Unknown request (send_ringing)"));
  } else {
    EXPECT_TRUE(IsError(ev, 0, "Wrong state (not in a call?)"));
  }
}

TEST_F(HeadRequests, KeyframeOutsideACallIsErrorCode0) {
  auto* h = attach();
  PluginEvent ev = request(h, R"({"request":"keyframe","user":true,"peer":true})");
  if (stock()) {
    EXPECT_TRUE(IsError(ev, 442, "Unknown request (keyframe)"));
  } else {
    EXPECT_TRUE(IsError(ev, 0, "Wrong state (not in a call?)"));
  }
}

TEST_F(HeadRequests, NamesAreCaseInsensitive) {
  auto* h = attach();
  PluginEvent ev = request(h, R"({"request":"KeyFrame"})");
  if (stock()) {
    EXPECT_TRUE(IsError(ev, 442, "Unknown request (KeyFrame)"));
  } else {
    EXPECT_TRUE(IsError(ev, 0, "Wrong state (not in a call?)"));
  }
}

}  // namespace
}  // namespace rtpgate::test
