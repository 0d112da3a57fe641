// `heed translate` and `dump-attention` search options and output formats end to end:
// beam search, n-best lists, JSON lines, alignments, --replace-unk, batch invariance.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/expect_error.h"
#include "support/run_heed.h"
#include "support/trained_model_suite.h"
#include "util/csv.h"

namespace heed {
namespace {

using testing::run_heed;
using testing::split_lines;
using testing::words_of;
using testing::fields_of;

// A copy task over 30 words whose target vocabulary keeps only 8 of them, so the model
// learns to write <unk> (for --replace-unk).
std::string copy_task(size_t count, uint64_t seed) {
  std::mt19937 rng(seed);
  std::string tsv;
  for (size_t i = 0; i < count; ++i) {
    std::string sentence;
    const size_t length = 3 + rng() % 4;
    for (size_t w = 0; w < length; ++w) sentence += (w ? " w" : "w") + std::to_string(rng() % 30);
    tsv += sentence + "\t" + sentence + "\n";
  }
  return tsv;
}

class CliDecoding : public testing::TrainedModelSuite<CliDecoding> {
 public:
  static constexpr const char* kDirectoryName = "heed_cli_decoding";
  static std::vector<std::string> commands(const testing::TempDir& dir) {
    testing::write_text(dir / "train.tsv", copy_task(300, 1));
    return {"train --train " + (dir / "train.tsv") +
            " --model gru-bahdanau --tokenizer word --max-vocab 12 --emb 16 --hidden 16 --attention-size 8"
            " --max-steps 40 --batch-tokens 600 --threads 1 --out " + (dir / "model")};
  }
  static std::string input() {
    std::string text;
    for (const auto& line : split_lines(copy_task(9, 2))) text += line.substr(0, line.find('\t')) + "\n";
    return text;
  }
};

TEST_F(CliDecoding, NbestListsParseAsIdHypothesisScore) {
  const auto result = run_heed("translate --model " + model() + " --beam 4 --nbest 3 --output nbest", input());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto lines = split_lines(result.out);
  ASSERT_EQ(lines.size(), 9u * 3u);
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto fields = fields_of(lines[i], " ||| ");
    ASSERT_EQ(fields.size(), 3u) << lines[i];
    EXPECT_EQ(fields[0], std::to_string(i / 3)) << lines[i];
    const double score = std::stod(fields[2]);
    EXPECT_LT(score, 0.0);
    if (i % 3 != 0) {
      EXPECT_LE(score, std::stod(fields_of(lines[i - 1], " ||| ")[2])) << "best first";
    }
  }
}

TEST_F(CliDecoding, BeamOneIsTheDefaultGreedyOutput) {
  const auto greedy = run_heed("translate --model " + model(), input());
  const auto beam = run_heed("translate --model " + model() + " --beam 1 --length-penalty 2", input());
  ASSERT_EQ(greedy.exit_code, 0) << greedy.err;
  ASSERT_EQ(beam.exit_code, 0) << beam.err;
  EXPECT_EQ(beam.out, greedy.out);
}

// Batch size and thread count change nothing: tokens identical, scores within 1e-5.
TEST_F(CliDecoding, OutputDoesNotDependOnBatchSizeOrThreads) {
  std::string many;
  for (uint64_t seed = 10; seed < 16; ++seed) {
    for (const auto& line : split_lines(copy_task(20, seed))) many += line.substr(0, line.find('\t')) + "\n";
  }
  std::vector<std::string> reference;
  for (const char* settings : {"--batch-size 1 --threads 1", "--batch-size 7 --threads 2", "--batch-size 64 --threads 1",
                               "--batch-size 64 --threads 2"}) {
    const auto result = run_heed("translate --model " + model() + " --beam 5 --nbest 2 --output nbest " + settings, many);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const auto lines = split_lines(result.out);
    ASSERT_EQ(lines.size(), 120u * 2u) << settings;
    if (reference.empty()) {
      reference = lines;
      continue;
    }
    for (size_t i = 0; i < lines.size(); ++i) {
      const auto got = fields_of(lines[i], " ||| "), expected = fields_of(reference[i], " ||| ");
      EXPECT_EQ(got[0], expected[0]) << settings;
      EXPECT_EQ(got[1], expected[1]) << settings << " line " << i;
      EXPECT_NEAR(std::stod(got[2]), std::stod(expected[2]), 1e-5) << settings << " line " << i;
    }
  }
}

TEST_F(CliDecoding, HardAlignmentsArePharaohPairsInRange) {
  const auto result = run_heed("translate --model " + model() + " --beam 3 --alignment hard", input());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto sources = split_lines(input());
  const auto lines = split_lines(result.out);
  ASSERT_EQ(lines.size(), sources.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto fields = fields_of(lines[i], " ||| ");
    ASSERT_EQ(fields.size(), 2u) << lines[i];
    const auto target_words = words_of(fields[0]);
    const auto links = words_of(fields[1]);
    EXPECT_EQ(links.size(), target_words.size()) << "one link per target word: " << lines[i];
    std::set<size_t> targets;
    for (const auto& link : links) {
      const auto dash = link.find('-');
      ASSERT_NE(dash, std::string::npos) << link;
      const size_t source = std::stoul(link.substr(0, dash)), target = std::stoul(link.substr(dash + 1));
      EXPECT_LT(source, words_of(sources[i]).size()) << link;
      EXPECT_LT(target, target_words.size()) << link;
      targets.insert(target);
    }
    EXPECT_EQ(targets.size(), links.size());
  }
}

TEST_F(CliDecoding, JsonLinesCarryTokensScoresAndAlignments) {
  const auto result = run_heed("translate --model " + model() + " --beam 3 --nbest 2 --output jsonl --alignment soft",
                               input());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto sources = split_lines(input());
  const auto lines = split_lines(result.out);
  ASSERT_EQ(lines.size(), sources.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto json = nlohmann::json::parse(lines[i]);
    EXPECT_EQ(json["id"], i);
    EXPECT_EQ(json["source"], sources[i]);
    const auto source_tokens = json["source_tokens"].get<std::vector<std::string>>();
    EXPECT_EQ(source_tokens.back(), "</s>");
    ASSERT_EQ(json["nbest"].size(), 2u);
    EXPECT_EQ(json["nbest"][0]["hypothesis"], json["hypothesis"]);
    for (const auto& h : json["nbest"]) {
      const auto tokens = h["tokens"].get<std::vector<std::string>>();
      const auto log_probs = h["token_log_probs"].get<std::vector<double>>();
      ASSERT_EQ(log_probs.size(), tokens.size());
      double total = 0;
      for (double lp : log_probs) total += lp;
      EXPECT_NEAR(h["log_prob"].get<double>(), total, 1e-4);
      const double lp = std::pow((5.0 + static_cast<double>(tokens.size())) / 6.0, 0.6);  // default alpha
      EXPECT_NEAR(h["score"].get<double>(), h["log_prob"].get<double>() / lp, 1e-4);
      const auto& soft = h["alignment"];
      ASSERT_EQ(soft.size(), tokens.size());  // one row per target token incl. </s>
      for (const auto& row : soft) {
        ASSERT_EQ(row.size(), source_tokens.size());
        double sum = 0;
        for (double w : row) sum += w;
        EXPECT_NEAR(sum, 1.0, 1e-4);
      }
    }
  }
}

TEST_F(CliDecoding, ReplaceUnkCopiesTheMostAttendedSourceWord) {
  const auto plain = run_heed("translate --model " + model(), input());
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  ASSERT_NE(plain.out.find("<unk>"), std::string::npos) << "the model should write <unk> here:\n" << plain.out;
  const auto replaced = run_heed("translate --model " + model() + " --replace-unk --alignment hard", input());
  ASSERT_EQ(replaced.exit_code, 0) << replaced.err;
  EXPECT_EQ(replaced.out.find("<unk>"), std::string::npos) << replaced.out;
  const auto sources = split_lines(input());
  const auto before = split_lines(plain.out), after = split_lines(replaced.out);
  ASSERT_EQ(after.size(), sources.size());
  for (size_t i = 0; i < after.size(); ++i) {
    const auto fields = fields_of(after[i], " ||| ");
    ASSERT_EQ(fields.size(), 2u);
    const auto words = words_of(fields[0]), original = words_of(before[i]), source = words_of(sources[i]);
    ASSERT_EQ(words.size(), original.size());
    // Each <unk> became the source word its alignment link points to.
    std::map<size_t, size_t> link_of;
    for (const auto& link : words_of(fields[1])) {
      const auto dash = link.find('-');
      link_of[std::stoul(link.substr(dash + 1))] = std::stoul(link.substr(0, dash));
    }
    for (size_t t = 0; t < words.size(); ++t) {
      if (original[t] == "<unk>") {
        EXPECT_EQ(words[t], source.at(link_of.at(t))) << after[i];
      } else {
        EXPECT_EQ(words[t], original[t]);
      }
    }
  }
}

TEST_F(CliDecoding, DumpAttentionOfEachNBestHypothesisMatchesTranslate) {
  const std::string one_line = split_lines(input())[0] + "\n";
  const auto dump = run_heed("dump-attention --model " + model() + " --beam 4 --nbest 3 --part cross", one_line);
  ASSERT_EQ(dump.exit_code, 0) << dump.err;
  const auto lines = split_lines(dump.out);
  ASSERT_GT(lines.size(), 1u);
  EXPECT_EQ(lines[0], "sentence,hypothesis,part,layer,head,query_index,query_token,key_index,key_token,weight");
  std::map<std::string, std::vector<std::string>> queries;  // rank -> target tokens
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto f = csv::parse_line(lines[i]);
    ASSERT_EQ(f.size(), 10u);
    auto& tokens = queries[f[1]];
    const size_t query = std::stoul(f[5]);
    if (tokens.size() <= query) tokens.resize(query + 1);
    tokens[query] = f[6];
  }
  const auto translated = run_heed("translate --model " + model() + " --beam 4 --nbest 3 --output jsonl", one_line);
  ASSERT_EQ(translated.exit_code, 0) << translated.err;
  const auto json = nlohmann::json::parse(split_lines(translated.out)[0]);
  ASSERT_EQ(queries.size(), 3u);
  for (size_t rank = 0; rank < 3; ++rank) {
    EXPECT_EQ(queries[std::to_string(rank)], json["nbest"][rank]["tokens"].get<std::vector<std::string>>())
        << "rank " << rank;
  }
}

