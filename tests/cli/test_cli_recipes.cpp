// Every recipe in data/recipes/ is a valid config for `heed train` (one step on tiny data,
// which replaces the corpora a recipe names: tests never read ../shared).
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "support/run_heed.h"

namespace heed {
namespace {

using testing::run_heed;

TEST(CliRecipes, EveryRecipeTrainsOneStep) {
  testing::TempDir dir("heed_cli_recipes");
  std::string sources, targets;
  for (const auto& line : testing::split_lines(run_heed("data dates --count 50 --seed 1").out)) {
    sources += line.substr(0, line.find('\t')) + "\n";
    targets += line.substr(line.find('\t') + 1) + "\n";
  }
  const std::string data = " --train-src " + dir.write("train.src", sources) + " --train-tgt " +
                           dir.write("train.tgt", targets) + " --valid-src " + dir.write("valid.src", sources) +
                           " --valid-tgt " + dir.write("valid.tgt", targets);
  int recipes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(HEED_SOURCE_DIR) + "/data/recipes")) {
    if (entry.path().extension() != ".toml") continue;
    ++recipes;
    const std::string out = dir / entry.path().stem().string();
    const auto result = run_heed("train --config " + entry.path().string() + data +
                                 " --max-steps 1 --threads 1 --out " + out);
    ASSERT_EQ(result.exit_code, 0) << entry.path() << "\n" << result.err;
    const auto config = nlohmann::json::parse(testing::read_text(out + "/config.json"));
    EXPECT_EQ(config["training"]["max_steps"], 1) << entry.path();
  }
  EXPECT_GE(recipes, 5);
}

}  // namespace
}  // namespace heed
