// Seeded toy tasks that a working model must actually learn, in CI-friendly budgets.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>

#include "data/generators.h"
#include "decode/translator.h"
#include "support/run_heed.h"
#include "train/evaluation.h"
#include "support/new_model.h"
#include "support/reduced_precision.h"
#include "train/trainer.h"
#include "util/threads.h"

namespace heed {
namespace {

// The Transformer's learning tests: a short warm-up, then inverse-sqrt decay.
constexpr int64_t kTransformerDatesEpochs = 5;  // 99% exact after 5 epochs, 100% after 8 (seed 1)
constexpr int64_t kTransformerReverseEpochs = 8;
constexpr double kTransformerLr = 2e-3;
constexpr int64_t kTransformerWarmup = 100;

TrainOptions quiet_options(const std::string& out_dir) {
  TrainOptions options;
  options.out_dir = out_dir;
  options.log_every_s = 1e9;
  options.seed = 1;
  return options;
}

// The Transformer's default way of training (registry defaults), at the tests' sizes.
TrainOptions transformer_options(const std::string& out_dir, int64_t epochs, int64_t batch_tokens) {
  TrainOptions options = quiet_options(out_dir);
  options.epochs = epochs;
  options.batch_tokens = batch_tokens;
  options.lr = kTransformerLr;
  options.lr_schedule = LrScheduleKind::InverseSqrt;
  options.warmup_steps = kTransformerWarmup;
  options.label_smoothing = 0.1;
  options.adam_beta2 = 0.98;
  return options;
}

struct TaskPairs {
  std::vector<SentencePair> train, test;
};

// Sequences of 3..8 symbols from 12 to reverse: 4000 training and 200 test pairs.
TaskPairs reverse_task() {
  ReverseOptions reverse;
  reverse.min_length = 3;
  reverse.max_length = 8;
  reverse.alphabet_size = 12;
  return {generate_reverse(4000, 1, reverse), generate_reverse(200, 2, reverse)};
}

// Exact-match accuracy on the test pairs, and for each cross-attention (layer, head) the
// share of target positions whose argmax is on the anti-diagonal: target symbol t of n
// looks at source symbol n - 1 - t.
struct ReverseReport {
  double accuracy = 0.0;
  int64_t layers = 0, heads = 0;
  std::vector<double> anti_diagonal;  // per layer * heads + head
};

ReverseReport reverse_report(const LoadedModel& model, const std::vector<SentencePair>& test_pairs) {
  TranslatorOptions translator_options;
  translator_options.search.return_attention = true;
  const Translator translator(model, translator_options);
  std::vector<std::string> sources;
  for (const auto& pair : test_pairs) sources.push_back(pair.source);
  const auto translations = translator.translate(sources);
  ReverseReport report;
  size_t correct = 0, positions = 0;
  std::vector<size_t> on_anti_diagonal;
  for (size_t i = 0; i < test_pairs.size(); ++i) {
    if (translations[i].text == test_pairs[i].target) ++correct;
    const auto& cross = translations[i].hypothesis.attention.at(AttentionPart::Cross);  // (L, H, T, S)
    report.layers = cross.size(0);
    report.heads = cross.size(1);
    on_anti_diagonal.resize(static_cast<size_t>(report.layers * report.heads), 0);
    const int64_t n = static_cast<int64_t>(translations[i].source_tokens.size()) - 1;  // without </s>
    const auto argmax = cross.argmax(3).reshape({report.layers * report.heads, -1});   // (L * H, T)
    for (int64_t t = 0; t < std::min<int64_t>(n, cross.size(2)); ++t) {
      ++positions;
      for (int64_t head = 0; head < report.layers * report.heads; ++head) {
        if (argmax[head][t].item<int64_t>() == n - 1 - t) ++on_anti_diagonal[static_cast<size_t>(head)];
      }
    }
  }
  report.accuracy = static_cast<double>(correct) / static_cast<double>(test_pairs.size());
  for (size_t count : on_anti_diagonal) {
    report.anti_diagonal.push_back(static_cast<double>(count) / static_cast<double>(positions));
  }
  return report;
}

// ctest: learning
TEST(Learning, DatesToIsoReachNinetyFivePercentExactMatchInEveryPrecision) {
  set_threads(2);
  testing::TempDir dir("heed_learn_dates");
  const auto train_pairs = generate_dates(6000, 1);
  const auto test_pairs = generate_dates(400, 2);
  LoadedModel model = testing::untrained_model("gru-bahdanau", TokenizerKind::Char,
                                                    {{"emb", 32}, {"hidden", 64}, {"attention_size", 32}, {"dropout", 0.0}}, train_pairs);
  TrainOptions options = quiet_options(dir / "model");
  options.epochs = 6;
  options.batch_tokens = 1200;
  options.lr = 3e-3;
  train(model, train_pairs, {}, options, false);
  const EvaluationResult result = evaluate(model, test_pairs, {});
  EXPECT_GE(result.exact_match, 0.95) << "exact match " << result.exact_match;
  testing::expect_reduced_precisions_keep_what_was_learned(model, test_pairs, result.exact_match);
}

// ctest: learning
TEST(Learning, ReverseIsLearnedWithAnAntiDiagonalAttention) {
  set_threads(2);
  testing::TempDir dir("heed_learn_reverse");
  const TaskPairs task = reverse_task();
  LoadedModel model = testing::untrained_model("gru-bahdanau", TokenizerKind::Word,
                                                    {{"emb", 32}, {"hidden", 64}, {"attention_size", 32}, {"dropout", 0.0}}, task.train);
  TrainOptions options = quiet_options(dir / "model");
  options.epochs = 10;
  options.batch_tokens = 1000;
  // A constant 3e-3 reaches the goal too, but only just, and spikes now and then late in
  // training: whether a seeded run passes then hangs on rounding. Decaying it does not.
  options.lr = 3e-3;
  options.lr_schedule = LrScheduleKind::InverseSqrt;
  options.warmup_steps = 50;
  train(model, task.train, {}, options, false);
  const ReverseReport report = reverse_report(model, task.test);
  ASSERT_EQ(report.anti_diagonal.size(), 1u);
  EXPECT_GE(report.accuracy, 0.95) << "accuracy " << report.accuracy;
  EXPECT_GE(report.anti_diagonal[0], 0.90);
}

// A small Transformer (2 layers, 4 heads) on the same task, with the warm-up and label
// smoothing it trains with by default.
// ctest: learning
TEST(Learning, TransformerDatesToIsoReachNinetyFivePercentExactMatchInEveryPrecision) {
  set_threads(2);
  testing::TempDir dir("heed_learn_transformer_dates");
  const auto train_pairs = generate_dates(20000, 1);
  const auto test_pairs = generate_dates(400, 2);
  LoadedModel model = testing::untrained_model("transformer", TokenizerKind::Char,
                                                    {{"d_model", 96}, {"heads", 4}, {"layers", 2}, {"ff", 192}, {"dropout", 0.0}}, train_pairs);
  const TrainOptions options = transformer_options(dir / "model", kTransformerDatesEpochs, 1200);
  train(model, train_pairs, {}, options, false);
  const EvaluationResult result = evaluate(model, test_pairs, {});
  EXPECT_GE(result.exact_match, 0.95) << "exact match " << result.exact_match;
  testing::expect_reduced_precisions_keep_what_was_learned(model, test_pairs, result.exact_match);
}

// Reversal is learned, and at least one cross-attention head puts its argmax on the
// anti-diagonal (target symbol t looks at source symbol n - 1 - t).
// ctest: learning
TEST(Learning, TransformerReverseIsLearnedWithAnAntiDiagonalHead) {
  set_threads(2);
  testing::TempDir dir("heed_learn_transformer_reverse");
  const TaskPairs task = reverse_task();
  LoadedModel model = testing::untrained_model("transformer", TokenizerKind::Word,
                                                    {{"d_model", 64}, {"heads", 4}, {"layers", 2}, {"ff", 128}, {"dropout", 0.0}}, task.train);
  train(model, task.train, {}, transformer_options(dir / "model", kTransformerReverseEpochs, 500), false);
  const ReverseReport report = reverse_report(model, task.test);
  ASSERT_EQ(report.layers, 2);
  ASSERT_EQ(report.heads, 4);
  EXPECT_GE(report.accuracy, 0.95);
  EXPECT_GE(*std::max_element(report.anti_diagonal.begin(), report.anti_diagonal.end()), 0.85);  // measured 0.89 (layer 2, seed 1)
}

TEST(Learning, SameSeedSameLossCurve) {
  set_threads(1);
  const auto pairs = generate_dates(300, 5);
  std::vector<std::string> logs;
  for (int run = 0; run < 2; ++run) {
    testing::TempDir dir("heed_learn_determinism");
    LoadedModel model = testing::untrained_model("gru-bahdanau", TokenizerKind::Char,
                                                      {{"emb", 16}, {"hidden", 16}, {"attention_size", 8}, {"dropout", 0.2}}, pairs);
    TrainOptions options = quiet_options(dir / "model");
    options.max_steps = 12;
    options.valid_every = 4;
    options.batch_tokens = 600;
    train(model, pairs, {}, options, false);
    auto log = testing::split_lines(testing::read_text(dir / "model/train_log.csv"));
    std::string losses;
    for (const auto& line : log) losses += line.substr(0, line.find(",,,")) + "\n";  // drop timings
    logs.push_back(losses);
  }
  EXPECT_EQ(logs[0], logs[1]);
  EXPECT_EQ(testing::split_lines(logs[0]).size(), 4u);
}

}  // namespace
}  // namespace heed