TEST_F(CliDecoding, BadSearchAndOutputOptionsAreOneLineErrors) {
  for (const std::string flags : {"--beam 2 --nbest 3 --output nbest", "--nbest 2", "--output xml",
                                  "--alignment diagonal", "--alignment hard --alignment-layer 1",
                                  "--alignment hard --alignment-head 1", "--beam 0", "--length-penalty -1"}) {
    const auto result = run_heed("translate --model " + model() + " " + flags, "w1 w2\n");
    EXPECT_NE(result.exit_code, 0) << flags;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << flags << ": " << result.err;
    EXPECT_EQ(result.err.rfind("heed: error: ", 0), 0u) << flags << ": " << result.err;
    EXPECT_TRUE(result.out.empty()) << flags;
  }
}

// --precision bf16|int8 (quantized at load time): every line answered, the same output in
// any batch and on every load, and every export says which precision computed it.
TEST_F(CliDecoding, ReducedPrecisionsTranslateAndSaySo) {
  std::string many;
  for (const auto& line : split_lines(copy_task(40, 21))) many += line.substr(0, line.find('\t')) + "\n";
  for (const std::string precision : {"bf16", "int8"}) {
    SCOPED_TRACE(precision);
    const std::string translate = "translate --model " + model() + " --precision " + precision;
    const auto batched = run_heed(translate + " --batch-size 64 --beam 3", many);
    ASSERT_EQ(batched.exit_code, 0) << batched.err;
    EXPECT_EQ(split_lines(batched.out).size(), 40u);
    const auto alone = run_heed(translate + " --batch-size 1 --beam 3 --threads 2", many);
    ASSERT_EQ(alone.exit_code, 0) << alone.err;
    EXPECT_EQ(alone.out, batched.out);
    const auto json = run_heed(translate + " --output jsonl", "w1 w2 w3\n");
    ASSERT_EQ(json.exit_code, 0) << json.err;
    EXPECT_EQ(nlohmann::json::parse(json.out).at("precision"), precision);
    const auto csv = run_heed("dump-attention --model " + model() + " --precision " + precision, "w1 w2\n");
    ASSERT_EQ(csv.exit_code, 0) << csv.err;
    const auto rows = split_lines(csv.out);
    ASSERT_GE(rows.size(), 2u);
    EXPECT_EQ(rows[0], "sentence,part,layer,head,query_index,query_token,key_index,key_token,weight,precision");
    for (size_t i = 1; i < rows.size(); ++i) EXPECT_EQ(csv::parse_line(rows[i]).back(), precision) << rows[i];
  }
  // float32 output has no precision field or column, as before.
  const auto json = run_heed("translate --model " + model() + " --output jsonl", "w1 w2 w3\n");
  EXPECT_FALSE(nlohmann::json::parse(json.out).contains("precision"));
  // --fp32-blas: the BLAS library's float32 products instead of the packed kernel's (the
  // same arithmetic in another order): the same translations.
  const auto packed = run_heed("translate --model " + model() + " --beam 3", many);
  ASSERT_EQ(packed.exit_code, 0) << packed.err;
  const auto blas = run_heed("translate --model " + model() + " --beam 3 --fp32-blas", many);
  ASSERT_EQ(blas.exit_code, 0) << blas.err;
  EXPECT_EQ(blas.out, packed.out);
}

