// Subword vocabularies and the training options of real-data recipes, end to end:
// SentencePiece trained at `heed train` time or ahead by `heed vocab`, checkpoint
// averaging, and the learning-rate schedules.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "support/saved_state.h"
#include "support/run_heed.h"

namespace heed {
namespace {

using testing::run_heed;

constexpr const char* kTinyGru = " --emb 8 --hidden 8 --attention-size 4 --threads 1 --seed 2";

class CliSubwords : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(run_heed("data dates --count 300 --seed 1 --out " + (dir_ / "train.tsv")).exit_code, 0);
    ASSERT_EQ(run_heed("data dates --count 20 --seed 2 --out " + (dir_ / "valid.tsv")).exit_code, 0);
  }
  std::string train_args() const { return " --train " + (dir_ / "train.tsv") + kTinyGru; }
  testing::TempDir dir_{"heed_subwords"};
};

TEST_F(CliSubwords, SentencePieceIsTrainedStoredAndUsedToTranslate) {
  const auto trained = run_heed("train" + train_args() +
                                " --tokenizer sentencepiece --vocab-size 60 --shared-vocab --max-steps 2 --out " +
                                (dir_ / "m"));
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  EXPECT_NE(trained.err.find("vocabulary (sentencepiece, shared)"), std::string::npos) << trained.err;
  for (const char* file : {"source.spm", "target.spm", "source.vocab", "target.vocab"}) {
    EXPECT_TRUE(std::filesystem::exists(dir_ / ("m/" + std::string(file)))) << file;
  }
  EXPECT_EQ(testing::read_text(dir_ / "m/source.vocab"), testing::read_text(dir_ / "m/target.vocab"));
  const auto config = nlohmann::json::parse(testing::read_text(dir_ / "m/config.json"));
  EXPECT_EQ(config["source"]["tokenizer"], "sentencepiece");
  // translate needs nothing but the directory; the output is detokenized text.
  const auto translated = run_heed("translate --model " + (dir_ / "m"), "march 3, 1970\n12/31/2046\n");
  ASSERT_EQ(translated.exit_code, 0) << translated.err;
  const auto lines = testing::split_lines(translated.out);
  ASSERT_EQ(lines.size(), 2u);
  for (const auto& line : lines) EXPECT_EQ(line.find("\u2581"), std::string::npos) << line;
}

TEST_F(CliSubwords, VocabBuiltAheadIsWhatTrainUses) {
  const auto built = run_heed("vocab --train " + (dir_ / "train.tsv") +
                              " --tokenizer sentencepiece --sp-model-type bpe --vocab-size 50 --out " + (dir_ / "v"));
  ASSERT_EQ(built.exit_code, 0) << built.err;
  const auto description = nlohmann::json::parse(testing::read_text(dir_ / "v/vocab.json"));
  EXPECT_EQ(description["source"]["tokenizer"], "sentencepiece");
  EXPECT_EQ(description["shared"], false);
  const auto trained = run_heed("train" + train_args() + " --vocab " + (dir_ / "v") + " --max-steps 1 --out " + (dir_ / "m"));
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  for (const char* file : {"source.spm", "target.spm", "source.vocab", "target.vocab"}) {
    EXPECT_EQ(testing::read_text(dir_ / ("m/" + std::string(file))), testing::read_text(dir_ / ("v/" + std::string(file))))
        << file;
  }
}

TEST_F(CliSubwords, TokenizerMistakesAreOneLineErrors) {
  for (const auto& [args, message] : std::vector<std::pair<std::string, std::string>>{
           {" --tokenizer bpe", "unknown tokenizer 'bpe' (known: word, char, sentencepiece)"},
           {" --tokenizer sentencepiece --sp-model-type char", "unknown SentencePiece model type 'char'"},
           {" --vocab " + (dir_ / "nowhere"), "is not a vocabulary directory"},
           {" --lr-schedule cosine", "--lr-schedule: must be one of constant, inverse-sqrt, plateau (got cosine)"},
           {" --lr-schedule plateau", "--lr-schedule plateau needs validation data (--valid)"},
           {" --plateau-patience 3", "apply to --lr-schedule plateau only"},
           {" --average-checkpoints 1", "--average-checkpoints needs at least 2"},
           {" --vocab " + (dir_ / "train.tsv") + " --shared-vocab", "--shared-vocab cannot be combined with --vocab"}}) {
    const auto result = run_heed("train" + train_args() + args + " --max-steps 1 --out " + (dir_ / "bad"));
    EXPECT_NE(result.exit_code, 0) << args;
    EXPECT_EQ(result.err.rfind("heed: error: ", 0), 0u) << result.err;
    EXPECT_NE(result.err.find(message), std::string::npos) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_FALSE(std::filesystem::exists(dir_ / "bad/config.json"));
  }
}

