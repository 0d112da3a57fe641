// Alignment scoring (AER, precision, recall against sure and possible gold links), the
// gold and pairs file formats, and attention thresholded into links.
#include "attention/alignment_eval.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "support/temp_dir.h"
#include "util/error.h"

namespace heed {
namespace {

using Links = std::vector<AlignmentLink>;

// The heed::Error message thrown by `f`, or "" when it does not throw.
template <typename F>
std::string error_of(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

GoldAlignment gold_of(const std::string& line, bool one_based = false) {
  return parse_gold_alignment(line, one_based, "gold.txt", 1);
}

TEST(AlignmentEval, ScoresFollowOchAndNey) {
  // S = {0-0, 1-1}, P = S + {1-2}; A = {0-0, 1-2, 2-2}.
  // |A| = 3, |S| = 2, |P| = 3, |A∩S| = 1 (0-0), |A∩P| = 2 (0-0, 1-2).
  AlignmentCounts counts;
  counts.add(Links{{0, 0}, {1, 2}, {2, 2}}, gold_of("0-0 1-1 1p2"));
  EXPECT_EQ(counts.sentences, 1);
  EXPECT_EQ(counts.predicted, 3);
  EXPECT_EQ(counts.sure, 2);
  EXPECT_EQ(counts.possible, 3);
  EXPECT_EQ(counts.predicted_sure, 1);
  EXPECT_EQ(counts.predicted_possible, 2);
  const AlignmentScores scores = score_alignments(counts);
  EXPECT_DOUBLE_EQ(scores.precision, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(scores.recall, 1.0 / 2.0);
  EXPECT_DOUBLE_EQ(scores.aer, 1.0 - 3.0 / 5.0);  // 1 - (1 + 2) / (3 + 2) = 0.4
}

TEST(AlignmentEval, CountsAreSummedOverTheCorpusBeforeDividing) {
  AlignmentCounts counts;
  counts.add(Links{{0, 0}, {1, 2}, {2, 2}}, gold_of("0-0 1-1 1p2"));
  counts.add(Links{}, gold_of("0-0"));  // a sure link missed
  // |A| = 3, |S| = 3, |A∩S| = 1, |A∩P| = 2.
  const AlignmentScores scores = score_alignments(counts);
  EXPECT_EQ(counts.sentences, 2);
  EXPECT_DOUBLE_EQ(scores.precision, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(scores.recall, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(scores.aer, 0.5);  // 1 - 3 / 6
}

TEST(AlignmentEval, PerfectAlignmentScoresZeroAer) {
  AlignmentCounts counts;
  counts.add(Links{{0, 0}, {1, 1}, {2, 1}}, gold_of("0-0 1-1 2p1"));
  const AlignmentScores scores = score_alignments(counts);
  EXPECT_DOUBLE_EQ(scores.precision, 1.0);
  EXPECT_DOUBLE_EQ(scores.recall, 1.0);
  EXPECT_DOUBLE_EQ(scores.aer, 0.0);
}

TEST(AlignmentEval, DuplicatePredictedLinksCountOnce) {
  AlignmentCounts counts;
  counts.add(Links{{0, 0}, {0, 0}, {1, 0}}, gold_of("0-0"));
  EXPECT_EQ(counts.predicted, 2);
  EXPECT_EQ(counts.predicted_sure, 1);
}

TEST(AlignmentEval, EmptySetsHaveDefinedScores) {
  // Nothing at all: vacuously perfect.
  AlignmentScores none = score_alignments(AlignmentCounts{});
  EXPECT_DOUBLE_EQ(none.precision, 1.0);
  EXPECT_DOUBLE_EQ(none.recall, 1.0);
  EXPECT_DOUBLE_EQ(none.aer, 0.0);

  // Nothing predicted, sure links in the gold: AER 1, recall 0, precision 1.
  AlignmentCounts nothing_predicted;
  nothing_predicted.add(Links{}, gold_of("0-0 1-1"));
  const AlignmentScores missed = score_alignments(nothing_predicted);
  EXPECT_DOUBLE_EQ(missed.aer, 1.0);
  EXPECT_DOUBLE_EQ(missed.recall, 0.0);
  EXPECT_DOUBLE_EQ(missed.precision, 1.0);

  // Only possible links in the gold: recall 1 (|S| = 0), AER = 1 - precision.
  AlignmentCounts only_possible;
  only_possible.add(Links{{0, 0}, {1, 1}}, gold_of("0p0"));
  const AlignmentScores possible = score_alignments(only_possible);
  EXPECT_DOUBLE_EQ(possible.recall, 1.0);
  EXPECT_DOUBLE_EQ(possible.precision, 0.5);
  EXPECT_DOUBLE_EQ(possible.aer, 0.5);

  // Links predicted, an empty gold line: precision 0, AER 1.
  AlignmentCounts empty_gold;
  empty_gold.add(Links{{0, 0}}, gold_of(""));
  const AlignmentScores wrong = score_alignments(empty_gold);
  EXPECT_DOUBLE_EQ(wrong.precision, 0.0);
  EXPECT_DOUBLE_EQ(wrong.recall, 1.0);
  EXPECT_DOUBLE_EQ(wrong.aer, 1.0);
}

TEST(AlignmentEval, ParsesSureAndPossibleLinks) {
  const GoldAlignment gold = gold_of("2p3\t 0-1  1-0 ");
  EXPECT_EQ(gold.sure, (Links{{0, 1}, {1, 0}}));
  EXPECT_EQ(gold.possible, (Links{{0, 1}, {1, 0}, {2, 3}}));  // sure links are possible too
  EXPECT_TRUE(gold_of("").sure.empty());
  EXPECT_TRUE(gold_of("   ").possible.empty());
  EXPECT_EQ(gold_of("10-12").sure, (Links{{10, 12}}));
}

TEST(AlignmentEval, ALinkBothSureAndPossibleIsSureAndListedOnce) {
  const GoldAlignment gold = gold_of("0p1 0-1 0-1");
  EXPECT_EQ(gold.sure, (Links{{0, 1}}));
  EXPECT_EQ(gold.possible, (Links{{0, 1}}));
}

TEST(AlignmentEval, OneBasedIndicesAreShiftedToZeroBased) {
  const GoldAlignment gold = gold_of("1-1 2p3", /*one_based=*/true);
  EXPECT_EQ(gold.sure, (Links{{0, 0}}));
  EXPECT_EQ(gold.possible, (Links{{0, 0}, {1, 2}}));
  const std::string error = error_of([] { parse_gold_alignment("1-1 0-2", /*one_based=*/true, "gold.txt", 7); });
  EXPECT_EQ(error.rfind("gold.txt:7: ", 0), 0u) << error;
  EXPECT_NE(error.find("'0-2'"), std::string::npos) << error;
  EXPECT_NE(error_of([] { parse_gold_alignment("3p0", /*one_based=*/true, "g", 1); }), "");
}

TEST(AlignmentEval, MalformedLinksNameFileLineAndToken) {
  for (const std::string token : {"1-", "-1", "p2", "a-b", "1-2-3", "1x2", "12", "1p2p3", "1--2", "+1-2",
                                  "1234567890-1", "1,2"}) {
    const std::string error = error_of([&] { parse_gold_alignment("0-0 " + token, false, "gold.txt", 3); });
    EXPECT_EQ(error.rfind("gold.txt:3: ", 0), 0u) << token << ": " << error;
    EXPECT_NE(error.find("'" + token + "'"), std::string::npos) << token << ": " << error;
  }
}

TEST(AlignmentEval, ReadsGoldFilesLineByLine) {
  testing::TempDir dir("heed_alignment_eval");
  const std::string file = dir.write("gold.txt", "0-0 1p1\n\n2-1\n");
  const auto gold = read_gold_alignments(file, false);
  ASSERT_EQ(gold.size(), 3u);  // the blank line is a pair without links
  EXPECT_EQ(gold[0].sure, (Links{{0, 0}}));
  EXPECT_TRUE(gold[1].possible.empty());
  EXPECT_EQ(gold[2].sure, (Links{{2, 1}}));

  const std::string bad = dir.write("bad.txt", "0-0\n0-x\n");
  const std::string error = error_of([&] { read_gold_alignments(bad, false); });
  EXPECT_EQ(error.rfind(bad + ":2: ", 0), 0u) << error;
}

TEST(AlignmentEval, GoldLinksOutsideThePairAreErrors) {
  const GoldAlignment gold = gold_of("0-0 1-2");
  EXPECT_NO_THROW(check_gold_in_range(gold, /*source_words=*/2, /*target_words=*/3, false, "gold.txt", 4));
  const std::string error = error_of([&] { check_gold_in_range(gold, 2, 2, false, "gold.txt", 4); });
  EXPECT_EQ(error.rfind("gold.txt:4: ", 0), 0u) << error;
  EXPECT_NE(error.find("'1-2'"), std::string::npos) << error;
  EXPECT_NE(error.find("--one-based"), std::string::npos) << error;
  // Shown as the file wrote it: 1-based, possible.
  const std::string shifted = error_of([] {
    check_gold_in_range(parse_gold_alignment("3p1", true, "g", 1), 2, 2, true, "g", 1);
  });
  EXPECT_NE(shifted.find("'3p1'"), std::string::npos) << shifted;
}

TEST(AlignmentEval, ParsesPairsWithOrWithoutSpacesAroundTheSeparator) {
  const SentencePair spaced = parse_aligned_pair("das Haus ||| the house", "pairs.txt", 1);
  EXPECT_EQ(spaced.source, "das Haus");
  EXPECT_EQ(spaced.target, "the house");
  const SentencePair tight = parse_aligned_pair("das Haus|||the house", "pairs.txt", 1);
  EXPECT_EQ(tight.source, "das Haus");
  EXPECT_EQ(tight.target, "the house");
  EXPECT_EQ(parse_aligned_pair(" ||| the", "pairs.txt", 1).source, "");

  const std::string missing = error_of([] { parse_aligned_pair("das Haus\tthe house", "pairs.txt", 5); });
  EXPECT_EQ(missing.rfind("pairs.txt:5: ", 0), 0u) << missing;
  const std::string twice = error_of([] { parse_aligned_pair("a ||| b ||| c", "pairs.txt", 6); });
  EXPECT_EQ(twice.rfind("pairs.txt:6: ", 0), 0u) << twice;

  testing::TempDir dir("heed_alignment_pairs");
  const std::string file = dir.write("pairs.txt", "a b ||| c\r\nd ||| e f\n");
  const auto pairs = read_aligned_pairs(file);
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[0].target, "c");
  EXPECT_EQ(pairs[1].target, "e f");
  const std::string bad = dir.write("bad.txt", "a ||| b\n\n");
  EXPECT_EQ(error_of([&] { read_aligned_pairs(bad); }).rfind(bad + ":2: ", 0), 0u);
}

TEST(AlignmentEval, CountsWords) {
  EXPECT_EQ(count_words(""), 0);
  EXPECT_EQ(count_words("  a  b\tc "), 3);
  EXPECT_EQ(count_words("the house ."), 3);
}

// weights: rows = target tokens (the last one </s>), columns = source tokens (the last </s>).
torch::Tensor example_weights() {
  return torch::tensor({0.6f, 0.3f, 0.1f,    // target 0: source 0 and 1 reach 0.3
                        0.1f, 0.2f, 0.7f,    // target 1: only </s> reaches 0.3
                        0.5f, 0.45f, 0.05f}  // target </s>
                       ).reshape({3, 3});
}

TEST(AlignmentEval, ThresholdLinksEveryWeightAtOrAboveItExceptEos) {
  const torch::Tensor weights = example_weights();
  EXPECT_EQ(threshold_alignment(weights, 0.3, /*target_ends_with_eos=*/true), (Links{{0, 0}, {1, 0}}));
  // Without a final </s>, the last row is a word and is linked too.
  EXPECT_EQ(threshold_alignment(weights, 0.3, /*target_ends_with_eos=*/false),
            (Links{{0, 0}, {1, 0}, {0, 2}, {1, 2}}));
  EXPECT_TRUE(threshold_alignment(weights, 0.95, true).empty());
  // Equal to the threshold counts.
  EXPECT_EQ(threshold_alignment(weights, 0.6, true), (Links{{0, 0}}));
  // The argmax rule gives one link per target word instead.
  EXPECT_EQ(hard_alignment(weights, true), (Links{{0, 0}, {1, 1}}));
}

TEST(AlignmentEval, ThresholdOnAnEmptySourceGivesNoLinks) {
  const torch::Tensor weights = torch::ones({2, 1});  // only the source </s>
  EXPECT_TRUE(threshold_alignment(weights, 0.5, true).empty());
}

}  // namespace
}  // namespace heed
