// `heed align-eval` end to end: a word-tokenizer copy model scored against gold
// alignments; the printed AER agrees with one recomputed here from --output-alignments.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <sstream>
#include <utility>

#include <nlohmann/json.hpp>

#include "support/expect_error.h"
#include "support/run_heed.h"
#include "support/trained_model_suite.h"

namespace heed {
namespace {

using testing::run_heed;
using testing::split_lines;
using testing::words_of;
using testing::expect_one_error_line;

constexpr size_t kPairs = 8;

// Sentences of 3 to 6 words from w0..w9.
std::vector<std::string> sentences(size_t count, uint64_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::string> out;
  for (size_t i = 0; i < count; ++i) {
    std::string sentence;
    const size_t length = 3 + rng() % 4;
    for (size_t w = 0; w < length; ++w) sentence += (w ? " w" : "w") + std::to_string(rng() % 10);
    out.push_back(sentence);
  }
  return out;
}

// Gold for a copy: i-i sure, i p(i+1) possible; `base` 1 writes 1-based indices.
std::string copy_gold(const std::vector<std::string>& sources, int base) {
  std::string gold;
  for (const auto& source : sources) {
    const size_t n = words_of(source).size();
    std::string line;
    for (size_t i = 0; i < n; ++i) {
      const std::string at = std::to_string(i + base);
      line += (i ? " " : "") + at + "-" + at;
      if (i + 1 < n) line += " " + at + "p" + std::to_string(i + 1 + base);
    }
    gold += line + "\n";
  }
  return gold;
}

class CliAlignEval : public testing::TrainedModelSuite<CliAlignEval> {
 public:
  static constexpr const char* kDirectoryName = "heed_cli_align_eval";
  static std::vector<std::string> commands(const testing::TempDir& dir) {
    std::string train;
    for (const auto& sentence : sentences(300, 1)) train += sentence + "\t" + sentence + "\n";
    testing::write_text(dir / "train.tsv", train);
    const auto test = sentences(kPairs, 2);
    std::string pairs;
    for (const auto& sentence : test) pairs += sentence + " ||| " + sentence + "\n";
    testing::write_text(dir / "pairs.txt", pairs);
    testing::write_text(dir / "gold.txt", copy_gold(test, 0));
    testing::write_text(dir / "gold1.txt", copy_gold(test, 1));
    return {"train --train " + (dir / "train.tsv") +
            " --model gru-bahdanau --tokenizer word --emb 16 --hidden 16 --attention-size 8"
            " --max-steps 30 --batch-tokens 600 --threads 1 --out " + (dir / "model")};
  }
  static std::string pairs() { return *dir_ / "pairs.txt"; }
  static std::string gold() { return *dir_ / "gold.txt"; }
  static std::string align_eval(const std::string& flags, const std::string& gold_file = gold()) {
    return "align-eval --model " + model() + " --pairs " + pairs() + " --gold " + gold_file + " --threads 1 " + flags;
  }
};

// AER, precision and recall of Pharaoh predicted lines against gold lines, by the book.
struct Scores {
  double aer = 0, precision = 1, recall = 1;
};
Scores recompute(const std::vector<std::string>& predicted, const std::vector<std::string>& gold) {
  double a = 0, s = 0, as = 0, ap = 0;
  for (size_t i = 0; i < predicted.size(); ++i) {
    std::set<std::pair<int, int>> A, S, P;
    for (const auto& link : words_of(predicted[i])) {
      const size_t dash = link.find('-');
      A.insert({std::stoi(link.substr(0, dash)), std::stoi(link.substr(dash + 1))});
    }
    for (const auto& link : words_of(gold[i])) {
      const size_t at = link.find_first_of("-p");
      const std::pair<int, int> key{std::stoi(link.substr(0, at)), std::stoi(link.substr(at + 1))};
      if (link[at] == '-') S.insert(key);
      P.insert(key);
    }
    a += static_cast<double>(A.size());
    s += static_cast<double>(S.size());
    for (const auto& key : A) {
      as += static_cast<double>(S.count(key));
      ap += static_cast<double>(P.count(key));
    }
  }
  Scores scores;
  if (a + s > 0) scores.aer = 1.0 - (as + ap) / (a + s);
  if (a > 0) scores.precision = ap / a;
  if (s > 0) scores.recall = as / s;
  return scores;
}

TEST_F(CliAlignEval, PrintsAerPrecisionAndRecall) {
  const auto result = run_heed(align_eval(""));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto lines = split_lines(result.out);
  ASSERT_EQ(lines.size(), 1u) << result.out;
  const auto words = words_of(lines[0]);
  ASSERT_GE(words.size(), 7u) << lines[0];
  EXPECT_EQ(words[0], "AER");
  EXPECT_EQ(words[2], "precision");
  EXPECT_EQ(words[4], "recall");
  EXPECT_EQ(words[6], "(" + std::to_string(kPairs)) << lines[0];
  for (size_t i : {1, 3, 5}) {
    const double value = std::stod(words[i]);
    EXPECT_GE(value, 0.0) << lines[0];
    EXPECT_LE(value, 1.0) << lines[0];
  }
  const auto json_result = run_heed(align_eval("--json"));
  ASSERT_EQ(json_result.exit_code, 0) << json_result.err;
  const auto json = nlohmann::json::parse(json_result.out);
  EXPECT_NEAR(json["aer"].get<double>(), std::stod(words[1]), 1e-4);
  EXPECT_NEAR(json["precision"].get<double>(), std::stod(words[3]), 1e-4);
  EXPECT_NEAR(json["recall"].get<double>(), std::stod(words[5]), 1e-4);
}

TEST_F(CliAlignEval, JsonDescribesTheCountsAndTheHeadRead) {
  const auto result = run_heed(align_eval("--json"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  size_t words = 0;
  for (const auto& sentence : sentences(kPairs, 2)) words += words_of(sentence).size();
  EXPECT_EQ(json["sentences"], kPairs);
  EXPECT_EQ(json["sure"], words);
  EXPECT_EQ(json["possible"], words + words - kPairs);
  EXPECT_EQ(json["predicted"], words);  // argmax: one link per target word
  EXPECT_EQ(json["layer"], 0);
  EXPECT_EQ(json["head"], "mean");
  EXPECT_TRUE(json["threshold"].is_null());
  EXPECT_GE(json["aer"].get<double>(), 0.0);
  EXPECT_LE(json["aer"].get<double>(), 1.0);
}

TEST_F(CliAlignEval, OutputAlignmentsReproduceThePrintedScores) {
  for (const std::string mode : {"", "--threshold 0.2"}) {
    const std::string file = *dir_ / "predicted.txt";
    const auto result = run_heed(align_eval("--json --output-alignments " + file + " " + mode));
    ASSERT_EQ(result.exit_code, 0) << mode << ": " << result.err;
    const auto json = nlohmann::json::parse(result.out);
    const auto predicted = split_lines(testing::read_text(file));
    const auto gold_lines = split_lines(testing::read_text(gold()));
    ASSERT_EQ(predicted.size(), kPairs) << mode;
    const Scores scores = recompute(predicted, gold_lines);
    EXPECT_NEAR(json["aer"].get<double>(), scores.aer, 1e-4) << mode;
    EXPECT_NEAR(json["precision"].get<double>(), scores.precision, 1e-4) << mode;
    EXPECT_NEAR(json["recall"].get<double>(), scores.recall, 1e-4) << mode;
    const auto pair_lines = split_lines(testing::read_text(pairs()));
    for (size_t i = 0; i < kPairs; ++i) {
      const size_t n = words_of(pair_lines[i].substr(0, pair_lines[i].find(" ||| "))).size();
      const auto links = words_of(predicted[i]);
      if (mode.empty()) {
        EXPECT_EQ(links.size(), n) << "one link per target word: " << predicted[i];
      }
      for (const auto& link : links) {
        const size_t dash = link.find('-');
        ASSERT_NE(dash, std::string::npos) << link;
        EXPECT_LT(std::stoul(link.substr(0, dash)), n) << link;
        EXPECT_LT(std::stoul(link.substr(dash + 1)), n) << link;
      }
    }
  }
}

TEST_F(CliAlignEval, OneBasedGoldScoresTheSame) {
  const auto zero = run_heed(align_eval("--json"));
  const auto one = run_heed(align_eval("--json --one-based", *dir_ / "gold1.txt"));
  ASSERT_EQ(zero.exit_code, 0) << zero.err;
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(nlohmann::json::parse(zero.out), nlohmann::json::parse(one.out));
  // Read as 0-based, the 1-based file points past the last word.
  expect_one_error_line(run_heed(align_eval("", *dir_ / "gold1.txt")), "--one-based");
}

TEST_F(CliAlignEval, AllHeadsListsEachHeadThenTheMean) {
  const auto result = run_heed(align_eval("--all-heads"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto lines = split_lines(result.out);
  ASSERT_EQ(lines.size(), 2u) << result.out;  // GRU: 1 layer, 1 head, and its mean
  const auto head = words_of(lines[0]), mean = words_of(lines[1]);
  ASSERT_GE(head.size(), 10u) << lines[0];
  ASSERT_GE(mean.size(), 10u) << lines[1];
  EXPECT_EQ(head[0], "layer");
  EXPECT_EQ(head[1], "0");
  EXPECT_EQ(head[2], "head");
  EXPECT_EQ(head[3], "0");
  EXPECT_EQ(mean[3], "mean");
  EXPECT_EQ(head[4], "AER");
  EXPECT_EQ(head[5], mean[5]);  // the mean over one head is that head
  const double aer = std::stod(head[5]);
  EXPECT_GE(aer, 0.0);
  EXPECT_LE(aer, 1.0);

  const auto json_result = run_heed(align_eval("--all-heads --json"));
  ASSERT_EQ(json_result.exit_code, 0) << json_result.err;
  const auto json = nlohmann::json::parse(json_result.out);
  ASSERT_EQ(json["heads"].size(), 2u);
  EXPECT_EQ(json["heads"][0]["head"], 0);
  EXPECT_EQ(json["heads"][1]["head"], "mean");
  EXPECT_NEAR(json["heads"][0]["aer"].get<double>(), aer, 1e-4);
}

TEST_F(CliAlignEval, GoldWithAnotherLineCountIsAnError) {
  const auto gold_lines = split_lines(testing::read_text(gold()));
  std::string shorter;
  for (size_t i = 0; i + 1 < gold_lines.size(); ++i) shorter += gold_lines[i] + "\n";
  const std::string file = *dir_ / "short_gold.txt";
  testing::write_text(file, shorter);
  const auto result = run_heed(align_eval("", file));
  expect_one_error_line(result, std::to_string(kPairs - 1) + " line(s)");
  EXPECT_NE(result.err.find(std::to_string(kPairs) + " pair(s)"), std::string::npos) << result.err;
}

TEST_F(CliAlignEval, TextThatIsNotOneTokenPerWordIsAnError) {
  // The word tokenizer splits "w1," into "w1" and "￭,": 3 tokens for 2 words.
  const std::string pairs_file = *dir_ / "glued.txt", gold_file = *dir_ / "glued_gold.txt";
  testing::write_text(pairs_file, "w1 w2 ||| w1 w2\nw1, w2 ||| w1 w2\n");
  testing::write_text(gold_file, "0-0 1-1\n0-0 1-1\n");
  const auto result = run_heed("align-eval --model " + model() + " --pairs " + pairs_file + " --gold " + gold_file);
  expect_one_error_line(result, pairs_file + ":2: ");
  EXPECT_NE(result.err.find("reads 3 word(s) where the pair has 2"), std::string::npos) << result.err;
}

TEST_F(CliAlignEval, BadOptionsAreOneLineErrors) {
  for (const std::string flags : {"--alignment-head 1", "--alignment-layer 1", "--alignment-head 0 --average-heads",
                                  "--threshold 0", "--threshold 1.5", "--batch-size 0"}) {
    const auto result = run_heed(align_eval(flags));
    EXPECT_NE(result.exit_code, 0) << flags;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << flags << ": " << result.err;
    EXPECT_EQ(result.err.rfind("heed: error: ", 0), 0u) << flags << ": " << result.err;
    EXPECT_TRUE(result.out.empty()) << flags;
  }
  const std::string malformed = *dir_ / "malformed_gold.txt";
  testing::write_text(malformed, "0-0 1x1\n");
  expect_one_error_line(run_heed(align_eval("", malformed)), malformed + ":1: ");
}

}  // namespace
}  // namespace heed