TEST_F(CliDecoding, PrecisionMistakesAreOneLineErrors) {
  auto result = run_heed("translate --model " + model() + " --precision fp16", "w1\n");
  testing::expect_one_error_line(result, "unknown precision 'fp16' (known: fp32, bf16, int8)");
  result = run_heed("train --train " + (*dir_ / "train.tsv") + " --precision int8 --max-steps 1 --out " +
                    (*dir_ / "never"));
  testing::expect_one_error_line(result, "--precision: must be one of fp32, bf16 (got int8)");
  result = run_heed("translate --model " + model() + " --precision int8 --fp32-blas", "w1\n");
  testing::expect_one_error_line(result, "--fp32-blas applies to --precision fp32 (got int8)");
}

// A shortlist built from the training pairs: on the copy task every copied word is among a
// sentence's candidates (and <unk> and </s> always are), so greedy search picks what it
// picks over the whole vocabulary, in every precision (beam search may not: the shortlist
// renormalises the probabilities it ranks by); a broken file is a one-line error naming
// its line.
TEST_F(CliDecoding, ShortlistKeepsTheOutputOfACopyTask) {
  const std::string list = *dir_ / "shortlist.txt";
  const auto built = run_heed("shortlist --model " + model() + " --train " + (*dir_ / "train.tsv") +
                              " --frequent 3 --per-source 4 --out " + list);
  ASSERT_EQ(built.exit_code, 0) << built.err;
  const auto lines = split_lines(testing::read_text(list));
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[0], "heed-shortlist 1");
  EXPECT_EQ(words_of(lines[1]).size(), 3u);
  for (size_t i = 2; i < lines.size(); ++i) {
    const auto fields = fields_of(lines[i], "\t");
    ASSERT_EQ(fields.size(), 2u) << lines[i];
    EXPECT_LE(words_of(fields[1]).size(), 4u) << lines[i];
  }
  for (const std::string precision : {"fp32", "int8"}) {
    const auto full = run_heed("translate --model " + model() + " --precision " + precision, input());
    const auto restricted =
        run_heed("translate --model " + model() + " --precision " + precision + " --shortlist " + list, input());
    ASSERT_EQ(restricted.exit_code, 0) << restricted.err;
    EXPECT_EQ(restricted.out, full.out) << precision;
  }
  testing::write_text(*dir_ / "bad_shortlist.txt", "heed-shortlist 1\nw1 w2\nw3 w4\n");
  testing::expect_one_error_line(
      run_heed("translate --model " + model() + " --shortlist " + (*dir_ / "bad_shortlist.txt"), "w1\n"),
      "bad_shortlist.txt:3: expected a source token, a tab and target tokens");
}

TEST_F(CliDecoding, EverySubcommandAcceptsThreads) {
  const std::string train = *dir_ / "train.tsv";
  for (const std::string& command :
       std::vector<std::string>{"models --threads 1", "data dates --count 2 --threads 1",
                                "data reverse --count 2 --threads 1",
                                "score --ref " + train + " --hyp " + train + " --threads 1"}) {
    const auto result = run_heed(command);
    EXPECT_EQ(result.exit_code, 0) << command << ": " << result.err;
  }
}

}  // namespace
}  // namespace heed
