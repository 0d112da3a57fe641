// Where a process stands in a group: torchrun's variables and their checks.
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "parallel/world.h"
#include "util/error.h"

namespace heed {
namespace {

// Sets the variables for one test and restores them afterwards. Every variable heed
// reads is set (to "" unless given: the same as unset), so the test does not depend on
// the environment it runs in.
class Environment {
 public:
  explicit Environment(std::initializer_list<std::pair<std::string, std::string>> variables) {
    for (const char* name : {"RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT",
                             "TORCHELASTIC_USE_AGENT_STORE", "TORCHELASTIC_RESTART_COUNT"}) {
      const char* old = std::getenv(name);
      saved_.emplace_back(name, old == nullptr ? std::nullopt : std::optional<std::string>(old));
      setenv(name, "", 1);
    }
    for (const auto& [name, value] : variables) setenv(name.c_str(), value.c_str(), 1);
  }
  ~Environment() {
    for (const auto& [name, value] : saved_) {
      if (value) {
        setenv(name.c_str(), value->c_str(), 1);
      } else {
        unsetenv(name.c_str());
      }
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST(World, TorchrunVariablesSetRankSizeAndMeetingPoint) {
  const Environment env({{"RANK", "3"}, {"WORLD_SIZE", "4"}, {"LOCAL_RANK", "1"}, {"MASTER_ADDR", "node0"},
                         {"MASTER_PORT", "29555"}});
  const WorldSpec world = world_from_environment();
  EXPECT_EQ(world.rank, 3);
  EXPECT_EQ(world.world_size, 4);
  EXPECT_EQ(world.local_rank, 1);
  EXPECT_EQ(world.master_addr, "node0");
  EXPECT_EQ(world.master_port, 29555);
  EXPECT_FALSE(world.agent_store);
  EXPECT_TRUE(world.distributed());
  EXPECT_NO_THROW(check_world(world));
}

TEST(World, WithoutVariablesTheDefaultsStay) {
  const Environment env({});
  WorldSpec base;
  base.master_port = 1234;
  const WorldSpec world = world_from_environment(base);
  EXPECT_EQ(world.rank, 0);
  EXPECT_EQ(world.world_size, 1);
  EXPECT_EQ(world.master_port, 1234);
  EXPECT_FALSE(world.distributed());
}

TEST(World, TorchrunsAgentStoreIsJoinedUnderItsAttemptPrefix) {
  const Environment env({{"TORCHELASTIC_USE_AGENT_STORE", "True"}, {"TORCHELASTIC_RESTART_COUNT", "2"}});
  const WorldSpec world = world_from_environment();
  EXPECT_TRUE(world.agent_store);
  EXPECT_EQ(world.store_prefix, "/worker/attempt_2");
}

TEST(World, AMalformedVariableIsNamed) {
  const Environment env({{"MASTER_PORT", "29x"}});
  try {
    world_from_environment();
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "environment variable MASTER_PORT='29x' is not an integer in [1, 65535]");
  }
}

TEST(World, ARankOutsideTheWorldIsAnError) {
  WorldSpec world;
  world.world_size = 2;
  world.rank = 2;
  try {
    check_world(world);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "--rank 2 is outside [0, 2) (--world-size 2)");
  }
}

}  // namespace
}  // namespace heed
