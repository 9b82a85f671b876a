// main() of the plugin API test binary: registers the environment that loads the plugin.
#include "plugin_test_env.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(&rtpgate::test::PluginEnv::get());
  return RUN_ALL_TESTS();
}
