// Every recipe in data/recipes/ is a valid config for `heed train` (one step on tiny data).
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "support/run_heed.h"

namespace heed {
namespace {

using testing::run_heed;

TEST(CliRecipes, EveryRecipeTrainsOneStep) {
  testing::TempDir dir("heed_cli_recipes");
  const std::string data = dir / "train.tsv";
  ASSERT_EQ(run_heed("data dates --count 50 --seed 1 --out " + data).exit_code, 0);
  int recipes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(HEED_SOURCE_DIR) + "/data/recipes")) {
    if (entry.path().extension() != ".toml") continue;
    ++recipes;
    const std::string out = dir / entry.path().stem().string();
    const auto result = run_heed("train --config " + entry.path().string() + " --train " + data +
                                 " --max-steps 1 --threads 1 --out " + out);
    ASSERT_EQ(result.exit_code, 0) << entry.path() << "\n" << result.err;
    const auto config = nlohmann::json::parse(testing::read_text(out + "/config.json"));
    EXPECT_EQ(config["training"]["max_steps"], 1) << entry.path();
  }
  EXPECT_GE(recipes, 2);
}

}  // namespace
}  // namespace heed
