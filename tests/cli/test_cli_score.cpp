// heed score: sacreBLEU's numbers for a hypothesis file, the score first.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "support/run_heed.h"

namespace heed {
namespace {

using testing::run_heed;

double first_number(const std::string& text) { return std::stod(text.substr(text.find_first_of("0123456789"))); }

TEST(CliScore, BleuIsTheFirstNumberPrintedWithTheSignature) {
  testing::TempDir dir("heed_score");
  const std::string ref = dir.write("ref.txt", "a b c e\nthe cat sat on the mat\n");
  // Sentence 1: 1-grams 3/4, 2-grams 2/3, 3-grams 1/2, 4-grams 0/1; sentence 2 matches exactly:
  // corpus 9/10, 7/8, 5/6, 3/4 -> BLEU = (9/10 * 7/8 * 5/6 * 3/4)^(1/4) = 83.76, BP 1.
  const auto result = run_heed("score --ref " + ref, "a b c d\nthe cat sat on the mat\n");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NEAR(first_number(result.out), 83.76, 0.005) << result.out;
  EXPECT_NE(result.out.find("BLEU|nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:"), std::string::npos);
  EXPECT_NE(result.out.find("90.0/87.5/83.3/75.0 (BP = 1.000 ratio = 1.000 hyp_len = 10 ref_len = 10)"),
            std::string::npos)
      << result.out;
}

TEST(CliScore, SmoothingBrevityPenaltyLowercaseAndJson) {
  testing::TempDir dir("heed_score");
  const std::string ref = dir.write("ref.txt", "a b c e\n");
  // 3/4, 2/3, 1/2 and no 4-gram match: sacreBLEU's exp smoothing gives that one 1/(2 * 1).
  auto result = run_heed("score --ref " + ref, "a b c d\n");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NEAR(first_number(result.out), 59.46, 0.005) << result.out;
  // Case matters unless --lowercase.
  result = run_heed("score --json --ref " + ref, "A B C D\n");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(nlohmann::json::parse(result.out)["score"].get<double>(), 0.0);
  result = run_heed("score --json --lowercase --ref " + ref, "A B C D\n");
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_NEAR(json["score"].get<double>(), 100.0 * std::pow(0.75 * 2.0 / 3.0 * 0.5 * 0.5, 0.25), 1e-9);
  // Too short: every precision 100, brevity penalty exp(1 - 6/5).
  const std::string long_ref = dir.write("long.txt", "a b c d e f\n");
  result = run_heed("score --json --ref " + long_ref, "a b c d e\n");
  EXPECT_NEAR(nlohmann::json::parse(result.out)["score"].get<double>(), 100.0 * std::exp(-0.2), 1e-9);
  EXPECT_NEAR(nlohmann::json::parse(result.out)["bp"].get<double>(), std::exp(-0.2), 1e-12);
  // No 3-grams in the hypothesis at all: sacreBLEU stops there and the score is 0.
  result = run_heed("score --json --ref " + ref, "a b\n");
  EXPECT_EQ(nlohmann::json::parse(result.out)["score"].get<double>(), 0.0);
  EXPECT_NE(json["signature"].get<std::string>().find("case:lc"), std::string::npos);
}

TEST(CliScore, ChrfAndTokenizeNone) {
  testing::TempDir dir("heed_score");
  const std::string ref = dir.write("ref.txt", "Hello, world!\n");
  auto result = run_heed("score --metric chrf --ref " + ref, "Hello, world!\n");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NEAR(first_number(result.out), 100.0, 1e-9) << result.out;
  EXPECT_NE(result.out.find("chrF2|nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:"), std::string::npos);
  // 13a splits "world!" into "world !"; none keeps "Hello," and "world!" whole.
  result = run_heed("score --ref " + ref, "Hello , world !\n");
  EXPECT_NEAR(first_number(result.out), 100.0, 1e-9) << result.out;
  result = run_heed("score --tokenize none --ref " + ref, "Hello , world !\n");
  EXPECT_LT(first_number(result.out), 100.0) << result.out;
}

// Files are read as sacreBLEU reads them: a byte-order mark is text, and only "\n" ends a
// line of a file (standard input also ends lines at "\r", as Python's sys.stdin does).
TEST(CliScore, ReadsFilesAsSacrebleuDoes) {
  testing::TempDir dir("heed_score");
  // "\ufeffthe" is not "the": 5/6, 4/5, 3/4, 2/3 -> (1/3)^(1/4) = 75.98, as sacreBLEU gives.
  const std::string bom_ref = dir.write("bom.txt", "\xEF\xBB\xBFthe cat sat on the mat\n");
  auto result = run_heed("score --tokenize none --ref " + bom_ref, "the cat sat on the mat\n");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NEAR(first_number(result.out), 100.0 * std::pow(1.0 / 3.0, 0.25), 0.005) << result.out;
  // A lone "\r" inside a reference line is whitespace, not a line end; CRLF ends a line.
  const std::string cr_ref = dir.write("cr.txt", "a b\rc d\r\nthe cat\r\n");
  result = run_heed("score --tokenize none --ref " + cr_ref, "a b c d\nthe cat\n");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NEAR(first_number(result.out), 100.0, 1e-9) << result.out;
  // ... while on standard input it ends the line.
  result = run_heed("score --tokenize none --ref " + cr_ref, "a b\rc d\r\nthe cat\n");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("have 3 lines but"), std::string::npos) << result.err;
}

TEST(CliScore, MistakesAreOneLineErrors) {
  testing::TempDir dir("heed_score");
  const std::string ref = dir.write("ref.txt", "a\nb\n");
  for (const auto& [args, message] : std::vector<std::pair<std::string, std::string>>{
           {"score --ref " + ref, "have 1 lines but " + ref + " has 2"},
           {"score --metric ter --ref " + ref, "--metric must be bleu or chrf"},
           {"score --tokenize intl --ref " + ref, "unknown BLEU tokenizer 'intl' (known: 13a, none)"},
           {"score --ref " + (dir / "missing.txt"), "missing.txt"},
           {"score --ref -", "--ref - reads the references from standard input"},
           {"score --ref " + dir.write("empty.txt", "a\n \t\nc\n"),
            "empty.txt:2: empty reference (sacreBLEU refuses these too)"}}) {
    const auto result = run_heed(args, "a\n");
    EXPECT_NE(result.exit_code, 0) << args;
    EXPECT_EQ(result.err.rfind("heed: error: ", 0), 0u) << result.err;
    EXPECT_NE(result.err.find(message), std::string::npos) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  }
}

}  // namespace
}  // namespace heed
