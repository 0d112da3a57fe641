// Attention as word alignment, learned: a small GRU + Bahdanau model trained on the toy
// language (data/toy_language.h) must align its words with the known gold links,
// AER <= 0.15 from the argmax of its cross-attention when force-decoding held-out pairs.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "decode/alignment.h"
#include "attention/alignment_eval.h"
#include "data/toy_language.h"
#include "decode/translator.h"
#include "support/new_model.h"
#include "support/temp_dir.h"
#include "train/trainer.h"
#include "util/threads.h"

namespace heed {
namespace {

constexpr double kMaxAer = 0.15;
constexpr size_t kToyTrainPairs = 4000;
constexpr int64_t kToyEpochs = 6;

GoldAlignment gold_of(const AlignedPair& pair) {
  std::string line;
  for (const auto& link : pair.links) line += std::to_string(link.source) + "-" + std::to_string(link.target) + " ";
  return parse_gold_alignment(line, false, "toy", 1);
}

// ctest: learning
TEST(LearnedAlignment, GruAttentionAlignsTheToyLanguage) {
  set_threads(2);
  testing::TempDir dir("heed_learn_align");
  std::vector<SentencePair> train_pairs;
  for (const auto& pair : generate_toy_language(kToyTrainPairs, 1)) train_pairs.push_back(pair.pair);
  const auto test = generate_toy_language(200, 2);

  LoadedModel model = testing::untrained_model(
      "gru-bahdanau", TokenizerKind::Word,
      {{"emb", 32}, {"hidden", 64}, {"attention_size", 32}, {"dropout", 0.0}}, train_pairs);
  TrainOptions options;
  options.out_dir = dir / "model";
  options.log_every_s = 1e9;
  options.seed = 1;
  options.epochs = kToyEpochs;
  options.batch_tokens = 1500;
  options.lr = 3e-3;
  train(model, train_pairs, {}, options, false);

  TranslatorOptions translator_options;
  translator_options.search.return_attention = true;
  const Translator translator(model, translator_options);
  std::vector<SentencePair> pairs;
  for (const auto& pair : test) pairs.push_back(pair.pair);
  const auto forced = translator.force_decode(pairs);
  AlignmentCounts counts;
  for (size_t i = 0; i < forced.size(); ++i) {
    const auto links = hard_alignment(alignment_matrix(forced[i].hypothesis, {}), /*target_ends_with_eos=*/true);
    counts.add(links, gold_of(test[i]));
  }
  const AlignmentScores scores = score_alignments(counts);
  EXPECT_LE(scores.aer, kMaxAer) << "precision " << scores.precision << " recall " << scores.recall;
}

}  // namespace
}  // namespace heed
