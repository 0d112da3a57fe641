// --config FILE (commands/config_file.h): recipe values are checked where the file and
// line are known.
#include "commands/config_file.h"

#include <CLI/CLI.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "support/temp_dir.h"
#include "util/error.h"

namespace heed {
namespace {

struct RecipeFlags {
  size_t max_vocab = 0;
  int64_t max_length = 0;
  double lr = 0.0;
  std::string model;
};

std::string expand_error(const std::string& recipe) {
  testing::TempDir dir("heed_config_file");
  const std::string path = dir.write("recipe.toml", recipe);
  CLI::App app;
  RecipeFlags flags;
  auto* train = app.add_subcommand("train");
  train->add_option("--max-vocab", flags.max_vocab);
  train->add_option("--max-length", flags.max_length);
  train->add_option("--lr", flags.lr);
  train->add_option("--model", flags.model);
  try {
    std::vector<std::string> args = expand_config_files(app, "train", {"heed", "train", "--config", path});
    std::reverse(args.begin(), args.end());
    args.pop_back();
    app.parse(args);  // what the file gave must parse
  } catch (const Error& e) {
    const std::string message = e.what();
    return message.rfind(path + ":", 0) == 0 ? message.substr(path.size()) : message;
  }
  return "";
}

// Found by fuzz/fuzz_config_file.cpp: a value of the wrong kind for an integer option
// (max-vocab = 1.5) passed the recipe reader and failed in CLI11's parse, as
// "Could not convert: --max-vocab = 1.5", without the file and line.
TEST(ConfigFile, AValueOfTheWrongKindNamesTheFileAndLine) {
  EXPECT_EQ(expand_error("model = \"transformer\"\nmax-vocab = 1.5\n"), ":2: --max-vocab: expected an integer (got 1.5)");
  EXPECT_EQ(expand_error("max-length = \"ten\"\n"), ":1: --max-length: expected an integer (got ten)");
  EXPECT_EQ(expand_error("lr = \"fast\"\n"), ":1: --lr: expected a number (got fast)");
  EXPECT_EQ(expand_error("max-vocab = 8000\nmax-length = 100\nlr = 0.5\nmodel = \"transformer\"\n"), "");
  EXPECT_EQ(expand_error("lr = 1\n"), "");  // an integer is a number
}

}  // namespace
}  // namespace heed
