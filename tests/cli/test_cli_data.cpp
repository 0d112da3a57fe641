// `heed data toy-language` through the command line: files, formats, determinism, errors.
#include <gtest/gtest.h>

#include "support/run_heed.h"
#include "support/temp_dir.h"

namespace heed {
namespace {

using testing::run_heed;
using testing::split_lines;

TEST(CliData, ToyLanguageWritesPairsAndGoldLinksLineForLine) {
  testing::TempDir dir("heed_cli_toy");
  const auto result = run_heed("data toy-language --count 25 --seed 3 --out " + (dir / "toy.tsv"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto pairs = split_lines(testing::read_text(dir / "toy.tsv"));
  const auto links = split_lines(testing::read_text(dir / "toy.align"));  // beside --out by default
  ASSERT_EQ(pairs.size(), 25u);
  ASSERT_EQ(links.size(), 25u);
  for (size_t i = 0; i < pairs.size(); ++i) {
    ASSERT_NE(pairs[i].find('\t'), std::string::npos) << pairs[i];
    EXPECT_FALSE(links[i].empty()) << "every sentence has content words";
  }

  const auto again = run_heed("data toy-language --count 25 --seed 3 --format pairs --out " + (dir / "toy.pairs") +
                              " --alignments " + (dir / "toy.gold"));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  const auto lines = split_lines(testing::read_text(dir / "toy.pairs"));
  ASSERT_EQ(lines.size(), 25u);
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string tsv = pairs[i];
    tsv.replace(tsv.find('\t'), 1, " ||| ");
    EXPECT_EQ(lines[i], tsv) << "same pairs for the same seed, in the pairs format";
  }
  EXPECT_EQ(testing::read_text(dir / "toy.gold"), testing::read_text(dir / "toy.align"));
}

TEST(CliData, ToyLanguageRejectsBadOptionsInOneLine) {
  testing::TempDir dir("heed_cli_toy_bad");
  for (const std::string flags : {"--format xml", "--min-adjectives 3 --max-adjectives 1",
                                  "--prepositional-phrase-rate 2"}) {
    const auto result = run_heed("data toy-language --count 2 --out " + (dir / "x.tsv") + " " + flags);
    EXPECT_NE(result.exit_code, 0) << flags;
    EXPECT_EQ(result.err.rfind("heed: error: ", 0), 0u) << flags << ": " << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << flags << ": " << result.err;
  }
}

}  // namespace
}  // namespace heed