TEST_F(CliSubwords, TheLastCheckpointsAreKeptAndAveraged) {
  const auto trained = run_heed("train" + train_args() + " --tokenizer char --valid " + (dir_ / "valid.tsv") +
                                " --valid-every 2 --max-steps 6 --average-checkpoints 2 --out " + (dir_ / "m"));
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  EXPECT_NE(trained.err.find("average of the last 2 checkpoints"), std::string::npos) << trained.err;
  const auto files = testing::read_manifest_json(dir_ / "m")["files"];
  EXPECT_FALSE(files.contains("checkpoint_2"));
  ASSERT_TRUE(files.contains("checkpoint_4"));
  ASSERT_TRUE(files.contains("checkpoint_6"));
  EXPECT_TRUE(std::filesystem::exists(testing::saved_file(dir_ / "m", "checkpoint_4")));
  // The checkpoint of the last validation is the last weights, one file.
  EXPECT_EQ(files["checkpoint_6"]["file"], files["weights_last"]["file"]);
  EXPECT_TRUE(std::filesystem::exists(testing::saved_file(dir_ / "m", "weights_averaged")));
  // The weights of step 2 went with the manifests that named them.
  size_t weight_files = 0;
  for (const auto& item : std::filesystem::directory_iterator(dir_ / "m")) {
    const std::string name = item.path().filename().string();
    if (name.rfind("weights.", 0) == 0 || name.rfind("averaged.", 0) == 0) ++weight_files;
  }
  EXPECT_EQ(weight_files, 3u);  // step 4, step 6, the average
  const auto progress = testing::saved_progress(dir_ / "m");
  EXPECT_EQ(progress["averaged"]["checkpoints"], nlohmann::json({4, 6}));
  EXPECT_TRUE(progress["averaged"].contains("bleu"));
}

// Exact match stays 0 on this tiny model, so after the first validation none improves:
// with patience 1 every further validation halves the learning rate, and a resumed run
// goes on from the stored scale.
TEST_F(CliSubwords, PlateauHalvesTheRateAtEachBadValidationAndResumesItsScale) {
  const std::string common = train_args() + " --tokenizer char --valid " + (dir_ / "valid.tsv") +
                             " --best-metric exact --valid-every 1";
  auto trained = run_heed("train" + common + " --lr-schedule plateau --plateau-patience 1 --plateau-factor 0.5 "
                          "--max-steps 4 --out " + (dir_ / "m"));
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  const auto config = nlohmann::json::parse(testing::read_text(dir_ / "m/config.json"));
  EXPECT_EQ(config["training"]["lr_schedule"], "plateau");
  EXPECT_EQ(config["training"]["plateau_patience"], 1);
  auto progress = testing::saved_progress(dir_ / "m");
  ASSERT_EQ(progress["best_score"].get<double>(), 0.0) << "the model learned something; the test needs another metric";
  EXPECT_EQ(progress["lr_scale"].get<double>(), 0.125);  // validations 2, 3, 4
  EXPECT_NE(trained.err.find("learning rate now"), std::string::npos) << trained.err;
  trained = run_heed("train" + common + " --max-steps 6 --resume " + (dir_ / "m"));
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  progress = testing::saved_progress(dir_ / "m");
  EXPECT_EQ(progress["lr_scale"].get<double>(), 0.03125);  // and 5, 6
}

}  // namespace
}  // namespace heed
